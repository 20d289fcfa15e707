"""Delivery into a directory of .eml files, for local runs: `make run` points it at var/outbox/ so
a new user can open the alerts Crosscheck would have sent in any mail client."""

from __future__ import annotations

import os
import re
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from licensing.mail.outgoing import OutgoingEmail, SenderConfigurationError, TransientSendError, mime_message

LOCAL_SENDER = "Crosscheck (local outbox) <crosscheck@localhost>"

_UNSAFE_IN_FILE_NAME = re.compile(r"[^A-Za-z0-9._@-]")


class OutboxDirectoryBackend:
    def __init__(self, directory: Path, *, sender: str = LOCAL_SENDER) -> None:
        self.directory = Path(directory)
        self.sender = sender

    def send(self, email: OutgoingEmail) -> str:
        now = datetime.now(timezone.utc)
        # Timestamp first so a directory listing is in sending order; a retry of the same message
        # becomes a second file with the same Message-ID, as it would in a real mailbox.
        safe_id = _UNSAFE_IN_FILE_NAME.sub("_", email.message_id.strip("<>"))
        name = f"{now:%Y%m%dT%H%M%S.%fZ}_{safe_id}.eml"
        content = mime_message(email, self.sender, now).as_bytes()
        try:
            self._write_atomically(name, content)
        except PermissionError as error:
            raise SenderConfigurationError(f"cannot write to {self.directory}: {error}") from error
        except OSError as error:
            raise TransientSendError(f"cannot write to {self.directory}: {error}") from error
        return name

    def _write_atomically(self, name: str, content: bytes) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        # Written under a temporary name and renamed, so a reader never sees half a message.
        handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(content)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, self.directory / name)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
