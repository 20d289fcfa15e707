"""Identity reviews for officers: the pairs of records the model cannot settle (the review band),
most at stake first, with its reasons in words; a page per pair to say whether the two records are
one person. The decision is the API's identity decision (licensing.services.identity_review), binding
over every model."""

from __future__ import annotations

from flask import abort, current_app, redirect, request, url_for

from api.pages import pages
from api.pages.guard import SEARCHERS, current_actor, for_roles
from api.pages.render import page
from licensing.errors import DomainError, NotFound
from licensing.services import identity_review

# How many pairs the list shows: the most at stake first, so the rest wait for these.
LIST_SIZE = 100
VERDICTS = {"same": "They are one person: link the records",
            "different": "They are different people: keep the records apart"}


def _crosscheck():
    return current_app.extensions["crosscheck"]


@pages.get("/identity-reviews")
@for_roles(*SEARCHERS)
def identity_reviews_page():
    items = identity_review.links_for_review(_crosscheck(), current_actor(), limit=LIST_SIZE)
    return page("identity/reviews.html", title="Identity reviews", items=items, done=request.args.get("done"),
                wide=True)


@pages.route("/identity-reviews/<int:licence_a>/<int:licence_b>", methods=["GET", "POST"])
@for_roles(*SEARCHERS)
def identity_review_page(licence_a: int, licence_b: int):
    actor = current_actor()
    found = identity_review.links_for_review(_crosscheck(), actor, pair=(licence_a, licence_b))
    if not found:
        abort(404)
    errors = {}
    if request.method == "POST":
        verdict = request.form.get("verdict", "")
        reason = request.form.get("reason", "").strip()
        if verdict not in VERDICTS:
            errors["verdict"] = "Select whether the two records are one person"
        elif not reason:
            errors["reason"] = "Say why: a decision about who is who needs a reason"
        else:
            try:
                identity_review.decide_identity(_crosscheck(), actor, licence_a=licence_a, licence_b=licence_b,
                                                verdict=verdict, reason=reason)
            except NotFound:
                abort(404)
            except DomainError as error:
                errors["verdict"] = error.message
            else:
                return redirect(url_for("pages.identity_reviews_page", done=verdict))
    return page("identity/review.html", title="Are these records one person?", errors=errors, item=found[0],
                verdicts=VERDICTS, form=request.form,
                back={"href": url_for("pages.identity_reviews_page"), "text": "All identity reviews"},
                status=400 if errors else 200)
