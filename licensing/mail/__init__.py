"""Email delivery for alerts to councils. The outbox decides what to send and when to retry; a
backend only hands one message to one provider and says whether a failure is worth retrying."""

from licensing.mail.files import OutboxDirectoryBackend
from licensing.mail.notify import NotifyBackend
from licensing.mail.outgoing import (
    EmailBackend,
    OutgoingEmail,
    PermanentSendError,
    SenderConfigurationError,
    TransientSendError,
)
from licensing.mail.settings import backend_from_settings
from licensing.mail.smtp import SmtpBackend

__all__ = [
    "EmailBackend",
    "NotifyBackend",
    "OutboxDirectoryBackend",
    "OutgoingEmail",
    "PermanentSendError",
    "SenderConfigurationError",
    "SmtpBackend",
    "TransientSendError",
    "backend_from_settings",
]
