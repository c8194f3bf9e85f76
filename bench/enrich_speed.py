"""Enrichment records/s: the ASCII fast path of fold/tokenize against the general path.

Usage:
    .venv/bin/python bench/enrich_speed.py [--n 20000]

Both run in this process on the same first N distinct real records (NBER + EUR-Lex), in the
order A B B A with the word caches cleared before each run; prints each run and the ratio of
medians (the anchor is the general path, same run).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from index_corpus import corpus, workspace

from socsec import analysis
from socsec.indexer import documents
from socsec.indexer.documents import Enricher
from socsec.thesaurus.lookup import get_cache

FAST = (analysis.fold, analysis.tokenize)


def general_fold(text: str) -> str:
    text = analysis._ELISION.sub(lambda m: m.group(0)[:-1] + " ", text)
    decomposed = unicodedata.normalize("NFKD", text.translate(analysis._LIGATURES).casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(analysis._WORD.findall(stripped))


def general_tokenize(text: str) -> list[str]:
    text = analysis._ELISION.sub(lambda m: m.group(0)[:-1] + " ", text)
    text = unicodedata.normalize("NFC", text.translate(analysis._LIGATURES).casefold())
    return list(analysis._WORD.findall(text))


def use(fold: object, tokenize: object) -> None:
    for module in (analysis, documents):
        module.fold = fold  # type: ignore[attr-defined]
        module.tokenize = tokenize  # type: ignore[attr-defined]
    documents._variants.cache_clear()
    documents._canon_word.cache_clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000)
    args = parser.parse_args()
    records = list(corpus(args.n))
    runs: dict[str, list[float]] = {"general": [], "fast": []}
    with get_cache(workspace()) as cache:
        for name in ("general", "fast", "fast", "general"):
            use(*(FAST if name == "fast" else (general_fold, general_tokenize)))
            enricher = Enricher(cache)
            _ = enricher.matcher
            start = time.perf_counter()
            for _d in enricher.enrich_all(records):
                pass
            rate = len(records) / (time.perf_counter() - start)
            runs[name].append(rate)
            print(f"  {name}: {rate:,.0f} records/s")
    fast, general = statistics.median(runs["fast"]), statistics.median(runs["general"])
    print(
        f"enrichment fast path {fast:,.0f} vs general {general:,.0f} records/s: "
        f"{fast / general:.2f}x (same {len(records)} records, same run)"
    )


if __name__ == "__main__":
    main()
