"""Scale bench: N records on a 3-node Elasticsearch cluster and on SQLite, in one run.

Usage:
    export SOCSEC_ES_STATE_DIR=/tmp/socsec-es-cluster
    scripts/elasticsearch start --nodes 3
    .venv/bin/python bench/scale.py --n 300000 --es "$(scripts/elasticsearch url --all)"

The corpus is bench/index_corpus.py's: the 30,083 real NBER papers and 1,316 EUR-Lex acts,
repeated with new ids ("<id>~<n>") up to N; the thesaurus is the full EuroVoc. Steps, each
printed with its figure:

1. enrichment records/s, serial vs ``index.workers`` processes, on the same first 20,000
   records (anchor: serial, same run); then all N documents prepared once into a JSONL file;
2. indexing docs/s of the same prepared documents on the cluster (3 shards, replicas added
   after the load): raw ``helpers.bulk``, raw ``helpers.parallel_bulk`` (2 threads), socsec
   streaming (1 bulk in flight) and socsec with 2 bulk threads, in that order and back
   (A B C D D C B A; medians of the two runs);
3. end-to-end ``socsec index rebuild`` (store -> enrichment -> cluster, alias switch) in a
   child process: wall time and peak RSS (of the process and its enrichment workers);
4. search p50/p95 over the 200 fixed bench queries through SearchService on the cluster and
   on the SQLite backend (same documents);
5. disk sizes: the Elasticsearch index (primaries and with replicas), the SQLite index and the
   bibliography store.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from corpus_store import make
from index_corpus import BENCH_DIR, corpus, peak_rss_mb
from index_throughput import doc_to_json
from index_throughput import read_docs as read_all
from search_latency import bench_service, fixed_queries, percentiles

from socsec.indexer.base import BackendConfig, IndexDoc
from socsec.indexer.documents import Enricher
from socsec.indexer.parallel import enrich_parallel
from socsec.thesaurus.lookup import get_cache

ALIAS = "bench-scale"


def enrichment(ws: object, n: int, workers: int, docs_path: Path) -> None:
    with get_cache(ws) as cache:  # type: ignore[arg-type]
        enricher = Enricher(cache)
        _ = enricher.matcher
        sample = list(corpus(min(n, 20_000)))
        start = time.perf_counter()
        for _d in enricher.enrich_all(sample):
            pass
        serial = len(sample) / (time.perf_counter() - start)
        start = time.perf_counter()
        for _d in enrich_parallel(enricher, cache.path, iter(sample), workers):
            pass
        par = len(sample) / (time.perf_counter() - start)
        print(
            f"enrichment serial: {serial:,.0f} records/s; {workers} workers: {par:,.0f} "
            f"records/s ({par / serial:.2f}x, same {len(sample)} records, same run)"
        )
        if docs_path.exists() and sum(1 for _ in docs_path.open()) == n:
            return
        start = time.perf_counter()
        with docs_path.open("w", encoding="utf-8") as fh:
            for doc in enrich_parallel(enricher, cache.path, corpus(n), workers):
                fh.write(doc_to_json(doc) + "\n")
        print(f"prepared {n} documents in {time.perf_counter() - start:.0f} s")


def indexing(url: str, all_docs: Path, n: int) -> None:
    from elasticsearch import helpers

    def read_docs(_path: Path) -> Iterator[IndexDoc]:
        return islice(read_all(all_docs), n)

    docs_path = all_docs

    from socsec.indexer.elastic import ElasticBackend, _source, index_body

    def socsec(threads: int) -> float:
        b = ElasticBackend(
            BackendConfig(url=url, index=ALIAS, shards=3, replicas=1, bulk_threads=threads)
        )
        report = b.rebuild(read_docs(docs_path), {"last_build": "bench"})
        b.close()
        return report.indexed / report.seconds

    probe = ElasticBackend(BackendConfig(url=url, index=ALIAS))
    client = probe.bulk_client

    def raw(parallel: bool) -> float:
        name = "bench-raw"
        client.indices.delete(index=name, ignore_unavailable=True)
        body = index_body(folding=probe.has_folding(), shards=3, replicas=0)
        body["settings"]["refresh_interval"] = "-1"
        client.indices.create(index=name, settings=body["settings"], mappings=body["mappings"])
        start = time.perf_counter()
        actions = (
            {"_index": name, "_id": d.id, "_source": _source(d)} for d in read_docs(docs_path)
        )
        if parallel:
            ok = sum(
                1
                for good, _ in helpers.parallel_bulk(
                    client, actions, thread_count=2, chunk_size=500
                )
                if good
            )
        else:
            ok, _ = helpers.bulk(client, actions, chunk_size=500)
        client.indices.put_settings(
            index=name, settings={"index": {"refresh_interval": None, "number_of_replicas": 1}}
        )
        client.cluster.health(index=name, wait_for_status="green", timeout="120s")
        client.indices.refresh(index=name)
        rate = ok / (time.perf_counter() - start)
        client.indices.delete(index=name)
        return rate

    runs: dict[str, list[float]] = {
        k: [] for k in ("raw bulk", "raw parallel_bulk", "socsec streaming", "socsec 2 threads")
    }
    order = ["raw bulk", "raw parallel_bulk", "socsec streaming", "socsec 2 threads"]
    # BENCH_VARIANTS: a subset, for a long run (e.g. the fastest raw and socsec ones only)
    wanted = os.environ.get("BENCH_VARIANTS")
    if wanted:
        order = [name for name in order if name in wanted.split(",")]
    fns = {
        "raw bulk": lambda: raw(False),
        "raw parallel_bulk": lambda: raw(True),
        "socsec streaming": lambda: socsec(1),
        "socsec 2 threads": lambda: socsec(2),
    }
    rounds = int(os.environ.get("BENCH_ROUNDS", "2"))
    for r in range(rounds):
        for name in order if r % 2 == 0 else reversed(order):
            rate = fns[name]()
            runs[name].append(rate)
            print(f"  {name}: {rate:,.0f} docs/s")
    med = {k: statistics.median(v) for k, v in runs.items() if v}
    best_raw = max(v for k, v in med.items() if k.startswith("raw"))
    best_socsec = max(v for k, v in med.items() if k.startswith("socsec"))
    for k, v in med.items():
        print(f"indexing {k}: {v:,.0f} docs/s (median of {len(runs[k])}, {n} documents)")
    print(f"ratio best socsec / best raw: {best_socsec / best_raw:.2f}x (target >= 0.9x)")
    probe.close()


def end_to_end(data_dir: Path, url: str, workers: int) -> None:
    config = data_dir / "config.toml"
    config.write_text(
        f'backend = "elasticsearch"\n[elasticsearch]\nurl = "{url}"\nindex = "{ALIAS}-e2e"\n'
        f'shards = "3"\nreplicas = "1"\nbulk_threads = "2"\n[index]\nworkers = "{workers}"\n',
        encoding="utf-8",
    )
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "socsec", "--data-dir", str(data_dir), "-q", "index", "rebuild"],
        check=True,
    )
    seconds = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"end-to-end socsec index rebuild: {seconds:.0f} s; peak RSS of the largest "
        f"process (socsec or a worker): {rss:.0f} MB (target < 500 MB)"
    )


def searching(ws: object, url: str, docs_path: Path) -> None:
    from socsec.indexer.elastic import ElasticBackend
    from socsec.indexer.sqlite_fts import SqliteBackend

    sqlite_path = BENCH_DIR / f"scale-index-{sum(1 for _ in docs_path.open())}.sqlite"
    sqlite = SqliteBackend(BackendConfig(index_path=sqlite_path))
    if sqlite.count() != sum(1 for _ in docs_path.open()):
        start = time.perf_counter()
        sqlite.rebuild(read_all(docs_path), {"last_build": "bench", "thesaurus_version": "b"})
        print(
            f"SQLite index built from the prepared documents in {time.perf_counter() - start:.0f} s"
        )
    with get_cache(ws) as cache:  # type: ignore[arg-type]
        queries = fixed_queries(cache)
        es = ElasticBackend(BackendConfig(url=url, index=f"{ALIAS}-e2e"))
        for name, backend in (("cluster", es), ("sqlite", sqlite)):
            p50, p95 = percentiles(bench_service(backend, cache, queries, ws))  # type: ignore[arg-type]
            print(f"search {name}: p50 {p50:.1f} ms, p95 {p95:.1f} ms (200 queries, facets)")
        sizes = es.bulk_client.cat.indices(
            index=f"{ALIAS}-e2e", h="pri.store.size,store.size", bytes="mb", format="json"
        ).body
        es.close()
    print(
        f"disk: Elasticsearch primaries {sizes[0]['pri.store.size']} MB, with replicas "
        f"{sizes[0]['store.size']} MB; SQLite index {sqlite_path.stat().st_size / 1e6:.0f} MB"
    )
    sqlite.close()


def stamp(what: str) -> None:
    """Print ``what`` with the UTC time, so a long run's log shows where time went."""
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())} UTC] {what}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--es", required=True, help="the cluster's node URLs, comma-separated")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip", default="", help="steps to skip: enrich,index,e2e,search")
    parser.add_argument(
        "--index-n", type=int, default=0, help="documents for the indexing comparison (all: 0)"
    )
    args = parser.parse_args()
    skip = set(args.skip.split(","))
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    data_dir = BENCH_DIR / f"scale-{args.n}"
    ws = make(data_dir, args.n)
    store_mb = ws.bibliography_db.stat().st_size / 1e6
    print(
        f"corpus: {args.n} records (real NBER + EUR-Lex, repeated with new ids); "
        f"store {store_mb:.0f} MB"
    )
    docs_path = BENCH_DIR / f"scale-{args.n}.jsonl"
    # The figures that need all N first (rebuild, search), the indexing comparison last.
    if "enrich" not in skip:
        enrichment(ws, args.n, args.workers, docs_path)
        stamp("enrichment done")
    if "e2e" not in skip:
        end_to_end(data_dir, args.es, args.workers)
        stamp("rebuild done")
    if "search" not in skip:
        searching(ws, args.es, docs_path)
        stamp("search done")
    if "index" not in skip:
        indexing(args.es, docs_path, args.index_n or args.n)
        stamp("indexing done")
    print(f"peak RSS of the bench process: {peak_rss_mb():.0f} MB")
    print(json.dumps({"n": args.n}))


if __name__ == "__main__":
    main()
