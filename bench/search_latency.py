"""Search latency over 200 fixed queries on the 100,000-record index, both backends.

Usage (after bench/index_throughput.py has built the indices):
    .venv/bin/python bench/search_latency.py [--es URL]

Each query runs end to end through ``SearchService.search``: query expansion through the
thesaurus, backend search with facets, highlights and subject labels. The queries are
fixed: every 105th preferred label of the full EuroVoc (en/fr/es, 70 queries) and the first
two content words of every 230th NBER title (130 queries). Compared with a raw FTS5 BM25
top-10 query over the same titles and authors.
"""

from __future__ import annotations

import argparse
import csv
import json
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from index_corpus import BENCH_DIR, SHARED, peak_rss_mb, workspace

from socsec.analysis import STOPWORDS, tokenize
from socsec.indexer.base import BackendConfig, SearchBackend
from socsec.indexer.service import SearchRequest, SearchService
from socsec.thesaurus.lookup import ThesaurusCache, get_cache


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


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]


def timed(fn: Callable[[str], object], queries: list[str]) -> list[float]:
    for q in queries:  # warm caches (page cache, stemmers, JIT on the server)
        fn(q)
    out = []
    for q in queries:
        start = time.perf_counter()
        fn(q)
        out.append((time.perf_counter() - start) * 1000)
    return out


def bench_service(backend: SearchBackend, cache: ThesaurusCache, queries: list[str]) -> list[float]:
    svc = SearchService(backend, cache)
    svc._built = True  # the bench index is complete; skip the first-search build check

    def run(q: str) -> object:
        return svc.search(SearchRequest(text=q, facets=True, size=10))

    return timed(run, queries)


def raw_fts(queries: list[str]) -> list[float]:
    path = BENCH_DIR / "raw.sqlite"
    if not path.exists():
        conn = sqlite3.connect(path)
        conn.execute("CREATE VIRTUAL TABLE raw USING fts5(title, authors)")
        with open(BENCH_DIR / "docs.jsonl", encoding="utf-8") as fh:
            rows = (
                (d["display"]["title"], "; ".join(d["display"]["authors"]))
                for d in map(json.loads, fh)
            )
            conn.executemany("INSERT INTO raw VALUES (?, ?)", rows)
        conn.commit()
        conn.close()
    conn = sqlite3.connect(path)

    def run(q: str) -> object:
        match = " ".join('"' + w.replace('"', '""') + '"' for w in tokenize(q))
        return conn.execute(
            "SELECT rowid FROM raw WHERE raw MATCH ? ORDER BY rank LIMIT 10", (match,)
        ).fetchall()

    return timed(run, queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--es", help="Elasticsearch URL (default: skip ES)")
    args = parser.parse_args()
    ws = workspace()
    with get_cache(ws) as cache:
        queries = fixed_queries(cache)
        raw_p50, raw_p95 = percentiles(raw_fts(queries))
        print(f"raw FTS5 BM25 top-10: p50 {raw_p50:.2f} ms, p95 {raw_p95:.2f} ms")
        from socsec.indexer.sqlite_fts import SqliteBackend

        sqlite = SqliteBackend(BackendConfig(index_path=BENCH_DIR / "index.sqlite"))
        p50, p95 = percentiles(bench_service(sqlite, cache, queries))
        print(
            f"sqlite (socsec, expansion+facets+highlights): p50 {p50:.2f} ms, p95 {p95:.2f} ms"
            f" (target p50 <= 10, p95 <= 50); ratio to raw p50: {p50 / raw_p50:.0f}x"
        )
        if args.es:
            from socsec.indexer.elastic import ElasticBackend

            es = ElasticBackend(BackendConfig(url=args.es, index="bench-socsec"))
            p50, p95 = percentiles(bench_service(es, cache, queries))
            print(f"elasticsearch (socsec): p50 {p50:.2f} ms, p95 {p95:.2f} ms (target p50 <= 30)")
    print(f"peak RSS: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
