"""Lookup answers written by parts (socsec.web.hits_json) are the bytes json.dumps writes.

A third of the bundled thesaurus's labels, a prefix and a shorter form of each, looked up
in the in-memory index with one fragments dict shared by all the answers (as the server
keeps it), and with none.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from socsec.thesaurus.hits import LookupHit, MatchKind
from socsec.thesaurus.label_index import IndexedCache
from socsec.web.hits_json import encode_hits
from socsec.web.views import LANGS


def _dumps(hits: list[LookupHit], langs: tuple[str, ...] = LANGS) -> bytes:
    data = [h.to_json(langs) for h in hits]
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def test_answers_by_parts_are_json_dumps_bytes(_workspace_template: Path) -> None:
    with IndexedCache.open(_workspace_template / "thesaurus.sqlite") as cache:
        labels = [r[0] for r in cache._conn.execute("SELECT label FROM labels ORDER BY rowid")]
        fragments = cache.fragments
        notations = 0
        for label in labels[::3]:
            for term in (label, label[: max(3, len(label) // 2)], label[1:]):
                hits = cache.lookup(term, limit=20)
                expected = _dumps(hits)
                assert encode_hits(hits, LANGS, fragments) == expected
                assert encode_hits(hits, LANGS) == expected
                notations += sum(h.notation is not None for h in hits)
        concepts = cache._conn.execute("SELECT count(*) FROM concepts").fetchone()[0]
        assert 0 < len(fragments) <= concepts  # one part per concept named
        assert notations  # (no deprecated concept here: replacements are checked below)


def test_odd_values_are_spelt_as_json_dumps_spells_them() -> None:
    hit = LookupHit(
        uri='http://x/"1"\\',
        match=MatchKind.fuzzy,
        matched_label="é\u2028\x00\ttab",
        matched_lang="",
        matched_kind="alt",
        score=0.1 + 0.2,
        pref={"en": "a\nb", "xx": "ignored"},
        alt={"fr": ["ç", '"q"']},
        notation="1.2",
        schemes=("http://s/1", "http://s/2"),
        deprecated=True,
        replaced_by=(("http://x/2", "two"),),
    )
    for score in (0.1 + 0.2, 100, 1e-7, 1e22, math.nan, math.inf, True):
        other = hit._replace(uri="http://x/3", score=score, deprecated=False, notation=None)
        case = [hit._replace(score=score), other, hit._replace(score=score, match=MatchKind.exact)]
        assert encode_hits(case, LANGS, {}) == _dumps(case)
        assert encode_hits(case, ("fr",)) == _dumps(case, ("fr",))
    assert encode_hits([], LANGS) == b"[]"
