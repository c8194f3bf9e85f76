"""A batch of 100 reconciliation queries to /reconcile, as OpenRefine sends them, timed.

Usage: .venv/bin/python bench/reconcile.py [--rounds 20] [--data-dir DIR] [--json]

Starts ``socsec serve`` on a free 127.0.0.1 port over a data dir (a temporary one
initialised from the bundled thesaurus unless --data-dir is given), then POSTs one batch of
100 queries drawn (fixed seed) from the thesaurus itself: 25 French and 25 Spanish preferred
labels, 25 English labels (preferred or alternative) and 25 misspellings (two adjacent letters
swapped in a preferred label). Prints the median time of a batch over --rounds, the median of
GET /api/health in the same run as the anchor, their ratio, and how often the concept the
label came from is the first candidate. Exits 1 when the median batch takes 1 s or more.
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
import time
from pathlib import Path
from urllib.parse import urlencode

PY = sys.executable
SOCSEC = str(Path(PY).with_name("socsec"))
BUDGET_S = 1.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(port: int, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/health")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"server on 127.0.0.1:{port} not ready after {timeout:.0f} s")


def _swap(label: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(label) - 2)  # keep the first letter, as typists mostly do
    return label[:i] + label[i + 1] + label[i] + label[i + 2 :]


def draw_queries(cache: Path, seed: int = 18) -> list[tuple[str, str, str]]:
    """100 (group, query, expected concept URI) drawn from the cache's labels."""
    with sqlite3.connect(f"file:{cache}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT c.uri, l.label, l.base, l.kind FROM labels l JOIN concepts c ON c.id = l.cid "
            "WHERE l.base IN ('en', 'fr', 'es') AND l.kind < 2 ORDER BY c.uri, l.base, l.label"
        ).fetchall()
    owners: dict[str, set[str]] = {}
    for uri, label, _base, _kind in rows:
        owners.setdefault(label.casefold(), set()).add(uri)
    # Only labels that name one concept: a shared label has no single right answer.
    unique = [(u, lab, b, k) for u, lab, b, k in rows if len(owners[lab.casefold()]) == 1]
    rng = random.Random(seed)

    def pick(base: str, kinds: tuple[int, ...], n: int) -> list[tuple[str, str]]:
        pool = [(lab, u) for u, lab, b, k in unique if b == base and k in kinds]
        return rng.sample(pool, n)

    out = [("fr", q, u) for q, u in pick("fr", (0,), 25)]
    out += [("es", q, u) for q, u in pick("es", (0,), 25)]
    out += [("en", q, u) for q, u in pick("en", (0, 1), 25)]
    long_prefs = [(lab, u) for u, lab, b, k in unique if k == 0 and len(lab) >= 8]
    typos: list[tuple[str, str, str]] = []
    while len(typos) < 25:
        label, uri = rng.choice(long_prefs)
        typo = _swap(label, rng)
        if typo.casefold() not in owners and typo != label:
            typos.append(("typo", typo, uri))
    return out + typos


def post_batch(port: int, body: bytes) -> tuple[float, dict[str, object]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    start = time.perf_counter()
    conn.request("POST", "/reconcile", body=body, headers=headers)
    resp = conn.getresponse()
    data = resp.read()
    elapsed = time.perf_counter() - start
    conn.close()
    if resp.status != 200:
        raise SystemExit(f"/reconcile answered {resp.status}: {data[:200]!r}")
    return elapsed, json.loads(data)


def get_health(port: int) -> float:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    start = time.perf_counter()
    conn.request("GET", "/api/health")
    resp = conn.getresponse()
    resp.read()
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--data-dir", type=Path, help="data dir to serve (default: temporary)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    if not 1 <= args.rounds <= 1000:
        parser.error("--rounds must be 1..1000")
    tmp = None
    if args.data_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="socsec-bench-reconcile-")
        data_dir = Path(tmp.name) / "data"
    else:
        data_dir = args.data_dir
    port = free_port()
    env = {**os.environ, "SOCSEC_HOME": str(data_dir)}
    cmd = [SOCSEC, "--quiet", "serve", "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(cmd, env=env)
    try:
        wait_ready(port)
        queries = draw_queries(data_dir / "thesaurus.sqlite")
        batch = {f"q{i}": {"query": q, "limit": 5} for i, (_g, q, _u) in enumerate(queries)}
        body = urlencode({"queries": json.dumps(batch)}).encode()
        post_batch(port, body)  # warm-up: caches and the typo matcher
        get_health(port)
        batch_s, health_s = [], []
        answer: dict[str, object] = {}
        for _ in range(args.rounds):  # interleaved, so both see the same machine load
            elapsed, answer = post_batch(port, body)
            batch_s.append(elapsed)
            health_s.append(get_health(port))
    finally:
        server.terminate()
        server.wait(timeout=30)
        if tmp is not None:
            tmp.cleanup()
    hits: dict[str, list[int]] = {}
    for i, (group, _q, uri) in enumerate(queries):
        result = answer[f"q{i}"]["result"]  # type: ignore[index]
        hits.setdefault(group, []).append(int(bool(result) and result[0]["id"] == uri))
    median_batch = statistics.median(batch_s)
    median_health = statistics.median(health_s)
    figures = {
        "queries_per_batch": len(queries),
        "rounds": args.rounds,
        "batch_median_ms": round(median_batch * 1000, 1),
        "batch_min_ms": round(min(batch_s) * 1000, 1),
        "batch_max_ms": round(max(batch_s) * 1000, 1),
        "anchor_health_median_ms": round(median_health * 1000, 2),
        "ratio_batch_to_health": round(median_batch / median_health, 1),
        "per_query_ms": round(median_batch * 1000 / len(queries), 2),
        "top1": {g: f"{sum(v)}/{len(v)}" for g, v in hits.items()},
        "budget_ms": BUDGET_S * 1000,
    }
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:>24}: {value}")
    ok = median_batch < BUDGET_S
    print("OK" if ok else "FAILED: a batch of 100 took 1 s or more", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
