"""Delivery through GOV.UK Notify. The Notify template must be an email template whose subject is
((subject)) and whose body is ((body)); Crosscheck fills both in."""

from __future__ import annotations

import logging
import re

from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from licensing.mail.outgoing import (
    OutgoingEmail,
    PermanentSendError,
    SenderConfigurationError,
    TransientSendError,
    recipient_domain,
    without_addresses,
)

logger = logging.getLogger(__name__)

NOTIFY_API_URL = "https://api.notifications.service.gov.uk"

_UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_API_KEY = re.compile(rf"^.+-{_UUID}-{_UUID}$")
_TEMPLATE_ID = re.compile(rf"^{_UUID}$")


def is_notify_api_key(value: str) -> bool:
    """'{key name}-{service id}-{secret}', the shape the Notify client slices the key by."""
    return bool(_API_KEY.match(value))


def is_notify_template_id(value: str) -> bool:
    return bool(_TEMPLATE_ID.match(value))


class NotifyBackend:
    def __init__(
        self, api_key: str, template_id: str, base_url: str = NOTIFY_API_URL, *, timeout: float = 10
    ) -> None:
        if not is_notify_api_key(api_key):
            raise ValueError("api_key is not a GOV.UK Notify API key ('{key name}-{service id}-{secret}')")
        if not is_notify_template_id(template_id):
            raise ValueError("template_id is not a GOV.UK Notify template id (a UUID)")
        self.api_key = api_key
        self.template_id = template_id
        self.base_url = base_url
        self.timeout = timeout

    def send(self, email: OutgoingEmail) -> str:
        # The Notify client holds a requests session and is documented as not thread-safe, so
        # each send gets its own; alerts are few enough that connection reuse does not matter.
        client = NotificationsAPIClient(self.api_key, base_url=self.base_url, timeout=self.timeout)
        try:
            response = client.send_email_notification(
                email_address=email.to,
                template_id=self.template_id,
                personalisation={"subject": email.subject, "body": email.body},
                reference=email.message_id,
            )
        except APIError as error:
            raise _send_error(error) from None
        finally:
            client.request_session.close()
        logger.debug(
            "email %s accepted by GOV.UK Notify for a recipient at %s", email.message_id, recipient_domain(email.to)
        )
        return response["id"]


def _send_error(error: APIError) -> Exception:
    # The client reports a request that got no response (refused, timed out) as 503, and a 2xx
    # that is not JSON (a proxy's page, not Notify) keeps its 2xx status: both are worth retrying.
    status = error.status_code
    message = f"GOV.UK Notify replied {status}: {without_addresses(str(error.message))}"
    if status in (401, 403):
        return SenderConfigurationError(message)
    if status in (408, 429) or status >= 500 or status < 400:
        return TransientSendError(message)
    return PermanentSendError(message)
