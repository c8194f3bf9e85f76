"""Load check of the lookup endpoint: a bounded burst of requests on 127.0.0.1 only.

Usage: .venv/bin/python bench/web_load.py [--requests 2000] [--concurrency 16] [--workers 1]
           [--url http://127.0.0.1:PORT] [--data-dir DIR] [--budget-ms 50] [--json]

Without --url it starts ``socsec serve`` on a free local port over a data dir (a temporary one
initialised from the bundled thesaurus and bibliography unless --data-dir is given), waits for
/api/health, runs the burst and stops the server it started. Terms are drawn (fixed seed) from
the thesaurus labels in en/fr/es: whole labels, prefixes as typed in a search box, and typos.
Each worker thread keeps one HTTP/1.1 connection. Prints throughput, latency percentiles and
errors; exits 1 if any request failed or p95 is over the budget.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

PY = sys.executable
SOCSEC = str(Path(PY).with_name("socsec"))
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(host: str, port: int, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(host, port, timeout=2)
            conn.request("GET", "/api/health")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"server on {host}:{port} not ready after {timeout:.0f} s")


def terms(cache_path: Path, n: int, seed: int = 8) -> list[str]:
    """``n`` lookup terms from the cache's labels: whole, prefixes (3+ chars) and typos."""
    with sqlite3.connect(f"file:{cache_path}?mode=ro", uri=True) as db:
        labels = [
            r[0] for r in db.execute("SELECT label FROM labels WHERE base IN ('en', 'fr', 'es')")
        ]
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        label = rng.choice(labels)
        kind = rng.random()
        if kind < 0.5 and len(label) > 3:
            out.append(label[: rng.randint(3, len(label))])
        elif kind < 0.6 and len(label) > 4:
            i = rng.randrange(len(label) - 1)
            out.append(label[:i] + label[i + 1] + label[i] + label[i + 2 :])
        else:
            out.append(label)
    return out


def run_burst(
    host: str, port: int, queries: list[str], concurrency: int
) -> tuple[list[float], int, float]:
    """Latencies (ms) of successful requests, error count, wall seconds."""
    lock = threading.Lock()
    latencies: list[float] = []
    errors = 0
    cursor = iter(queries)

    def worker() -> None:
        nonlocal errors
        conn = http.client.HTTPConnection(host, port, timeout=30)
        while True:
            with lock:
                term = next(cursor, None)
            if term is None:
                break
            path = f"/api/lookup?q={quote(term)}&limit=10"
            start = time.perf_counter()
            try:
                conn.request("GET", path)
                resp = conn.getresponse()
                body = resp.read()
                ok = resp.status == 200 and body.startswith(b"[")
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=30)
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                if ok:
                    latencies.append(elapsed)
                else:
                    errors += 1
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors, time.perf_counter() - start


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
    return ordered[k]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--url", help="an already running server on 127.0.0.1")
    parser.add_argument("--data-dir", type=Path, help="data dir for the server started here")
    parser.add_argument("--workers", type=int, default=1, help="server processes (no --url)")
    parser.add_argument("--budget-ms", type=float, default=50.0, help="p95 budget")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    if not 1 <= args.requests <= 100_000 or not 1 <= args.concurrency <= 256:
        parser.error("--requests must be 1..100000 and --concurrency 1..256")

    server: subprocess.Popen[bytes] | None = None
    tmp: tempfile.TemporaryDirectory[str] | None = None
    if args.url:
        parts = urlsplit(args.url)
        if parts.hostname not in LOCAL_HOSTS or parts.port is None:
            parser.error("--url must be http://127.0.0.1:PORT (this check never leaves the host)")
        host, port = "127.0.0.1", parts.port
        data_dir = args.data_dir
    else:
        if args.data_dir is None:
            tmp = tempfile.TemporaryDirectory(prefix="socsec-web-load-")
            data_dir = Path(tmp.name) / "data"
        else:
            data_dir = args.data_dir
        host, port = "127.0.0.1", free_port()
        env = {**os.environ, "SOCSEC_HOME": str(data_dir)}
        cmd = [SOCSEC, "--quiet", "serve", "--host", host, "--port", str(port)]
        cmd += ["--workers", str(args.workers)]
        server = subprocess.Popen(cmd, env=env)
    try:
        wait_ready(host, port)
        cache = (data_dir or Path()) / "thesaurus.sqlite"
        if not cache.is_file():
            raise SystemExit("give --data-dir (the served data dir) to draw terms from its cache")
        queries = terms(cache, args.requests)
        run_burst(host, port, queries[: min(200, len(queries))], args.concurrency)  # warm-up
        latencies, errors, wall = run_burst(host, port, queries, args.concurrency)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if tmp is not None:
            tmp.cleanup()
    figures = {
        "requests": args.requests,
        "concurrency": args.concurrency,
        "workers": args.workers if not args.url else None,
        "errors": errors,
        "seconds": round(wall, 3),
        "throughput_rps": round(args.requests / wall, 1),
        "p50_ms": round(statistics.median(latencies), 2) if latencies else None,
        "p95_ms": round(percentile(latencies, 95), 2),
        "p99_ms": round(percentile(latencies, 99), 2),
        "max_ms": round(max(latencies), 2) if latencies else None,
        "budget_p95_ms": args.budget_ms,
    }
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:>15}: {value}")
    ok = errors == 0 and figures["p95_ms"] <= args.budget_ms
    print("OK" if ok else "FAILED: errors or p95 over budget", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
