"""`make run`, the README's main command, as a new user runs it: on SQLite in a fresh var
directory, on a port of their choosing, kept up for a minute, then a feed posted over HTTP is
applied, its alert email lands in the file outbox, and one Ctrl-C stops everything promptly, with
nothing left to kill."""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests

from crosscheck.supervise import STOP_GRACE_SECONDS
from tests.feeds import feed
from tests.smtp import free_port

REPO = Path(__file__).resolve().parents[2]
WOLVERHAMPTON, HARTLEPOOL = "E08000031", "E06000001"
UP_FOR_SECONDS = 60

pytestmark = pytest.mark.slow


class Output:
    """Collects a process's stdout lines as they come."""

    def __init__(self, stream):
        self.lines: list[str] = []
        self.thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self.thread.start()

    def _read(self, stream):
        for line in stream:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, pattern: str, timeout: float) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines:
                if match := re.search(pattern, line):
                    return match
            time.sleep(0.2)
        raise AssertionError(f"no line matching {pattern!r} in:\n" + "\n".join(self.lines[-40:]))


def until(condition, timeout: float, every: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(every)
    return None


def ready(base: str) -> bool:
    try:
        return requests.get(f"{base}/readyz", timeout=30).status_code == 200
    except requests.ConnectionError:
        return False


def test_make_run_serves_applies_alerts_and_stops_cleanly(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    var = tmp_path / "var"
    env = {name: value for name, value in os.environ.items()
           if name not in ("DATABASE_URL", "CROSSCHECK_BASE_URL", "MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    # The postcode index is the same for everyone; built once (by make test), not per run.
    env.update(CROSSCHECK_VAR_DIR=str(var), CROSSCHECK_REFERENCE_DIR=str(REPO / "var" / "reference"))
    stderr = (tmp_path / "stderr.log").open("w+")
    make = subprocess.Popen(["make", "run", f"PORT={port}"], cwd=REPO, env=env, text=True, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=stderr)
    out = Output(make.stdout)
    try:
        keys = {}
        try_line = out.wait_for(r"curl .*", timeout=240).group(0)
        assert f"'{base}/api/v1/licences?page_size=5'" in try_line  # the printed example honours PORT
        for line in out.lines:
            if match := re.match(r"\s+(\S+)\s+.*\s(cc_\S+)$", line):
                keys[match.group(1)] = match.group(2)
        out.wait_for(re.escape(f"Serving {base}/"), timeout=10)
        assert until(lambda: ready(base), timeout=120), "never ready: " + (tmp_path / "stderr.log").read_text()[-3000:]
        serving_since = time.monotonic()

        # Up for a minute, and ready all along: the jobs worker is still beating.
        while time.monotonic() - serving_since < UP_FOR_SECONDS:
            assert make.poll() is None
            assert ready(base)
            time.sleep(5)

        # A council that joins later gets its key from the command line, as the README says.
        hartlepool_key = subprocess.run([str(REPO / ".venv/bin/crosscheck"), "create-api-key", HARTLEPOOL], cwd=REPO,
                                        env=env, check=True, capture_output=True, text=True).stdout.strip()
        page = requests.get(f"{base}/api/v1/licences?page_size=100", timeout=30,
                            headers={"Authorization": f"Bearer {keys[WOLVERHAMPTON]}"}).json()
        driver = next(licence for licence in page["licences"]
                      if licence["status"] == "active" and licence["licence_type"].endswith("driver")
                      and licence["date_of_birth"] and licence["driving_licence_number"])
        # Hartlepool revoked the same person: Wolverhampton must hear of it at once.
        revoked = ",".join(["H1", "private_hire_driver", "revoked", "2020-01-01", "2023-01-01", driver["surname"],
                            driver["forenames"], driver["date_of_birth"], driver["driving_licence_number"],
                            driver["ni_number"] or "", "", driver["postcode"] or ""])
        posted = requests.post(f"{base}/api/v1/feeds/licences", data=feed(revoked), timeout=30,
                               headers={"Authorization": f"Bearer {hartlepool_key}", "Content-Type": "text/csv"})
        assert posted.status_code == 202
        feed_url = f"{base}{posted.json()['href']}"
        assert until(lambda: requests.get(feed_url, headers={"Authorization": f"Bearer {hartlepool_key}"},
                                          timeout=30).json()["status"] == "applied", timeout=60)

        def alert():
            for path in sorted((var / "outbox").glob("*.eml")):
                message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
                if message["To"] == f"enforcement@{WOLVERHAMPTON.lower()}.example" and "revoked" in message["Subject"]:
                    return message
            return None

        message = until(alert, timeout=60)
        assert message is not None, "no alert in the outbox"
        assert f"{base}/findings/" in message.get_content()  # links honour PORT too
    finally:
        stopping_since = time.monotonic()
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGINT)  # Ctrl-C in the terminal
        try:
            make.wait(timeout=60)
        finally:
            if make.poll() is None:
                os.killpg(make.pid, signal.SIGKILL)
    # One Ctrl-C stops everything well within the time after which what is left would be killed.
    assert time.monotonic() - stopping_since < STOP_GRACE_SECONDS
    stderr.seek(0)
    printed = stderr.read()
    assert "SIGKILL" not in printed and "did not stop in time" not in printed
    stderr.seek(0)
    logged = [json.loads(line) for line in stderr if line.startswith("{")]
    started = next(entry for entry in logged if entry["message"] == "service started")
    assert any(entry["message"] == "service stopped" for entry in logged)
    for pid in (started["web_pid"], started["worker_pid"]):
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    # Nothing of the web service (a gunicorn worker, say) is left holding the port.
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
