"""Latency of a search by concept alone (``socsec search --concept``) on the sqlite backend.

Usage (the index is built on first run, as bench/search_latency.py builds it):
    SOCSEC_BENCH_DIR=/tmp/socsec-bench .venv/bin/python bench/concept_search.py [--size 10000]

The concepts are fixed: the 10 concepts most records hold or name, then every 7th of the
others held or named by at least 5 records (30 in all). Each runs end to end through
``SearchService.search`` with facets, beside the same-run anchors: the text search of the
concept's English label (what a user would type instead) and a raw FTS5 BM25 top-10 query
over titles and authors. Medians and p95 of interleaved runs, wall and CPU ms.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from index_corpus import workspace
from search_latency import bench_service, build_indices, percentiles, raw_fts, timed

from socsec.indexer.base import BackendConfig
from socsec.indexer.service import VOCABULARY_FILE, SearchRequest, SearchService
from socsec.indexer.sqlite_fts import SqliteBackend
from socsec.thesaurus.lookup import get_cache


def fixed_concepts(index: Path) -> list[str]:
    """The benchmark concepts (deterministic for one index)."""
    conn = sqlite3.connect(index)
    rows = conn.execute(
        "SELECT uri, count(DISTINCT rid) AS n FROM doc_concepts GROUP BY uri "
        "HAVING n >= 5 ORDER BY n DESC, uri"
    ).fetchall()
    conn.close()
    uris = [u for u, _n in rows]
    return uris[:10] + uris[10::7][:20]


def main() -> None:
    """Time concept searches beside the label's text search and raw FTS5."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000, help="corpus size")
    args = parser.parse_args()
    ws = workspace()
    path = build_indices(ws, [args.size])[args.size]
    concepts = fixed_concepts(path)
    with get_cache(ws) as cache:
        labels = {u: cache.pref_label(u, "en") for u in concepts}
        backend = SqliteBackend(BackendConfig(index_path=path))
        svc = SearchService(backend, cache, vocabulary=ws.root / VOCABULARY_FILE)
        svc._built = True  # the bench index is complete
        text = bench_service(backend, cache, ws)
        raw = raw_fts(args.size)

        def by_concept(uri: str) -> object:
            return svc.search(SearchRequest(concept=uri, facets=True, size=10))

        totals = {u: svc.search(SearchRequest(concept=u, size=1)).total for u in concepts}
        out = timed(
            {
                "concept": by_concept,
                "text of its label": lambda u: text(labels[u]),
                "raw FTS5": lambda u: raw(labels[u]),
            },
            concepts,
        )
        backend.close()
    print(f"{args.size} records, {len(concepts)} concepts, hits per concept: median "
          f"{sorted(totals.values())[len(totals) // 2]}, max {max(totals.values())}")  # fmt: skip
    anchor = percentiles(out["raw FTS5"][0])[0]
    for name, (wall, cpu) in out.items():
        p50, p95 = percentiles(wall)
        print(
            f"{name:18} wall p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  cpu p50 "
            f"{percentiles(cpu)[0]:7.2f} ms  p50 / raw FTS5 {p50 / anchor:6.1f}x"
        )


if __name__ == "__main__":
    main()
