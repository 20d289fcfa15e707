"""Feeds for an authority's admin: what was sent and when, what each feed changed, the rows it
rejected and why, uploading a file, and confirming a feed held for confirmation."""

from __future__ import annotations

from flask import current_app, redirect, request, url_for

from api.pages import pages
from api.pages.guard import ADMINS, current_actor, for_roles
from api.pages.render import page
from licensing.errors import DomainError
from licensing.services import feeds as feed_service
from licensing.store.feed_history import recent_feeds_of

CONTENT_TYPES = {".csv": "text/csv", ".json": "application/json"}


def _crosscheck():
    return current_app.extensions["crosscheck"]


@pages.get("/feeds")
@for_roles(*ADMINS)
def feeds_page():
    with _crosscheck().unit_of_work(write=False) as uow:
        found = recent_feeds_of(uow.session, current_actor().authority_code)
    return page("feeds/list.html", title="Feeds", feeds=found, wide=True)


@pages.route("/feeds/upload", methods=["GET", "POST"])
@for_roles(*ADMINS)
def upload_feed_page():
    errors = {}
    if request.method == "POST":
        upload = request.files.get("register")
        name = (upload.filename or "").lower() if upload else ""
        content_type = next((t for ending, t in CONTENT_TYPES.items() if name.endswith(ending)), None)
        if not upload or not name:
            errors["register"] = "Select your register file"
        elif content_type is None:
            errors["register"] = "The file must be a CSV (.csv) or JSON (.json) file"
        else:
            try:
                with _crosscheck().unit_of_work() as uow:
                    feed_id = feed_service.receive_feed(uow, authority_code=current_actor().authority_code,
                                                        body=upload.read(), content_type=content_type, source="upload")
            except DomainError as error:
                errors["register"] = error.message
            else:
                return redirect(url_for("pages.feed_page", feed_id=feed_id))
    return page("feeds/upload.html", title="Upload your register", errors=errors,
                back={"href": url_for("pages.feeds_page"), "text": "Feeds"}, status=400 if errors else 200)


@pages.get("/feeds/<int:feed_id>")
@for_roles(*ADMINS)
def feed_page(feed_id: int):
    with _crosscheck().unit_of_work(write=False) as uow:
        feed = feed_service.get_feed(uow, current_actor(), feed_id)
    problems = feed.problems or []
    return page("feeds/feed.html", title=f"Feed {feed.id}", feed=feed, wide=True,
                errors_found=[p for p in problems if p["severity"] == "error"],
                warnings=[p for p in problems if p["severity"] != "error"], confirmed=request.args.get("confirmed"),
                back={"href": url_for("pages.feeds_page"), "text": "Feeds"})


@pages.post("/feeds/<int:feed_id>/confirm")
@for_roles(*ADMINS)
def confirm_feed(feed_id: int):
    with _crosscheck().unit_of_work() as uow:
        feed_service.confirm_feed(uow, current_actor(), feed_id)
    return redirect(url_for("pages.feed_page", feed_id=feed_id, confirmed="yes"))
