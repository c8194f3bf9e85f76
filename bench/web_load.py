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

Mixed read/write load (``--mixed SECONDS``, e.g. ``--mixed 60 --readers 16 --writers 2
--workers 2``): readers cycle through /api/health (the anchor), lookup, the JSON search, the
search page, record pages and concept pages, while writers use an API token on the JSON write
API: each write reads a record's ETag, then PATCHes its notes with If-Match, or POSTs a new
record (a copy of a stored one). It prints p50/p95 per route beside the anchor's, and checks
that nothing failed and every write landed: the store's record count grew by the creates, the
history holds one row per edit and per create by the writer, and each edited record holds the
last value written. Exits 1 otherwise. Without --url it adds the writer account itself.
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


READ_ROUTES = {
    "health": "/api/health",
    "lookup": "/api/lookup?q={q}&limit=10",
    "api_search": "/api/search?q={q}&size=10",
    "search_page": "/search?q={q}",
    "record_page": "/record/{rid}",
    "concept_page": "/concept?uri={uri}",
}
WRITER = "loadwriter"


def _socsec(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    out = subprocess.run(
        [SOCSEC, "--quiet", *args], env=env, input=stdin, capture_output=True, text=True
    )
    if out.returncode != 0:
        raise SystemExit(f"socsec {' '.join(args)} failed ({out.returncode}): {out.stderr}")
    return out.stdout


def writer_token(env: dict[str, str]) -> str:
    """Add the writer account (editor) to the served data dir and make it an API token."""
    _socsec(env, "user", "add", WRITER, "--role", "editor", "--password-stdin",
            stdin="load test password\n")  # fmt: skip
    data = json.loads(_socsec(env, "user", "token", "create", WRITER, "--name", "load", "--json"))
    token = data.get("token") if isinstance(data, dict) else None
    if not token:
        raise SystemExit(f"no token in the answer of socsec user token create: {data}")
    return str(token)


def _ids(data_dir: Path) -> tuple[list[str], list[str]]:
    with sqlite3.connect(f"file:{data_dir / 'bibliography.sqlite'}?mode=ro", uri=True) as db:
        rids = [r[0] for r in db.execute("SELECT id FROM records ORDER BY id")]
    with sqlite3.connect(f"file:{data_dir / 'thesaurus.sqlite'}?mode=ro", uri=True) as db:
        uris = [r[0] for r in db.execute("SELECT uri FROM concepts ORDER BY uri")]
    return rids, uris


class Tally:
    """Latencies and errors per route, shared by the load threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.ms: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}
        self.samples: list[str] = []

    def add(self, route: str, ms: float, ok: bool, what: str = "") -> None:
        with self.lock:
            self.ms.setdefault(route, [])
            self.errors.setdefault(route, 0)
            if ok:
                self.ms[route].append(ms)
            else:
                self.errors[route] += 1
                if len(self.samples) < 5:
                    self.samples.append(f"{route}: {what}"[:300])


def _request(
    conn: http.client.HTTPConnection, method: str, path: str, body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:  # fmt: skip
    conn.request(method, path, body=body, headers=headers or {})
    resp = conn.getresponse()
    data = resp.read()
    return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data


def reader(host: str, port: int, n: int, deadline: float, rids: list[str], uris: list[str],
           words: list[str], tally: Tally) -> None:  # fmt: skip
    """GETs round the reader routes (each reader starts at another one) until ``deadline``."""
    rng = random.Random(n)
    names = list(READ_ROUTES)
    conn = http.client.HTTPConnection(host, port, timeout=60)
    i = n
    while time.monotonic() < deadline:
        route = names[i % len(names)]
        i += 1
        path = READ_ROUTES[route].format(
            q=quote(rng.choice(words)), rid=quote(rng.choice(rids), safe=""),
            uri=quote(rng.choice(uris), safe=""),
        )  # fmt: skip
        start = time.perf_counter()
        try:
            status, _h, _b = _request(conn, "GET", path, headers={"Accept": "text/html"})
            ok, what = status == 200, f"{status} {path}"
        except (OSError, http.client.HTTPException) as exc:
            ok, what = False, f"{exc!r} {path}"
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=60)
        tally.add(route, (time.perf_counter() - start) * 1000, ok, what)
    conn.close()


def writer(host: str, port: int, n: int, deadline: float, pool: list[str], token: str,
           tally: Tally, done: dict[str, object]) -> None:  # fmt: skip
    """Edits (GET for the ETag, PATCH notes with If-Match) and creates until ``deadline``.

    ``done`` collects what landed: ``last`` (record id -> last notes written), ``edits`` and
    ``creates`` (counts of 200/201 answers).
    """
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    conn = http.client.HTTPConnection(host, port, timeout=60)
    last: dict[str, str] = {}
    edits = creates = 0
    k = 0
    while time.monotonic() < deadline:
        rid = pool[k % len(pool)]
        k += 1
        try:
            if k % 4 == 0:  # one create for three edits
                start = time.perf_counter()
                status, _h, body = _request(conn, "GET", f"/api/records/{quote(rid, safe='')}")
                record = json.loads(body)
                for key in ("id", "created", "modified", "aliases", "subject_labels"):
                    record.pop(key, None)
                status, _h, body = _request(
                    conn, "POST", "/api/records", json.dumps(record).encode(), auth
                )
                tally.add("write_create", (time.perf_counter() - start) * 1000,
                          status == 201, f"{status} {body[:200]!r}")  # fmt: skip
                creates += status == 201
                continue
            start = time.perf_counter()
            status, headers, _b = _request(conn, "GET", f"/api/records/{quote(rid, safe='')}")
            etag = headers.get("etag", "")
            notes = f"load writer {n} edit {k}"
            status, _h, body = _request(
                conn, "PATCH", f"/api/records/{quote(rid, safe='')}",
                json.dumps({"notes": notes}).encode(), {**auth, "If-Match": etag},
            )  # fmt: skip
            ok = status == 200
            tally.add("write_edit", (time.perf_counter() - start) * 1000, ok,
                      f"{status} {body[:200]!r}")  # fmt: skip
            if ok:
                last[rid] = notes
                edits += 1
        except (OSError, http.client.HTTPException, ValueError) as exc:
            tally.add("write_error", 0.0, False, repr(exc))
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=60)
    conn.close()
    with tally.lock:
        done.setdefault("last", {}).update(last)  # type: ignore[union-attr]
        done["edits"] = int(done.get("edits", 0)) + edits  # type: ignore[call-overload]
        done["creates"] = int(done.get("creates", 0)) + creates  # type: ignore[call-overload]


def landed(data_dir: Path, before: int, done: dict[str, object]) -> dict[str, object]:
    """Whether every acknowledged write is in the store and its history."""
    with sqlite3.connect(f"file:{data_dir / 'bibliography.sqlite'}?mode=ro", uri=True) as db:
        count = db.execute("SELECT COUNT(*) FROM records").fetchone()[0]
        rows = dict(
            db.execute(
                "SELECT h.field, COUNT(*) FROM history h JOIN changes c ON c.id = h.change_id "
                "WHERE c.user = ? AND h.field IN ('notes', '(created)') GROUP BY h.field",
                (WRITER,),
            ).fetchall()
        )
        last = done.get("last", {})
        assert isinstance(last, dict)
        wrong = 0
        for rid, notes in last.items():
            row = db.execute("SELECT data FROM records WHERE id = ?", (rid,)).fetchone()
            wrong += row is None or json.loads(row[0]).get("notes") != notes
    creates, edits = done.get("creates", 0), done.get("edits", 0)
    return {
        "records_before": before,
        "records_after": count,
        "creates_acknowledged": creates,
        "edits_acknowledged": edits,
        "history_created_rows": rows.get("(created)", 0),
        "history_notes_rows": rows.get("notes", 0),
        "records_not_holding_last_edit": wrong,
        "ok": count - before == creates
        and rows.get("(created)", 0) == creates
        and rows.get("notes", 0) == edits
        and wrong == 0,
    }


def mixed(host: str, port: int, data_dir: Path, token: str, seconds: float, readers: int,
          writers: int) -> dict[str, object]:  # fmt: skip
    """Run the mixed load; per-route figures beside the health anchor, and the landing check."""
    rids, uris = _ids(data_dir)
    words = terms(data_dir / "thesaurus.sqlite", 500)
    rng = random.Random(17)
    pools = [rng.sample(rids, 10) for _ in range(writers)]  # disjoint enough: 10 of many
    seen: set[str] = set()
    for pool in pools:  # make them disjoint: two writers on one record would race (412)
        pool[:] = [r for r in pool if r not in seen]
        seen.update(pool)
    tally, done = Tally(), {}
    before = len(rids)
    deadline = time.monotonic() + seconds
    read_args = (host, port, deadline, rids, uris, words, tally)
    threads = [
        threading.Thread(target=reader, args=(read_args[0], read_args[1], i, *read_args[2:]))
        for i in range(readers)
    ]
    threads += [
        threading.Thread(
            target=writer, args=(host, port, i, deadline, pools[i], token, tally, done)
        )
        for i in range(writers)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    anchor = statistics.median(tally.ms.get("health") or [float("nan")])
    routes: dict[str, object] = {}
    for route in [*READ_ROUTES, "write_edit", "write_create", "write_error"]:
        lat = tally.ms.get(route, [])
        if not lat and not tally.errors.get(route):
            continue
        p50 = statistics.median(lat) if lat else float("nan")
        routes[route] = {
            "requests": len(lat),
            "errors": tally.errors.get(route, 0),
            "p50_ms": round(p50, 1),
            "p95_ms": round(percentile(lat, 95), 1),
            "p50_vs_health": round(p50 / anchor, 1) if anchor else None,
        }
    return {"routes": routes, "landed": landed(data_dir, before, done),
            "error_samples": tally.samples}  # fmt: skip


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
    parser.add_argument("--mixed", type=float, metavar="SECONDS", help="mixed read/write load")
    parser.add_argument("--readers", type=int, default=16, help="reader threads (--mixed)")
    parser.add_argument("--writers", type=int, default=2, help="writer threads (--mixed)")
    parser.add_argument("--token", help="writer API token (--mixed with --url)")
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
        if args.mixed:
            _socsec(env, "bib", "list", "--limit", "1")  # initialise the data dir first
            args.token = writer_token(env)
        cmd = [SOCSEC, "--quiet", "serve", "--host", host, "--port", str(port)]
        cmd += ["--workers", str(args.workers)]
        server = subprocess.Popen(cmd, env=env)
    try:
        wait_ready(host, port)
        if args.mixed:
            if data_dir is None or not args.token:
                parser.error("--mixed with --url needs --data-dir and --token")
            result = mixed(host, port, data_dir, args.token, args.mixed, args.readers,
                           args.writers)  # fmt: skip
            result.update(seconds=args.mixed, readers=args.readers, writers=args.writers,
                          workers=args.workers if not args.url else None)  # fmt: skip
            return _report_mixed(result, args.json)
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


def _report_mixed(result: dict[str, object], as_json: bool) -> int:
    routes = result["routes"]
    assert isinstance(routes, dict)
    landed_ok = bool(result["landed"]["ok"])  # type: ignore[index]
    errors = sum(r["errors"] for r in routes.values())
    if as_json:
        print(json.dumps(result))
    else:
        print(f"{result['seconds']:.0f} s, {result['readers']} readers + {result['writers']} "
              f"writers, {result['workers']} server worker(s)")  # fmt: skip
        head = ("route", "requests", "errors", "p50 ms", "p95 ms", "p50/health")
        print(f"{head[0]:<14} " + " ".join(f"{h:>10}" for h in head[1:]))
        for name, r in routes.items():
            cells = (r["requests"], r["errors"], r["p50_ms"], r["p95_ms"], r["p50_vs_health"])
            print(f"{name:<14} " + " ".join(f"{c!s:>10}" for c in cells))
        print("landed:", json.dumps(result["landed"]))
        for sample in result["error_samples"]:  # type: ignore[attr-defined]
            print("error:", sample)
    ok = errors == 0 and landed_ok
    print("OK" if ok else "FAILED: errors or lost writes", file=sys.stderr)
    return 0 if ok else 1


def _has_yes(env: dict[str, str]) -> bool:
    """Whether ``thesaurus import`` knows --yes (a replace that drops concepts may ask)."""
    out = subprocess.run(
        [SOCSEC, "thesaurus", "import", "--help"], env=env, capture_output=True, text=True
    )
    return "--yes" in out.stdout


if __name__ == "__main__":
    raise SystemExit(main())
