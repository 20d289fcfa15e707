"""An authority admin's pages: its users, its API keys (a new key is shown once), and its team
email addresses, alert settings and sign-in policy."""

from __future__ import annotations

from flask import current_app, redirect, request, session, url_for

from api.pages import pages
from api.pages.guard import ADMINS, current_actor, for_roles
from api.pages.render import page
from licensing.actors import Role
from licensing.clock import utc_now
from licensing.errors import DomainError, NotFound
from licensing.services import users as user_service
from licensing.services.authorities import DIGEST_CHOICES, get_authority_for, update_authority_settings
from licensing.store.users import two_factor_required

# Roles an authority admin may give (the national operator is made from the command line).
GIVEN_ROLES = (Role.LICENSING_OFFICER, Role.ENFORCEMENT_OFFICER, Role.AUTHORITY_ADMIN)


def _crosscheck():
    return current_app.extensions["crosscheck"]


@pages.get("/users")
@for_roles(*ADMINS)
def users_page():
    actor = current_actor()
    with _crosscheck().unit_of_work(write=False) as uow:
        people = user_service.users_of_authority(uow, actor, actor.authority_code)
    return page("admin/users.html", title="Users", people=people, role_names=user_service.ROLE_NAMES, now=utc_now(),
                done=request.args.get("done"), wide=True)


@pages.route("/users/new", methods=["GET", "POST"])
@for_roles(*ADMINS)
def new_user_page():
    errors, form = {}, request.form
    if request.method == "POST":
        fields = {"name": form.get("name", ""), "email": form.get("email", ""), "role": form.get("role", ""),
                  "password": form.get("password", "")}
        if fields["role"] not in GIVEN_ROLES:
            errors["role"] = "Select the person's role"
        if not fields["name"].strip():
            errors["name"] = "Enter the person's full name"
        if not errors:
            try:
                with _crosscheck().unit_of_work() as uow:
                    user_service.create_user(uow, current_actor(), authority_code=current_actor().authority_code,
                                             **fields)
            except DomainError as error:
                field = ("password" if "password" in error.message else
                         "email" if "email" in error.message.lower() else "name")
                errors[field] = error.message
            else:
                return redirect(url_for("pages.users_page", done="added"))
    return page("admin/new_user.html", title="Add a user", errors=errors, form=form, roles=GIVEN_ROLES,
                role_names=user_service.ROLE_NAMES, min_length=user_service.MIN_PASSWORD_LENGTH,
                back={"href": url_for("pages.users_page"), "text": "Users"}, status=400 if errors else 200)


@pages.post("/users/<int:user_id>/remove")
@for_roles(*ADMINS)
def remove_user(user_id: int):
    with _crosscheck().unit_of_work() as uow:
        user_service.deactivate_user(uow, current_actor(), user_id)
    return redirect(url_for("pages.users_page", done="removed"))


@pages.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@for_roles(*ADMINS)
def password_page(user_id: int):
    """A new password for a colleague who has forgotten theirs (it also unlocks the account)."""
    actor, errors = current_actor(), {}
    if request.method == "POST":
        try:
            with _crosscheck().unit_of_work() as uow:
                user_service.set_password(uow, actor, user_id, request.form.get("password", ""))
        except DomainError as error:
            if isinstance(error, NotFound):
                raise
            errors["password"] = error.message
        else:
            return redirect(url_for("pages.users_page", done="password"))
    with _crosscheck().unit_of_work(write=False) as uow:
        person = next((u for u in user_service.users_of_authority(uow, actor, actor.authority_code)
                       if u.id == user_id and u.deactivated_at is None), None)
    if person is None:
        raise NotFound(f"No user {user_id} in this authority")
    return page("admin/password.html", title=f"Set a new password for {person.name}", errors=errors,
                min_length=user_service.MIN_PASSWORD_LENGTH, person=person,
                back={"href": url_for("pages.users_page"), "text": "Users"}, status=400 if errors else 200)


@pages.post("/users/<int:user_id>/unlock")
@for_roles(*ADMINS)
def unlock_user(user_id: int):
    with _crosscheck().unit_of_work() as uow:
        user_service.unlock_user(uow, current_actor(), user_id)
    return redirect(url_for("pages.users_page", done="unlocked"))


@pages.route("/api-keys", methods=["GET", "POST"])
@for_roles(*ADMINS)
def keys_page():
    actor, errors = current_actor(), {}
    if request.method == "POST":
        try:
            with _crosscheck().unit_of_work() as uow:
                key = user_service.create_authority_key(uow, actor, label=request.form.get("label", ""))
        except DomainError as error:
            errors["label"] = error.message
        else:
            # Shown once, on the next page, and then gone from the session.
            session["new_key"] = key
            return redirect(url_for("pages.new_key_page"))
    with _crosscheck().unit_of_work(write=False) as uow:
        keys = user_service.authority_api_keys(uow, actor, actor.authority_code)
    return page("admin/keys.html", title="API keys", keys=keys, errors=errors, form=request.form,
                done=request.args.get("done"), wide=True, status=400 if errors else 200)


@pages.get("/api-keys/new")
@for_roles(*ADMINS)
def new_key_page():
    key = session.pop("new_key", None)
    if key is None:
        return redirect(url_for("pages.keys_page"))
    return page("admin/new_key.html", title="Your new API key", key=key,
                back={"href": url_for("pages.keys_page"), "text": "API keys"})


@pages.post("/api-keys/<int:key_id>/revoke")
@for_roles(*ADMINS)
def revoke_key(key_id: int):
    with _crosscheck().unit_of_work() as uow:
        user_service.revoke_authority_key(uow, current_actor(), key_id)
    return redirect(url_for("pages.keys_page", done="revoked"))


@pages.route("/team", methods=["GET", "POST"])
@for_roles(*ADMINS)
def team_page():
    actor, errors = current_actor(), {}
    crosscheck = _crosscheck()
    if request.method == "POST":
        form = request.form
        changes = {"enforcement_email": form.get("enforcement_email", ""),
                   "licensing_email": form.get("licensing_email", ""),
                   "alert_digest": form.get("alert_digest", "")}
        try:
            with crosscheck.unit_of_work() as uow:
                update_authority_settings(uow, actor, actor.authority_code, changes)
            with crosscheck.unit_of_work() as uow:
                user_service.set_two_factor_required(uow, actor, actor.authority_code,
                                                     form.get("two_factor") == "required")
        except DomainError as error:
            field = next((name for name in changes if name in error.message), "enforcement_email")
            errors[field] = error.message.replace("enforcement_email", "The enforcement team's address").replace(
                "licensing_email", "The licensing team's address")
        else:
            return redirect(url_for("pages.team_page", done="saved"))
    with crosscheck.unit_of_work(write=False) as uow:
        authority = get_authority_for(uow, actor, actor.authority_code)
        required = two_factor_required(uow.session, actor.authority_code)
    values = request.form if errors else {"enforcement_email": authority.enforcement_email or "",
                                          "licensing_email": authority.licensing_email or "",
                                          "alert_digest": authority.alert_digest,
                                          "two_factor": "required" if required else "optional"}
    return page("admin/team.html", title="Team and alerts", errors=errors, values=values, digests=DIGEST_CHOICES,
                authority=authority, done=request.args.get("done"), status=400 if errors else 200)
