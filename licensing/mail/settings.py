"""Choosing and configuring the email backend from CROSSCHECK_* environment variables."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from licensing.mail.files import OutboxDirectoryBackend
from licensing.mail.notify import NOTIFY_API_URL, NotifyBackend, is_notify_api_key, is_notify_template_id
from licensing.mail.outgoing import EmailBackend
from licensing.mail.smtp import SmtpBackend

DEFAULT_OUTBOX_DIR = "var/outbox"

_TRUE = {"true", "yes", "1", "on"}
_FALSE = {"false", "no", "0", "off"}


def backend_from_settings(env: Mapping[str, str]) -> EmailBackend:
    """Raises ValueError naming the variable when a setting is missing or malformed, so a bad
    deployment fails at start-up rather than when the first alert is due."""
    kind = _optional(env, "CROSSCHECK_EMAIL_BACKEND") or "directory"
    if kind == "smtp":
        return _smtp_backend(env)
    if kind == "notify":
        return _notify_backend(env)
    if kind == "directory":
        return OutboxDirectoryBackend(Path(_optional(env, "CROSSCHECK_OUTBOX_DIR") or DEFAULT_OUTBOX_DIR))
    raise ValueError(f"CROSSCHECK_EMAIL_BACKEND must be smtp, notify or directory, not {kind!r}")


def _smtp_backend(env: Mapping[str, str]) -> SmtpBackend:
    starttls = _flag(env, "CROSSCHECK_SMTP_STARTTLS", default=True)
    username = _optional(env, "CROSSCHECK_SMTP_USERNAME")
    # Not stripped: surrounding spaces may be part of a password.
    password = env.get("CROSSCHECK_SMTP_PASSWORD") or None
    if username and not password:
        raise ValueError("CROSSCHECK_SMTP_PASSWORD is required when CROSSCHECK_SMTP_USERNAME is set")
    if password and not username:
        raise ValueError("CROSSCHECK_SMTP_USERNAME is required when CROSSCHECK_SMTP_PASSWORD is set")
    if username and not starttls:
        raise ValueError("CROSSCHECK_SMTP_STARTTLS must be true when CROSSCHECK_SMTP_USERNAME is set")
    return SmtpBackend(
        _required(env, "CROSSCHECK_SMTP_HOST"),
        _port(env, "CROSSCHECK_SMTP_PORT", default=587 if starttls else 25),
        username,
        password,
        starttls=starttls,
        sender=_required(env, "CROSSCHECK_SMTP_SENDER"),
    )


def _notify_backend(env: Mapping[str, str]) -> NotifyBackend:
    api_key = _required(env, "CROSSCHECK_NOTIFY_API_KEY")
    if not is_notify_api_key(api_key):
        raise ValueError(
            "CROSSCHECK_NOTIFY_API_KEY is not a GOV.UK Notify API key ('{key name}-{service id}-{secret}')"
        )
    template_id = _required(env, "CROSSCHECK_NOTIFY_TEMPLATE_ID")
    if not is_notify_template_id(template_id):
        raise ValueError("CROSSCHECK_NOTIFY_TEMPLATE_ID is not a GOV.UK Notify template id (a UUID)")
    return NotifyBackend(api_key, template_id, _optional(env, "CROSSCHECK_NOTIFY_BASE_URL") or NOTIFY_API_URL)


def _optional(env: Mapping[str, str], name: str) -> str | None:
    # An empty variable is how many deployment tools spell "unset".
    return env.get(name, "").strip() or None


def _required(env: Mapping[str, str], name: str) -> str:
    value = _optional(env, name)
    if value is None:
        raise ValueError(f"{name} must be set")
    return value


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    value = _optional(env, name)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ValueError(f"{name} must be true or false, not {value!r}")


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    value = _optional(env, name)
    if value is None:
        return default
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise ValueError(f"{name} must be a TCP port number, not {value!r}")
    return int(value)
