"""`crosscheck run` never leaves the web service without a jobs worker: a worker that stops is
restarted with a log line saying how it ended, and one that keeps stopping stops both."""

from __future__ import annotations

import logging
import os
import socket
import sys
import time

import pytest

from crosscheck.supervise import Supervisor
from tests.smtp import free_port

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]


def test_a_worker_that_keeps_stopping_is_restarted_then_both_stop_with_the_reason(caplog):
    failing_worker = [sys.executable, "-c", "import sys; sys.exit(3)"]
    supervisor = Supervisor(SLEEPER, failing_worker, restart_limit=2, first_delay=0.05)
    with caplog.at_level(logging.INFO, logger="crosscheck.run"):
        assert supervisor.run() == 1
    restarts = [r for r in caplog.records if r.getMessage() == "the jobs worker stopped; restarting it"]
    assert [(r.how, r.restart) for r in restarts] == [("exit code 3", 1), ("exit code 3", 2)]
    assert any(r.getMessage().startswith("the jobs worker keeps stopping") for r in caplog.records)
    # The web service was stopped too: nothing is served without a worker.
    web_pid = next(r.web_pid for r in caplog.records if r.getMessage() == "service started")
    with pytest.raises(ProcessLookupError):
        os.kill(web_pid, 0)


def test_the_web_service_stopping_stops_the_worker(caplog):
    supervisor = Supervisor([sys.executable, "-c", "import sys; sys.exit(4)"], SLEEPER)
    with caplog.at_level(logging.INFO, logger="crosscheck.run"):
        assert supervisor.run() == 1
    stopped = next(r for r in caplog.records if r.getMessage().startswith("the web service stopped"))
    assert stopped.how == "exit code 4"
    assert caplog.records[-1].getMessage() == "service stopped"


def test_what_the_web_service_leaves_behind_is_stopped_too(caplog):
    # A gunicorn worker that outlives its master keeps the port open, so the next `make run`
    # cannot serve and requests hang unanswered. Here the web service leaves a child that ignores
    # SIGTERM and holds a listening socket, then exits.
    port = free_port()
    lingering = ("import signal, socket, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
                 f"s = socket.socket(); s.bind(('127.0.0.1', {port})); s.listen(); print('up', flush=True); "
                 "time.sleep(120)")
    web = [sys.executable, "-c", "import subprocess, sys; "
           f"child = subprocess.Popen([sys.executable, '-c', {lingering!r}], stdout=subprocess.PIPE); "
           "child.stdout.readline(); sys.exit(4)"]
    with caplog.at_level(logging.INFO, logger="crosscheck.run"):
        assert Supervisor(web, SLEEPER).run() == 1
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and accepts(port):
        time.sleep(0.1)
    assert not accepts(port)


def accepts(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False
