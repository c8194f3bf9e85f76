"""Search latency over 200 fixed queries at 10,000 and 100,000 records, both backends.

Usage (the sqlite indices are built on first run; the ES one by bench/index_throughput.py):
    SOCSEC_BENCH_DIR=/tmp/socsec-bench .venv/bin/python bench/search_latency.py [--es URL]

Prints, per corpus size, the library call (p50, p95) beside a raw FTS5 BM25 top-10 query
over the same titles and authors (the same-run anchor), and the growth of p95 from 10k to
100k. Then the whole process `socsec search pension` at 100k (fast path and full CLI) beside
`python -c pass` (medians of interleaved runs, wall and CPU time).

Each query runs end to end through ``SearchService.search``: query expansion through the
thesaurus, backend search with facets, highlights and subject labels. The queries are
fixed: every 105th preferred label of the full EuroVoc (en/fr/es, 70 queries) and the first
two content words of every 230th NBER title (130 queries). Compared with a raw FTS5 BM25
top-10 query over the same titles and authors.
"""

from __future__ import annotations

import argparse
import csv
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from index_corpus import BENCH_DIR, SHARED, corpus, peak_rss_mb, workspace

from socsec.analysis import STOPWORDS, tokenize
from socsec.indexer.base import BackendConfig, SearchBackend
from socsec.indexer.service import VOCABULARY_FILE, SearchRequest, SearchService
from socsec.thesaurus.lookup import ThesaurusCache, get_cache
from socsec.workspace import Workspace


def fixed_queries(cache: ThesaurusCache) -> list[str]:
    """The 200 benchmark queries (deterministic)."""
    prefs = sorted((label, lang) for _u, lang, kind, label in cache.iter_labels() if kind == "pref")
    by_lang = {lg: [lb for lb, t in prefs if t == lg] for lg in ("en", "fr", "es")}
    labels = []
    for i in range(70):
        lang = ("en", "fr", "es")[i % 3]
        labels.append(by_lang[lang][(i * 105) % len(by_lang[lang])])
    titles = [
        r["title"] for r in csv.DictReader(open(SHARED / "nber/papers.csv", encoding="utf-8"))
    ]
    words = []
    for title in titles[::230][:130]:
        content = [w for w in tokenize(title) if len(w) > 3 and w not in STOPWORDS["en"]]
        words.append(" ".join(content[:2]) or title)
    return labels + words


Samples = tuple[list[float], list[float]]  # wall ms, CPU ms per query


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]


def timed(fns: dict[str, Callable[[str], object]], queries: list[str]) -> dict[str, Samples]:
    """Wall and CPU ms of each function on each query, the functions interleaved per query.

    Interleaving puts a query and its anchor under the same load; CPU time (this process
    only) moves less than wall time when other processes compete for the cores.
    """
    for q in queries:  # warm caches (page cache, stemmers, JIT on the server)
        for fn in fns.values():
            fn(q)
    out: dict[str, Samples] = {name: ([], []) for name in fns}
    for q in queries:
        for name, fn in fns.items():
            start, cpu = time.perf_counter(), time.process_time()
            fn(q)
            out[name][0].append((time.perf_counter() - start) * 1000)
            out[name][1].append((time.process_time() - cpu) * 1000)
    return out


def bench_service(
    backend: SearchBackend, cache: ThesaurusCache, ws: Workspace
) -> Callable[[str], object]:
    """One search as the faces run it: understanding, facets, highlights, labels."""
    svc = SearchService(backend, cache, vocabulary=ws.root / VOCABULARY_FILE)
    svc._built = True  # the bench index is complete; skip the first-search build check

    def run(q: str) -> object:
        return svc.search(SearchRequest(text=q, facets=True, size=10))

    return run


def build_indices(ws: Workspace, sizes: list[int]) -> dict[int, Path]:
    """A sqlite index and a raw FTS5 table per corpus size (built once, kept in BENCH_DIR)."""
    from socsec.indexer.documents import ANALYSIS_VERSION, Enricher
    from socsec.indexer.sqlite_fts import SqliteBackend
    from socsec.indexer.vocab import Vocabulary

    paths = {}
    with get_cache(ws) as cache:
        vocab = Vocabulary.open(ws.root / VOCABULARY_FILE, cache)
        for n in sizes:
            path = ws.index_db if n == max(sizes) else BENCH_DIR / f"index-{n}.sqlite"
            paths[n] = path
            if path.exists():
                continue
            enricher = Enricher(cache, _matcher=vocab.memory_matcher())
            docs = list(enricher.enrich_all(corpus(n)))
            meta = {"last_build": "bench", "analysis_version": ANALYSIS_VERSION}
            backend = SqliteBackend(BackendConfig(index_path=path))
            backend.rebuild(docs, meta)
            backend.set_meta({"record_languages": "en"})
            backend.close()
            raw = sqlite3.connect(BENCH_DIR / f"raw-{n}.sqlite")
            raw.execute("CREATE VIRTUAL TABLE raw USING fts5(title, authors)")
            raw.executemany(
                "INSERT INTO raw VALUES (?, ?)",
                (
                    (str(d.display["title"]), "; ".join(map(str, d.display["authors"])))  # type: ignore[call-overload]
                    for d in docs
                ),
            )
            raw.commit()
            raw.close()
        vocab.close()
    return paths


def raw_fts(n: int) -> Callable[[str], object]:
    """The anchor: a raw FTS5 BM25 top-10 query over the same titles and authors."""
    conn = sqlite3.connect(BENCH_DIR / f"raw-{n}.sqlite")

    def run(q: str) -> object:
        match = " ".join('"' + w.replace('"', '""') + '"' for w in tokenize(q))
        return conn.execute(
            "SELECT rowid FROM raw WHERE raw MATCH ? ORDER BY rank LIMIT 10", (match,)
        ).fetchall()

    return run


def whole_process(ws: Workspace, runs: int = 7) -> dict[str, tuple[float, float]]:
    """Medians (wall ms, CPU ms) of `socsec search pension` at 100k, interleaved.

    Three commands: the fast path, the full Typer CLI (``SOCSEC_NO_FAST_PATH=1``) and the
    anchor ``python -c pass``. Run as installed: bytecode is cached (an environment with
    PYTHONDONTWRITEBYTECODE would recompile every module of socsec on every run). CPU time
    (user + system of the child) moves less than wall time on a shared machine.
    """
    import os
    import resource

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    socsec = [sys.executable, "-m", "socsec", "--data-dir", str(ws.root), "search", "pension"]
    commands = {
        "fast path": (socsec, env),
        "typer": (socsec, {**env, "SOCSEC_NO_FAST_PATH": "1"}),
        "python -c pass": ([sys.executable, "-c", "pass"], env),
    }
    for cmd, cmd_env in commands.values():  # builds the query vocabulary, writes bytecode
        subprocess.run(cmd, capture_output=True, check=True, env=cmd_env)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, (cmd, cmd_env) in commands.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(cmd, capture_output=True, check=True, env=cmd_env)
            wall = (time.perf_counter() - start) * 1000
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000
            times[name].append((wall, cpu))
    return {
        name: (statistics.median(w for w, _c in v), statistics.median(c for _w, c in v))
        for name, v in times.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--es", help="Elasticsearch URL (default: skip ES)")
    parser.add_argument("--sizes", default="10000,100000", help="corpus sizes")
    args = parser.parse_args()
    ws = workspace()
    sizes = [int(x) for x in args.sizes.split(",")]
    paths = build_indices(ws, sizes)
    p95s: dict[int, tuple[float, float]] = {}
    with get_cache(ws) as cache:
        queries = fixed_queries(cache)
        from socsec.indexer.sqlite_fts import SqliteBackend

        for n in sizes:
            sqlite = SqliteBackend(BackendConfig(index_path=paths[n]))
            runs = timed({"raw": raw_fts(n), "socsec": bench_service(sqlite, cache, ws)}, queries)
            for clock, i in (("wall", 0), ("CPU", 1)):
                raw_p50, raw_p95 = percentiles(runs["raw"][i])
                p50, p95 = percentiles(runs["socsec"][i])
                p95s.setdefault(n, (p95, p95))
                if i:
                    p95s[n] = (p95s[n][0], p95)
                print(
                    f"{n:>7} records ({clock}): raw FTS5 BM25 top-10 p50 {raw_p50:.2f} ms,"
                    f" p95 {raw_p95:.2f} ms; socsec sqlite (understanding+facets+highlights)"
                    f" p50 {p50:.2f} ms, p95 {p95:.2f} ms; p50 ratio to raw {p50 / raw_p50:.1f}x"
                    " (targets at 100k: <= 10x, p95 <= 10 ms)"
                )
        if len(sizes) > 1:
            lo, hi = min(sizes), max(sizes)
            for clock, i in (("wall", 0), ("CPU", 1)):
                growth = p95s[hi][i] / p95s[lo][i]
                print(f"p95 growth {lo}->{hi} ({clock}): {growth:.1f}x for {hi / lo:.0f}x records")
        if args.es:
            from socsec.indexer.elastic import ElasticBackend

            es = ElasticBackend(BackendConfig(url=args.es, index="bench-socsec"))
            walls = timed({"es": bench_service(es, cache, ws)}, queries)["es"][0]
            p50, p95 = percentiles(walls)
            print(f"elasticsearch (socsec): p50 {p50:.2f} ms, p95 {p95:.2f} ms (target p50 <= 30)")
    figures = whole_process(ws)
    anchor_wall, anchor_cpu = figures["python -c pass"]
    for name, (wall, cpu) in figures.items():
        print(
            f"whole process `socsec search pension` at {max(sizes)} ({name}): wall {wall:.0f} ms"
            f" ({wall / anchor_wall:.1f}x python -c pass), CPU {cpu:.0f} ms"
            f" ({cpu / anchor_cpu:.1f}x); target <= 100 ms"
        )
    print(f"peak RSS: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
