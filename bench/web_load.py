"""Load check of lookup and autocomplete against /api/health: bounded bursts on 127.0.0.1 only.

Usage: .venv/bin/python bench/web_load.py [--requests 2000] [--concurrency 16] [--workers 1]
           [--url http://127.0.0.1:PORT] [--data-dir DIR] [--thesaurus FILE] [--rounds 3]
           [--budget-ms 20] [--min-ratio 0.8] [--fresh-terms] [--seed 8] [--server-pid PID]
           [--json]

Without --url it starts ``socsec serve`` on a free local port over a data dir (a temporary one
initialised from the bundled thesaurus and bibliography unless --data-dir is given; with
--thesaurus, that file replaces the thesaurus first, e.g. all of EuroVoc), waits for
/api/health, runs the bursts and stops the server it started. Terms are drawn (fixed seed) from
the thesaurus labels in en/fr/es: whole labels, prefixes as typed in a search box, and typos.
Each worker thread keeps one HTTP/1.1 connection. The endpoints are measured in interleaved
rounds (health, lookup, autocomplete, ...); each figure is the median over the rounds, and the
anchor is /api/health of the same run. The server keeps recent answers in memory (a search
box repeats prefixes), so by default the rounds repeat one draw of terms, as users do; with
--fresh-terms every burst draws new ones and measures the lookups themselves (--seed varies
the draws between runs against one server). On a shared machine throughput follows the load
of others, so the server's own CPU time per request is printed too (from /proc, for the server
started here or --server-pid): a one-process server answers at most 1 / (CPU per request)
requests a second on a free core, so its ratio to /api/health's is the load-free figure.
Exits 1 if a request failed, a p95 is over the budget or a throughput is under --min-ratio of
the anchor's.
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


PATHS = {
    "health": "/api/health",
    "lookup": "/api/lookup?q={q}&limit=10",
    "autocomplete": "/api/autocomplete?q={q}&limit=8",
}


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU seconds of a process and its children processes (0 without /proc)."""
    if pid is None:
        return 0.0
    total = 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                total += cpu_seconds(int(child))
    except (OSError, ValueError, IndexError):
        pass
    return total


def run_burst(
    host: str,
    port: int,
    queries: list[str],
    concurrency: int,
    endpoint: str = "lookup",
    pid: int | None = None,
) -> tuple[list[float], int, float, float]:
    """Latencies (ms) of successful requests, error count, wall seconds, server CPU seconds."""
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
            path = PATHS[endpoint].format(q=quote(term))
            start = time.perf_counter()
            try:
                conn.request("GET", path)
                resp = conn.getresponse()
                body = resp.read()
                ok = resp.status == 200 and body[:1] in (b"[", b"{")
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
    cpu = cpu_seconds(pid)
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors, time.perf_counter() - start, cpu_seconds(pid) - cpu


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
    parser.add_argument("--thesaurus", type=Path, help="RDF file replacing the thesaurus first")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds")
    parser.add_argument("--budget-ms", type=float, default=20.0, help="p95 budget")
    parser.add_argument("--min-ratio", type=float, default=0.8, help="least throughput/anchor")
    parser.add_argument(
        "--fresh-terms", action="store_true", help="new terms in every burst (no repeats)"
    )
    parser.add_argument("--seed", type=int, default=8, help="seed of the term draws")
    parser.add_argument("--server-pid", type=int, help="pid of the --url server (its CPU time)")
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
        if args.thesaurus:
            cmd = [SOCSEC, "--quiet", "thesaurus", "import", str(args.thesaurus), "--replace"]
            subprocess.run([*cmd, "--yes"] if _has_yes(env) else cmd, env=env, check=True)
        cmd = [SOCSEC, "--quiet", "serve", "--host", host, "--port", str(port)]
        cmd += ["--workers", str(args.workers)]
        server = subprocess.Popen(cmd, env=env)
    try:
        wait_ready(host, port)
        cache = (data_dir or Path()) / "thesaurus.sqlite"
        if not cache.is_file():
            raise SystemExit("give --data-dir (the served data dir) to draw terms from its cache")
        pid = server.pid if server is not None else args.server_pid
        queries = terms(cache, args.requests, seed=args.seed)
        warm = terms(cache, 200, seed=args.seed * 1000 + 7) if args.fresh_terms else queries[:200]
        run_burst(host, port, warm, args.concurrency)  # warm-up
        rounds: dict[str, list[tuple[list[float], int, float, float]]] = {e: [] for e in PATHS}
        for n in range(args.rounds):
            for i, endpoint in enumerate(PATHS):
                if args.fresh_terms:
                    seed = args.seed * 1000 + 100 + n * len(PATHS) + i
                    queries = terms(cache, args.requests, seed=seed)
                burst = run_burst(host, port, queries, args.concurrency, endpoint, pid)
                rounds[endpoint].append(burst)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if tmp is not None:
            tmp.cleanup()
    figures: dict[str, object] = {
        "requests": args.requests,
        "concurrency": args.concurrency,
        "rounds": args.rounds,
        "workers": args.workers if not args.url else None,
        "thesaurus": str(args.thesaurus or args.data_dir or "bundled extract"),
        "terms": "fresh in every burst" if args.fresh_terms else "one draw, repeated by round",
    }
    ok = True
    anchor = anchor_cpu = 0.0
    for endpoint, runs in rounds.items():
        rps = statistics.median(args.requests / wall for _l, _e, wall, _c in runs)
        errors = sum(e for _l, e, _w, _c in runs)
        p95 = statistics.median(percentile(lat, 95) for lat, _e, _w, _c in runs)
        cpu = statistics.median(c for _l, _e, _w, c in runs) * 1000 / args.requests
        anchor = anchor or rps  # health comes first
        anchor_cpu = anchor_cpu or cpu
        p50 = statistics.median(statistics.median(lat) for lat, _e, _w, _c in runs)
        figures[endpoint] = {
            "throughput_rps": round(rps, 1),
            "ratio_to_health": round(rps / anchor, 2),
            "p50_ms": round(p50, 2),
            "p95_ms": round(p95, 2),
            "p99_ms": round(statistics.median(percentile(lat, 99) for lat, *_rest in runs), 2),
            "errors": errors,
            "server_cpu_ms_per_request": round(cpu, 3),
            "cpu_ratio_to_health": round(anchor_cpu / cpu, 2) if cpu else None,
        }
        ok = ok and errors == 0 and p95 <= args.budget_ms
        ok = ok and (endpoint == "health" or rps >= args.min_ratio * anchor)
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:>15}: {value}")
    print("OK" if ok else "FAILED: errors, p95 over budget or ratio too low", file=sys.stderr)
    return 0 if ok else 1


def _has_yes(env: dict[str, str]) -> bool:
    """Whether ``thesaurus import`` knows --yes (a replace that drops concepts may ask)."""
    out = subprocess.run(
        [SOCSEC, "thesaurus", "import", "--help"], env=env, capture_output=True, text=True
    )
    return "--yes" in out.stdout


if __name__ == "__main__":
    raise SystemExit(main())
