"""`crosscheck demo`: a realistic synthetic register for a handful of authorities, loaded through
the same feed path as real authorities' registers."""

from __future__ import annotations

from typing import Callable, Iterator

from licensing.bootstrap import Crosscheck
from licensing.services import feeds, pipeline
from licensing.actors import Actor
from licensing.services.api_keys import create_api_key
from licensing.services.authorities import update_authority_settings
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
    yield ""
    yield "Demo API keys (shown once; send as 'Authorization: Bearer <key>'):"
    for code, name, key in keys:
        yield f"  {code:<10} {name:<45} {key}"
    yield f"  {'OPERATOR':<10} {'Service operator':<45} {operator_key}"
    yield ""
    outbox = app.settings.env.get("CROSSCHECK_OUTBOX_DIR") or app.settings.var_dir / "outbox"
    yield f"Alert emails are written to {outbox}/ (open them with any mail reader)."
    yield ""
    first_key = keys[0][2]
    yield "Try:"
    yield f"  curl -H 'Authorization: Bearer {first_key}' '{app.settings.public_base_url}/api/v1/licences?page_size=5'"
