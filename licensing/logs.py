"""Structured (JSON lines) logs with the request or job id on every line.

Log calls pass identifiers and counts only, never personal data: a log line must be safe to ship
to any log store an operator uses."""

from __future__ import annotations

import contextvars
import json
import logging
import sys
import time

correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("correlation_id", default=None)

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName", "request_id"}

_base_record_factory = logging.getLogRecordFactory()


def _record_with_correlation_id(*args, **kwargs) -> logging.LogRecord:
    # Stamped when the record is made, so any handler (and any later formatting) sees the id of
    # the request or job that logged it.
    record = _base_record_factory(*args, **kwargs)
    record.request_id = correlation_id.get()
    return record


logging.setLogRecordFactory(_record_with_correlation_id)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if getattr(record, "request_id", None):
            entry["request_id"] = record.request_id
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    formatter = JsonFormatter()
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
