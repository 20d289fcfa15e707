"""`crosscheck run`: the web service and the jobs worker as one service, so that the web service is
never left running without a worker. A worker that exits is restarted, with a log line saying how
it ended; one that keeps exiting stops both, with a message saying why. Ctrl-C (SIGINT) or SIGTERM
stops both cleanly.

Each child runs in its own process group, so a stop reaches it once, from here: a terminal's Ctrl-C
goes to the whole foreground group, and gunicorn's workers, told to quit by it and by their master
at the same moment, can deadlock in their own signal handler and linger holding the port. What is
left of a child's group when the grace time is up (a gunicorn worker included) is killed."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections import deque

log = logging.getLogger("crosscheck.run")

# A worker that exits this many times within the window is not going to stay up by itself.
RESTART_LIMIT = 5
RESTART_WINDOW_SECONDS = 600
STOP_GRACE_SECONDS = 20


def _how_it_ended(code: int) -> str:
    if code < 0:
        try:
            return f"killed by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


def service_commands(*, host: str, port: int, workers: int) -> tuple[list[str], list[str]]:
    """The web service and the jobs worker, as `crosscheck serve` and `crosscheck jobs`."""
    python = [sys.executable, "-m", "crosscheck"]
    return ([*python, "serve", "--host", host, "--port", str(port), "--workers", str(workers)], [*python, "jobs"])


class Supervisor:
    def __init__(self, web_command: list[str], worker_command: list[str], *, restart_limit: int = RESTART_LIMIT,
                 restart_window: float = RESTART_WINDOW_SECONDS, first_delay: float = 1.0):
        self.web_command = web_command
        self.worker_command = worker_command
        self.restart_limit = restart_limit
        self.restart_window = restart_window
        self.first_delay = first_delay
        self.stopping: str | None = None
        self.restarts: deque[float] = deque()

    def _stop_signal(self, signum, frame) -> None:
        self.stopping = signal.Signals(signum).name

    def run(self) -> int:
        previous = {signum: signal.signal(signum, self._stop_signal) for signum in (signal.SIGINT, signal.SIGTERM)}
        web = _start(self.web_command)
        worker = _start(self.worker_command)
        log.info("service started", extra={"web_pid": web.pid, "worker_pid": worker.pid})
        try:
            while self.stopping is None:
                time.sleep(0.5)
                if self.stopping:
                    break
                if web.poll() is not None:
                    log.error("the web service stopped; stopping the jobs worker too",
                              extra={"how": _how_it_ended(web.returncode)})
                    return 1
                if worker.poll() is not None:
                    worker = self._restart(worker)
                    if worker is None:
                        return 1
            log.info("stopping the web service and the jobs worker", extra={"signal": self.stopping})
            return 0
        finally:
            self._stop(web, worker)
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def _restart(self, worker: subprocess.Popen) -> subprocess.Popen | None:
        how = _how_it_ended(worker.returncode)
        now = time.monotonic()
        while self.restarts and now - self.restarts[0] > self.restart_window:
            self.restarts.popleft()
        if len(self.restarts) >= self.restart_limit:
            log.error("the jobs worker keeps stopping; stopping the web service too, so that nothing is served "
                      "without a worker: see the worker's log lines above",
                      extra={"how": how, "restarts": len(self.restarts), "window_seconds": self.restart_window})
            return None
        self.restarts.append(now)
        delay = min(self.first_delay * 2 ** (len(self.restarts) - 1), 30)
        log.error("the jobs worker stopped; restarting it", extra={"how": how, "restart": len(self.restarts),
                                                                   "in_seconds": delay})
        deadline = time.monotonic() + delay
        while time.monotonic() < deadline and not self.stopping:
            time.sleep(0.2)
        if self.stopping:
            return worker
        restarted = _start(self.worker_command)
        log.info("jobs worker restarted", extra={"worker_pid": restarted.pid})
        return restarted

    def _stop(self, *processes: subprocess.Popen | None) -> None:
        started = [p for p in processes if p is not None]
        running = [p for p in started if p.poll() is None]
        for process in running:
            process.terminate()
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for process in running:
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                log.error("a process did not stop in time; killing it", extra={"pid": process.pid})
        for process in started:
            _kill_group(process)
        log.info("service stopped")


def _start(command: list[str]) -> subprocess.Popen:
    return subprocess.Popen(command, process_group=0)


def _kill_group(process: subprocess.Popen) -> None:
    """Kill whatever is left in the child's process group (its own children, if it left any), then
    reap the child."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass  # the group is empty: everything in it has already exited
    process.wait()
