"""Searching the national register over HTTP with the production server: `crosscheck serve
--workers 2` (gunicorn, gthread; 1 thread per worker on SQLite, 4 on PostgreSQL) against a copy of the built database, driven
by 8 client threads, each with its own keep-alive requests.Session, posting the labelled queries of
benchmarks.national to /api/v1/searches for a bounded time (DURATION_S) and count (MAX_SEARCHES).

The clients run on the same machine as the server (and its database), so they take CPU from it:
the figures are a floor for what the server alone would do."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import requests

from benchmarks.common import REPO, emit
from benchmarks.national import add_arguments, environment, ensure_built, national_copy, queries, app_for
from benchmarks.national_search import REQUESTING_AUTHORITY, percentile
from licensing.services.api_keys import create_api_key

CLIENTS = 8
DURATION_S = 20.0
MAX_SEARCHES = 20_000
WARM_UP = 40
START_TIMEOUT_S = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_ready(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with {server.returncode}")
        try:
            if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError("the server did not start in time")


def process_cpu_s(root: int) -> float:
    """CPU seconds (user + system) used so far by a process and its children (the gunicorn workers)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(stat.parent.name), int(fields[1])
        if pid == root or ppid == root:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def machine_busy() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def main() -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    parser.add_argument("--duration", type=float, default=DURATION_S)
    args = parser.parse_args()

    ensure_built(args.db, args.rows)
    bodies = [{**item["query"], "reason": "licence_application", "application_reference": "BENCH-1"}
              for item in queries(args.rows)]
    with national_copy(args.db, args.rows) as (url, var_dir):
        app = app_for(url, var_dir)
        with app.unit_of_work() as uow:
            key = create_api_key(uow, REQUESTING_AUTHORITY, label="benchmark")
        app.engine.dispose()
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [str(Path(REPO / ".venv" / "bin" / "crosscheck")), "serve", "--workers", "2", "--port", str(port)],
            # Limits stay on (their counting is part of each request's cost) but far above this load.
            cwd=REPO, env={**os.environ, **environment(url, var_dir),
                           "CROSSCHECK_RATE_LIMIT_SEARCHES_PER_KEY": "10000000 per day",
                           "CROSSCHECK_RATE_LIMIT_SEARCHES_PER_ADDRESS": "10000000 per day"},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            wait_until_ready(base, server)
            headers = {"Authorization": f"Bearer {key}"}
            with requests.Session() as session:  # warm both workers (imports, caches, pools)
                for body in bodies[-WARM_UP:]:
                    session.post(f"{base}/api/v1/searches", json=body, headers=headers, timeout=30).raise_for_status()

            latencies: list[list[float]] = [[] for _ in range(CLIENTS)]
            errors = [0] * CLIENTS
            issued = iter(range(MAX_SEARCHES))
            lock = threading.Lock()
            deadline = time.perf_counter() + args.duration

            def client(number: int) -> None:
                with requests.Session() as session:
                    while time.perf_counter() < deadline:
                        with lock:
                            index = next(issued, None)
                        if index is None:
                            return
                        began = time.perf_counter()
                        try:
                            response = session.post(f"{base}/api/v1/searches", json=bodies[index % len(bodies)],
                                                    headers=headers, timeout=30)
                            ok = response.status_code == 200
                        except requests.RequestException:
                            ok = False
                        if ok:
                            latencies[number].append((time.perf_counter() - began) * 1000)
                        else:
                            errors[number] += 1

            server_cpu, client_cpu = process_cpu_s(server.pid), sum(os.times()[:2])
            busy, ticks = machine_busy()
            started = time.perf_counter()
            threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
            server_cpu = process_cpu_s(server.pid) - server_cpu
            client_cpu = sum(os.times()[:2]) - client_cpu
            busy, ticks = (now - before for now, before in zip(machine_busy(), (busy, ticks)))
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
    done = [value for values in latencies for value in values]
    emit({"db": args.db, "rows": args.rows, "clients": CLIENTS, "seconds": round(elapsed, 1),
          "searches": len(done), "errors": sum(errors),
          "searches_per_s": round(len(done) / elapsed, 1),
          "p50_ms": round(percentile(done, 0.50), 1), "p95_ms": round(percentile(done, 0.95), 1),
          "p99_ms": round(percentile(done, 0.99), 1), "server_cpu_share": round(server_cpu / elapsed / os.cpu_count(), 2),
          "client_cpu_share": round(client_cpu / elapsed / os.cpu_count(), 2),
          "machine_cpu_busy": round(busy / ticks, 2), "load_average_1m": round(os.getloadavg()[0], 2)})


if __name__ == "__main__":
    main()
