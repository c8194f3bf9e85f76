"""Indexing throughput on 100,000 real records: socsec backends vs raw ``helpers.bulk``.

Usage:
    .venv/bin/python bench/index_throughput.py [--n 100000] [--es URL]

Steps: enrich the corpus (bench/index_corpus.py) once into a JSONL file of prepared
documents; index that file with the sqlite backend (rebuild), with the Elasticsearch backend
(rebuild: new index, alias switch) and with raw ``elasticsearch.helpers.bulk`` of the same
documents into an index with the same mapping. Prints docs/s, the ratio socsec/raw and peak
RSS. The socsec ES index is kept (alias ``bench-socsec``) for bench/search_latency.py.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from index_corpus import BENCH_DIR, corpus, peak_rss_mb, workspace

from socsec.indexer.base import BackendConfig, IndexDoc
from socsec.indexer.documents import Enricher
from socsec.thesaurus.lookup import get_cache

DOCS = BENCH_DIR / "docs.jsonl"
ES_ALIAS = "bench-socsec"


def doc_to_json(doc: IndexDoc) -> str:
    return json.dumps(doc.__dict__, ensure_ascii=False, default=list)


def read_docs(path: Path = DOCS) -> Iterator[IndexDoc]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            for key in ("author_keys", "subjects", "ancestors", "detected", "notations"):
                d[key] = tuple(d[key])
            yield IndexDoc(**d)


def prepare(n: int) -> tuple[int, float]:
    ws = workspace()
    with get_cache(ws) as cache:
        enricher = Enricher(cache)
        _ = enricher.matcher  # label index built once, outside the timed loop
        start = time.perf_counter()
        count = 0
        with DOCS.open("w", encoding="utf-8") as fh:
            for doc in enricher.enrich_all(corpus(n)):
                fh.write(doc_to_json(doc) + "\n")
                count += 1
        return count, time.perf_counter() - start


def bench_sqlite() -> float:
    from socsec.indexer.sqlite_fts import SqliteBackend

    backend = SqliteBackend(BackendConfig(index_path=BENCH_DIR / "index.sqlite"))
    report = backend.rebuild(read_docs(), {"last_build": "bench", "thesaurus_version": "bench"})
    backend.close()
    return report.indexed / report.seconds


def bench_es(url: str) -> tuple[float, float]:
    """Docs/s of the socsec ES rebuild and of raw helpers.bulk, interleaved (A B B A)."""
    from elasticsearch import Elasticsearch, helpers

    from socsec.indexer.elastic import ElasticBackend, _source, index_body

    backend = ElasticBackend(BackendConfig(url=url, index=ES_ALIAS))
    client: Elasticsearch = backend.client
    # Warm the JVM with a small throwaway load so neither timed run pays for it.
    warm = ElasticBackend(BackendConfig(url=url, index="bench-warmup"))
    warm.rebuild((d for i, d in zip(range(5000), read_docs(), strict=False)), {})
    warm.drop()

    def socsec() -> float:
        report = backend.rebuild(read_docs(), {"last_build": "bench", "thesaurus_version": "b"})
        return report.indexed / report.seconds

    def raw() -> float:
        name = "bench-raw"
        if client.indices.exists(index=name):
            client.indices.delete(index=name)
        body = index_body(folding=backend.has_folding())
        client.indices.create(index=name, settings=body["settings"], mappings=body["mappings"])
        start = time.perf_counter()
        actions = ({"_index": name, "_id": d.id, "_source": _source(d)} for d in read_docs())
        ok, _errors = helpers.bulk(client, actions, chunk_size=500)
        client.indices.refresh(index=name)
        rate = ok / (time.perf_counter() - start)
        client.indices.delete(index=name)
        return rate

    runs = [socsec(), raw(), raw(), socsec()]
    for label, rate in zip(("socsec", "raw", "raw", "socsec"), runs, strict=True):
        print(f"  run {label}: {rate:,.0f} docs/s")
    backend.close()
    return (runs[0] + runs[3]) / 2, (runs[1] + runs[2]) / 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--es", help="Elasticsearch URL (default: skip ES)")
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    parser.add_argument("--reuse", action="store_true", help="reuse the prepared docs.jsonl")
    args = parser.parse_args()
    if args.reuse and DOCS.exists():
        n, seconds = sum(1 for _ in DOCS.open(encoding="utf-8")), 0.0
    else:
        n, seconds = prepare(args.n)
    if seconds:
        print(f"enrichment: {n} records in {seconds:.1f} s = {n / seconds:,.0f} records/s")
    rate = bench_sqlite()
    print(f"sqlite rebuild: {rate:,.0f} docs/s ({n / rate:.1f} s)")
    if args.es:
        socsec_rate, raw_rate = bench_es(args.es)
        print(
            f"elasticsearch rebuild (socsec): {socsec_rate:,.0f} docs/s ({n / socsec_rate:.1f} s)"
        )
        print(f"elasticsearch raw helpers.bulk: {raw_rate:,.0f} docs/s")
        print(f"ratio socsec/raw: {socsec_rate / raw_rate:.2f}x (target >= 0.8x)")
    print(f"peak RSS: {peak_rss_mb():.0f} MB (target < 500 MB)")


if __name__ == "__main__":
    main()
