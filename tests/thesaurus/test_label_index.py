"""The in-memory lookup engine (IndexedCache) answers exactly as the SQL engine does.

Both engines run the same ladder; only the row sources differ, so any difference in row
order, filtering or scoring shows up as a different answer here. The terms are the
thesaurus's own labels and what users type from them: prefixes, a swapped letter (typos),
plurals, lowercase, words reordered, with and without language and scheme limits.
"""

from __future__ import annotations

import csv
import random
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from socsec.analysis import SUPPORTED_LANGUAGES
from socsec.app.thesaurus import edit_concept
from socsec.thesaurus.curation import LabelEdit
from socsec.thesaurus.label_index import IndexedCache
from socsec.thesaurus.lookup import ThesaurusCache, get_cache
from socsec.thesaurus.manage import import_file
from socsec.workspace import Workspace

from .conftest import EUROVOC_FULL, make_ws

JUDGED = Path(__file__).parent.parent / "data" / "lookup-judged" / "judged.tsv"
SOCIAL_PROTECTION = "http://eurovoc.europa.eu/100214"
EARLY = "http://eurovoc.europa.eu/3626"  # early retirement


def _labels(db: Path, where: str = "") -> list[str]:
    with sqlite3.connect(db) as conn:
        return [r[0] for r in conn.execute(f"SELECT label FROM labels {where} ORDER BY rowid")]


def _derived(label: str, rng: random.Random) -> Iterator[str]:
    """What a user types from a label: a prefix, a typo, a plural, lowercase, reordered."""
    yield label[: rng.randint(1, len(label))]
    if len(label) > 4:
        i = rng.randrange(len(label) - 1)
        yield label[:i] + label[i + 1] + label[i] + label[i + 2 :]
    yield label + "s"
    yield label.lower()
    words = label.split()
    if len(words) > 1:
        yield " ".join(reversed(words))


def _differences(
    db: Path, terms: list[str], options: list[dict[str, object]]
) -> list[tuple[str, dict[str, object]]]:
    sql, memory = ThesaurusCache.open(db), IndexedCache.open(db)
    try:
        return [
            (term, opts)
            for term in terms
            for opts in options
            if sql.lookup(term, **opts) != memory.lookup(term, **opts)  # type: ignore[arg-type]
        ]
    finally:
        sql.close()
        memory.close()


OPTIONS: list[dict[str, object]] = [
    {},
    {"lang": "fr"},
    {"lang": "es-ES", "limit": 3},
    {"scheme": SOCIAL_PROTECTION, "limit": 5},
]


def test_same_answers_on_the_bundled_thesaurus(bundled_root: Path) -> None:
    db = bundled_root / "thesaurus.sqlite"
    rng = random.Random(19)
    labels = _labels(db)  # every language, the UNESCO add-on's labels too
    terms = list(dict.fromkeys([*labels, *(t for lb in labels for t in _derived(lb, rng))]))
    with JUDGED.open(encoding="utf-8") as f:
        terms += [row[1] for row in csv.reader(f, delimiter="\t") if row and row[0][:1] != "#"]
    terms += ["", "  ", "de", "d'", '"quoted"', "sécurité sociale!!", "zqxwvkj", "β-bloquant"]
    assert len(terms) > 5000
    assert _differences(db, terms, [{}]) == []
    assert _differences(db, terms[::4], OPTIONS[1:]) == []


def test_same_suggestions_and_typo_windows(bundled_root: Path) -> None:
    db = bundled_root / "thesaurus.sqlite"
    sql, memory = ThesaurusCache.open(db), IndexedCache.open(db)
    for term in ("unemploymnet", "securite socaile", "pensoin", "xyzzy", "assurance chomge"):
        assert sql.suggest(term) == memory.suggest(term), term
        assert sql.suggest(term, lang="fr") == memory.suggest(term, lang="fr"), term
    # The typo tables list each language's labels in the SQL windows' order.
    for base in ("", *SUPPORTED_LANGUAGES):
        table = memory.index.typo_table(base)
        start, end = table.span(1, 400)
        window = sql._window((base,), 1, 400)
        assert end - start == len(window.folded)
        assert table.candidates("", start, end, 0.0) == list(range(len(window.folded)))


def test_shared_words_keep_the_sql_engines_best_candidates(bundled_root: Path) -> None:
    # The index scores only the word sets that can reach the cutoff and keeps the best 50:
    # they must be the SQL engine's best 50 (by cover, score, rowid), with the same flag.
    db = bundled_root / "thesaurus.sqlite"
    sql, memory = ThesaurusCache.open(db), IndexedCache.open(db)
    rng = random.Random(3)
    with sqlite3.connect(db) as conn:
        stems = [r[0] for r in conn.execute("SELECT stemmed FROM labels WHERE base = 'fr'")]
        common = [
            r[0]
            for r in conn.execute(
                "SELECT token FROM label_tokens WHERE base = 'fr' GROUP BY token "
                "ORDER BY count(*) DESC, token LIMIT 12"
            )
        ]
    words = sorted({w for s in stems for w in s.split()})
    queries = [tuple(sorted(set(s.split()))) for s in stems[::7] if s]
    queries += [
        tuple(sorted(set(rng.sample(words, k)))) for k in (1, 2, 3, 5, 9) for _ in range(40)
    ]
    queries += [(w,) for w in common] + [("social", "zzzunknown")]
    queries += [tuple(sorted(rng.sample(common, k))) for k in (2, 3, 4) for _ in range(30)]
    checked = 0
    for query in queries:
        known, rows = sql._shared_words("fr", query)
        best = sorted(rows, key=lambda r: (-r[2], -r[1], r[0]))[:50]
        assert memory.index.shared_words("fr", query) == (known, sorted(best)), query
        checked += len(rows) > 50
    assert checked >= 5  # the cut at 50 was exercised


def test_typo_windows_are_the_sql_windows(bundled_root: Path) -> None:
    db = bundled_root / "thesaurus.sqlite"
    sql, memory = ThesaurusCache.open(db), IndexedCache.open(db)
    for bases in (("", *SUPPORTED_LANGUAGES), ("fr",), ("es",)):
        for low, high in ((1, 3), (5, 9), (12, 20), (40, 400)):
            want, got = sql._window(bases, low, high), memory._window(bases, low, high)
            assert (got.folded, got.words, got.rowids) == (want.folded, want.words, want.rowids)


@pytest.fixture(scope="module")
def eurovoc_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache holding all of EuroVoc (7,317 concepts in en/fr/es)."""
    if not EUROVOC_FULL.is_file():
        pytest.skip("shared EuroVoc file absent")
    ws = make_ws(tmp_path_factory.mktemp("eurovoc") / "data")
    import_file(ws, EUROVOC_FULL, replace=True)
    return ws.thesaurus_cache


@pytest.mark.slow
def test_same_answers_on_eurovoc_labels(eurovoc_db: Path) -> None:
    labels = _labels(eurovoc_db, "WHERE base IN ('en', 'fr', 'es')")
    assert len(labels) > 40_000
    # Every third label (all 40,552 agreed when the engine was written; the whole set takes
    # a minute per run, and the bundled thesaurus above is checked label by label).
    assert _differences(eurovoc_db, labels[::3], [{}]) == []


@pytest.mark.slow
def test_same_answers_on_what_users_type_from_eurovoc_labels(eurovoc_db: Path) -> None:
    rng = random.Random(7)
    labels = _labels(eurovoc_db, "WHERE base IN ('en', 'fr', 'es')")
    terms = [t for label in rng.sample(labels, 1000) for t in _derived(label, rng)]
    assert _differences(eurovoc_db, terms, [{}]) == []
    assert _differences(eurovoc_db, terms[::10], OPTIONS[1:]) == []


def test_index_is_rebuilt_when_the_cache_changes_and_only_then(bundled_ws: Workspace) -> None:
    cache = get_cache(bundled_ws, indexed=True)
    assert isinstance(cache, IndexedCache)
    assert cache.lookup("zqxwvkj") == []
    index = cache.index
    cache.lookup("pension")
    assert cache.index is index  # lookups alone keep it
    edit_concept(bundled_ws, EARLY, [LabelEdit("add", "alt", "fr", "zqxwvkj")])
    hits = cache.lookup("zqxwvkj")  # the same open cache sees the edit
    assert [(h.uri, h.match.value, h.matched_kind) for h in hits] == [(EARLY, "exact", "alt")]
    assert cache.index is not index
    fresh = ThesaurusCache.open(bundled_ws.thesaurus_cache)
    assert fresh.lookup("zqxwvkj") == hits
    fresh.close()
    cache.close()


INDEXED = """
import sys
from pathlib import Path
from socsec.thesaurus.label_index import IndexedCache
cache = IndexedCache.open(Path(sys.argv[1]))
assert cache.lookup("unemploymnet")[0].pref["fr"] == "chômage"
assert cache.lookup("prestations de maladie")
print(sorted(m for m in ("rdflib", "pyoxigraph", "elasticsearch") if m in sys.modules))
"""


def test_indexed_lookup_imports_no_rdf_library_nor_elasticsearch(bundled_root: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-c", INDEXED, str(bundled_root / "thesaurus.sqlite")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "[]"
