"""Feeds for an authority's admin: what was sent and when, what each feed changed, the rows it
rejected and why, uploading a file (or checking one first with a dry run that changes nothing),
confirming a feed held for confirmation, and the authority's saved feed mapping."""

from __future__ import annotations

from flask import current_app, redirect, request, url_for

from api.pages import pages
from api.pages.guard import ADMINS, current_actor, for_roles
from api.pages.render import page
from licensing.errors import DomainError
from licensing.services import feed_mappings as mapping_service
from licensing.services import feeds as feed_service
from licensing.store.feed_history import recent_feeds_of

CONTENT_TYPES = {".csv": "text/csv", ".json": "application/json"}
# A dry run's first problems of each kind shown on the page; the count of all is given beside them.
DRY_RUN_SHOWN = 20


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
    """Upload applies the file; Check reads it exactly as applying would and shows what it would
    do, on this page only (the file's contents are the authority's register: no address holds them)."""
    errors, checked = {}, None
    if request.method == "POST":
        upload = request.files.get("register")
        name = (upload.filename or "").lower() if upload else ""
        content_type = next((t for ending, t in CONTENT_TYPES.items() if name.endswith(ending)), None)
        if not upload or not name:
            errors["register"] = "Select your register file"
        elif content_type is None:
            errors["register"] = "The file must be a CSV (.csv) or JSON (.json) file"
        elif request.form.get("action") == "check":
            try:
                with _crosscheck().unit_of_work(write=False) as uow:
                    checked = feed_service.dry_run_feed(uow, authority_code=current_actor().authority_code,
                                                        body=upload.read(), content_type=content_type,
                                                        hold_share=_crosscheck().settings.feed_hold_share)
            except DomainError as error:
                errors["register"] = error.message
        else:
            try:
                with _crosscheck().unit_of_work() as uow:
                    feed_id = feed_service.receive_feed(uow, authority_code=current_actor().authority_code,
                                                        body=upload.read(), content_type=content_type, source="upload")
            except DomainError as error:
                errors["register"] = error.message
            else:
                return redirect(url_for("pages.feed_page", feed_id=feed_id))
    problems = (checked or {}).get("problems", [])
    return page("feeds/upload.html", title="Upload your register", errors=errors, checked=checked,
                checked_name=request.files["register"].filename if checked else None,
                errors_found=[p for p in problems if p["severity"] == "error"][:DRY_RUN_SHOWN],
                warnings=[p for p in problems if p["severity"] != "error"][:DRY_RUN_SHOWN],
                back={"href": url_for("pages.feeds_page"), "text": "Feeds"}, status=400 if errors else 200)


@pages.get("/feeds/mapping")
@for_roles(*ADMINS)
def feed_mapping_page():
    code = current_actor().authority_code
    with _crosscheck().unit_of_work(write=False) as uow:
        saved = mapping_service.saved_feed_mapping(uow, current_actor(), code)
    return page("feeds/mapping.html", title="Your feed mapping", saved=saved,
                back={"href": url_for("pages.feeds_page"), "text": "Feeds"})


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
