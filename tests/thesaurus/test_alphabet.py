"""The alphabetical index: labels of one language under their folded initial, kept current."""

from __future__ import annotations

import unicodedata

from socsec.thesaurus.alphabet import OTHER, alphabetical_index, initial
from socsec.workspace import Workspace

EARLY_RETIREMENT = "http://eurovoc.europa.eu/3626"


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def test_initial_folds_accents_and_case() -> None:
    assert initial("économie") == "E" and initial("Ñandú") == "N" and initial("  retraite") == "R"
    assert initial("2004 enlargement") == OTHER and initial("«quoted»") == OTHER


def test_index_per_language_and_alternative_labels(workspace: Workspace) -> None:
    from socsec.thesaurus.lookup import get_cache

    with get_cache(workspace) as cache:
        fr = alphabetical_index(cache, "fr-CA", "p")
        es = alphabetical_index(cache, "es", "J")
        first = alphabetical_index(cache, "en", None)
    assert fr.lang == "fr" and fr.letter == "P"
    pre = [e for e in fr.entries if e.label == "préretraite"]
    assert pre and pre[0].uri == EARLY_RETIREMENT and pre[0].pref == "retraite anticipée"
    # Sorted as a reader expects: "préretraite" among the "pre..." labels, not after "pro...".
    keys = [_fold(e.label) for e in fr.entries]
    assert keys == sorted(keys)
    labels = [e.label for e in fr.entries]
    where = labels.index("préretraite")
    assert labels.index("premiers secours") < where < labels.index("prestation aux survivants")
    assert any(e.label == "jubilación anticipada" and e.pref is None for e in es.entries)
    assert first.letter == first.letters[0] == "A"
    assert all(e.label[:1].upper() == "A" for e in first.entries)


def test_index_follows_curation(workspace: Workspace) -> None:
    from socsec.app import thesaurus
    from socsec.thesaurus.curation import LabelEdit
    from socsec.thesaurus.lookup import get_cache

    with get_cache(workspace) as cache:
        before = alphabetical_index(cache, "en", "V")
    assert "voluntary retirement" in [e.label for e in before.entries]
    thesaurus.edit_concept(
        workspace, EARLY_RETIREMENT, [LabelEdit("remove", "alt", "en", "voluntary retirement")]
    )
    with get_cache(workspace) as cache:
        after = alphabetical_index(cache, "en", "V")
    assert "voluntary retirement" not in [e.label for e in after.entries]
