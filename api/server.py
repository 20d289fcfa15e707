"""gunicorn, embedded so `crosscheck serve` needs no separate config file."""

from __future__ import annotations

import gunicorn.http.wsgi
from gunicorn.app.base import BaseApplication

# gunicorn names itself in a Server header on every response and has no setting to stop it; a
# client learns nothing from this one about the software or its version.
SERVER_HEADER = "crosscheck"


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        gunicorn.http.wsgi.SERVER = SERVER_HEADER
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from api.app import create_app
        from licensing.logs import configure_logging

        configure_logging()
        return create_app()


def default_threads(database_url: str) -> int:
    """Threads per worker. Requests are CPU-bound Python, so threads only help while a request waits
    for a database in another process (PostgreSQL); with SQLite, in-process, they only contend for
    the interpreter (measured: docs/benchmarks.md)."""
    return 1 if database_url.startswith("sqlite") else 4


def run_gunicorn(*, host: str, port: int, workers: int, threads: int) -> None:
    _Gunicorn({
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": 120,
        # Requests in flight get this long to finish on a stop: less than `crosscheck run` waits
        # before it kills what is left (crosscheck/supervise.py).
        "graceful_timeout": 10,
        # Access lines come from the app's own structured log, which never holds personal data.
        "accesslog": None,
    }).run()
