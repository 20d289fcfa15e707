"""`crosscheck demo`: a realistic synthetic register for a handful of authorities, loaded through
the same feed path as real authorities' registers."""

from __future__ import annotations

import secrets
from typing import Callable, Iterator

from licensing.bootstrap import Crosscheck
from licensing.services import feeds, pipeline
from licensing.actors import Actor, Role
from licensing.services.api_keys import create_api_key
from licensing.services.authorities import update_authority_settings
from licensing.services.users import create_user, set_password
from licensing.store.users import user_with_email
from licensing.store.models import Authority
from licensing.synthetic import demo_register, feed_csv


def load_demo(app: Crosscheck, *, seed: int, progress: Callable[[str], None] = lambda _: None) -> Iterator[str]:
    register = demo_register(seed=seed)
    keys = []
    operator = Actor.service()
    for code in register.authorities():
        # Team mailboxes on a reserved domain: in the demo, alerts land in var/outbox as files.
        with app.unit_of_work() as uow:
            mailbox = code.lower()
            update_authority_settings(uow, operator, code, {"enforcement_email": f"enforcement@{mailbox}.example",
                                                            "licensing_email": f"licensing@{mailbox}.example"})
        with app.unit_of_work() as uow:
            feeds.receive_feed(uow, authority_code=code, body=feed_csv(register.feed_rows(code)),
                               content_type="text/csv", source="import")
        for outcome in pipeline.process_feeds(app, authority_code=code).feeds:
            progress(f"{code}: demo register {outcome.status}")
        with app.unit_of_work() as uow:
            name = uow.session.get(Authority, code).name
            keys.append((code, name, create_api_key(uow, code, label="demo")))
    with app.unit_of_work() as uow:
        operator_key = create_api_key(uow, None, label="demo operator")
    sign_ins = demo_users(app, [code for code, _, _ in keys])
    yield ""
    yield "Demo API keys (shown once; send as 'Authorization: Bearer <key>'):"
    for code, name, key in keys:
        yield f"  {code:<10} {name:<45} {key}"
    yield f"  {'OPERATOR':<10} {'Service operator':<45} {operator_key}"
    yield ""
    yield f"Demo sign-ins for the officers' pages at {app.settings.public_base_url}/sign-in (shown once):"
    for email, password, role, code in sign_ins:
        yield f"  {email:<42} {password:<18} {role:<20} {code or ''}"
    yield ""
    outbox = app.settings.env.get("CROSSCHECK_OUTBOX_DIR") or app.settings.var_dir / "outbox"
    yield f"Alert emails are written to {outbox}/ (open them with any mail reader)."
    yield ""
    first_key = keys[0][2]
    yield "Try:"
    yield f"  curl -H 'Authorization: Bearer {first_key}' '{app.settings.public_base_url}/api/v1/licences?page_size=5'"


def demo_users(app: Crosscheck, authority_codes: list[str]) -> list[tuple[str, str, str, str | None]]:
    """One officer of each role in the first authority, an enforcement officer in the second (to
    see findings from both sides), and the national operator; each with a random password."""
    wanted = [(Role.LICENSING_OFFICER, authority_codes[0]), (Role.ENFORCEMENT_OFFICER, authority_codes[0]),
              (Role.AUTHORITY_ADMIN, authority_codes[0]), (Role.ENFORCEMENT_OFFICER, authority_codes[1]),
              (Role.OPERATOR, None)]
    made = []
    for role, code in wanted:
        email = f"{role.value.replace('_', '.')}@{(code or 'crosscheck').lower()}.example"
        password = secrets.token_urlsafe(12)
        with app.unit_of_work() as uow:
            existing = user_with_email(uow.session, email)
            if existing is not None:  # `make run` again: the same demo users, with new passwords
                set_password(uow, Actor.service(), existing.id, password)
            else:
                create_user(uow, Actor.service(), email=email, name=f"Demo {role.value.replace('_', ' ')}",
                            role=role.value, authority_code=code, password=password)
        made.append((email, password, role.value, code))
    return made
