"""The in-memory label scan (enrichment's) finds exactly what the plain span-by-span lookup
finds, on the real labels of the bundled EuroVoc extract and real texts."""

from __future__ import annotations

import sqlite3

from socsec.analysis import tokenize
from socsec.bibliography.model import Record
from socsec.indexer.labels import LabelMatcher, SqliteKeys, build_keys, save_keys


def test_memory_scan_equals_span_lookup_on_real_labels(
    thesaurus: object, records: list[Record]
) -> None:
    rows = list(thesaurus.iter_labels())  # type: ignore[attr-defined]
    replacements = thesaurus.replacements()  # type: ignore[attr-defined]
    memory = LabelMatcher(build_keys(rows), replacements)
    conn = sqlite3.connect(":memory:")
    save_keys(conn, "label", build_keys(rows))
    # The reference: for every start, every span length from the longest down, each tier.
    lookup = LabelMatcher(SqliteKeys(conn, "label"), replacements)
    labels = [tokenize(label) for _uri, _lang, _kind, label in rows]
    texts = [tokenize(t) for r in records for t in (r.title, r.abstract) if t]
    # Labels as texts, and run together in pairs: spans that overlap and nest, in fr and es too.
    texts += labels + [a + b for a, b in zip(labels[::2], labels[1::2], strict=False)]
    tiers: set[str] = set()
    found = 0
    for lang in ("en", "fr", "es", None):
        for words in texts:
            got = memory.matches_words(words, lang)
            assert got == lookup.matches_words(words, lang), (lang, words)
            assert memory.find_words(words, lang) == lookup.find_words(words, lang)
            tiers.update(m.match for m in got)
            found += len(got)
    assert tiers == {"exact", "stemmed", "folded"}
    assert found > 10_000
