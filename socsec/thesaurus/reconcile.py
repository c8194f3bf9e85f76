"""Entity reconciliation over the lookup cache: scored candidates and property values.

The protocol-neutral half of the W3C Reconciliation Service API (socsec/web/reconcile.py
speaks the JSON): candidates come from the lookup ladder (exact, folded, stemmed, prefix,
fuzzy) in any of en/fr/es, scored so that a better rung always ranks higher, and ``match``
is only claimed for an exact label that names one concept. Imports no rdflib.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from socsec.analysis import SUPPORTED_LANGUAGES
from socsec.errors import InputDataError
from socsec.thesaurus.hits import LookupHit, MatchKind

if TYPE_CHECKING:
    from socsec.thesaurus.lookup import ThesaurusCache

CONCEPT_TYPE = "http://www.w3.org/2004/02/skos/core#Concept"
CONCEPT_TYPE_NAMES = ("skos:Concept", CONCEPT_TYPE)
MAX_CANDIDATES = 100

# Score of the best label of each rung (0-100); partial and fuzzy hits scale their agreement
# into the band below prefix, so a typo or a shared word never outranks a real label.
_RUNG = {
    MatchKind.exact: 100.0,
    MatchKind.folded: 95.0,
    MatchKind.stemmed: 85.0,
    MatchKind.reordered: 80.0,
    MatchKind.variant: 75.0,
    MatchKind.prefix: 70.0,
    MatchKind.partial: 60.0,
    MatchKind.fuzzy: 60.0,
}
_SCALED = (MatchKind.partial, MatchKind.fuzzy)
_KIND_PENALTY = {"pref": 0.0, "alt": 2.0, "hidden": 4.0}

# Property ids accepted in query constraints, and the values they take.
CONSTRAINTS = {
    "scheme": "concept scheme URI (skos:inScheme)",
    "lang": "language of the matched label: en, fr or es",
    "broader": "a broader concept (URI), direct or not",
}


class Constraint(NamedTuple):
    """One ``properties`` entry of a reconciliation query: property id and wanted values."""

    pid: str
    values: tuple[str, ...]


class Candidate(NamedTuple):
    """A concept proposed for a query.

    Attributes:
        uri: the concept URI (the reconciliation id).
        name: preferred label in the language of the matched label.
        description: the preferred labels in en, fr and es, for a translator to check.
        score: 0-100, higher is better; the lookup rung decides the band.
        match: True only when an exact label names this concept and no other.
        match_kind: how the query matched (a lookup match kind, or id).
        matched_label: the label that matched.
        matched_lang: its language tag.
    """

    uri: str
    name: str
    description: str
    score: float
    match: bool
    match_kind: str
    matched_label: str
    matched_lang: str


def describe(pref: dict[str, str]) -> str:
    """The one-line description of a concept: its preferred labels in en, fr and es."""
    return " · ".join(f"{lang}: {pref[lang]}" for lang in SUPPORTED_LANGUAGES if lang in pref)


def _score(hit: LookupHit) -> float:
    base = _RUNG[hit.match]
    if hit.match in _SCALED:
        base = _RUNG[hit.match] * hit.score / 100.0
    return round(max(0.0, base - _KIND_PENALTY.get(hit.matched_kind, 0.0)), 1)


def _same_text(a: str, b: str) -> bool:
    # Case alone does not make a label another word ("Retraite anticipée" in a spreadsheet).
    return a.strip().casefold() == b.strip().casefold()


def _by_id(cache: ThesaurusCache, query: str) -> Candidate | None:
    ref = query.strip()
    if not cache.exists(ref):
        return None
    view = cache.concept(ref)
    name = cache.pref_label(ref, "en")
    return Candidate(ref, name, describe(view.pref), 100.0, True, "id", ref, "")


def _wanted(constraints: Sequence[Constraint], pid: str) -> tuple[str, ...]:
    return tuple(v for c in constraints if c.pid == pid for v in c.values)


def check_constraints(constraints: Sequence[Constraint]) -> None:
    """Refuse property ids and values the service cannot honour.

    Raises:
        InputDataError: an unknown property id, or a language other than en/fr/es.
    """
    for c in constraints:
        if c.pid not in CONSTRAINTS:
            raise InputDataError(
                f"unknown property {c.pid[:60]!r} in a query",
                hint="properties: " + ", ".join(sorted(CONSTRAINTS)),
            )
    bad = [v for v in _wanted(constraints, "lang") if v not in SUPPORTED_LANGUAGES]
    if bad:
        raise InputDataError(f"lang {bad[0][:20]!r}: give en, fr or es")


def reconcile(
    cache: ThesaurusCache,
    query: str,
    *,
    schemes: Sequence[str] = (),
    constraints: Sequence[Constraint] = (),
    limit: int = 5,
) -> list[Candidate]:
    """Concepts that ``query`` may name, best first.

    Args:
        cache: the thesaurus cache.
        query: a term in any of en/fr/es, or a concept URI.
        schemes: keep only concepts in one of these scheme URIs (empty: any).
        constraints: ``scheme``, ``lang`` and ``broader`` values to honour (all must hold).
        limit: most candidates (1..100).

    Raises:
        InputDataError: a constraint the service does not know (see :func:`check_constraints`).
    """
    check_constraints(constraints)
    limit = max(1, min(limit, MAX_CANDIDATES))
    if not query.strip():
        return []
    found = _by_id(cache, query)
    if found is not None:
        return [found]
    langs = _wanted(constraints, "lang")
    wanted_schemes = set(schemes) | set(_wanted(constraints, "scheme"))
    broader = set(_wanted(constraints, "broader"))
    filtered = bool(wanted_schemes or broader or len(langs) > 1)
    # With filters applied afterwards, ask for more so that `limit` survive them.
    fetch = min(MAX_CANDIDATES * 5, limit * 10) if filtered else limit
    scheme = next(iter(wanted_schemes)) if len(wanted_schemes) == 1 else None
    hits: list[LookupHit] = []
    for lang in langs or (None,):
        hits.extend(cache.lookup(query, lang=lang, scheme=scheme, limit=fetch))
    if wanted_schemes:
        hits = [h for h in hits if wanted_schemes.intersection(h.schemes)]
    if broader:
        hits = [h for h in hits if broader.issubset(cache.ancestors(h.uri))]
    best: dict[str, LookupHit] = {}
    for hit in hits:
        if hit.uri not in best or _score(hit) > _score(best[hit.uri]):
            best[hit.uri] = hit
    # A stable sort: equal scores keep the lookup's order (shorter labels first).
    ranked = sorted(best.values(), key=lambda h: -_score(h))[:limit]
    exact = [h for h in ranked if h.match is MatchKind.exact or _same_text(h.matched_label, query)]
    out = []
    for hit in ranked:
        lang = hit.matched_lang.split("-")[0] if hit.matched_lang else "en"
        name = hit.pref.get(lang) or hit.pref.get("en") or next(iter(hit.pref.values()), hit.uri)
        out.append(
            Candidate(
                uri=hit.uri,
                name=name,
                description=describe(hit.pref),
                score=_score(hit),
                match=len(exact) == 1 and exact[0] is hit,
                match_kind=hit.match.value,
                matched_label=hit.matched_label,
                matched_lang=hit.matched_lang,
            )
        )
    return out


# -- data extension ---------------------------------------------------------------------------

LABEL_PROPERTIES = tuple(
    f"{kind}@{lang}" for kind in ("prefLabel", "altLabel") for lang in SUPPORTED_LANGUAGES
)
LINK_PROPERTIES = ("broader", "narrower", "related", "inScheme")
EXTEND_PROPERTIES: dict[str, str] = {
    **{
        p: f"{'preferred' if p.startswith('pref') else 'alternative'} label ({p.split('@')[1]})"
        for p in LABEL_PROPERTIES
    },
    "broader": "broader concepts",
    "narrower": "narrower concepts",
    "related": "related concepts",
    "inScheme": "concept schemes",
    "notation": "notation",
}


class Value(NamedTuple):
    """One property value: a string, or a concept (``id`` set, ``text`` its label)."""

    text: str
    id: str | None = None


def check_properties(properties: Sequence[str]) -> None:
    """Refuse property ids the extension service does not offer.

    Raises:
        InputDataError: an unknown property id.
    """
    for pid in properties:
        if pid not in EXTEND_PROPERTIES:
            raise InputDataError(
                f"unknown property {pid[:60]!r}",
                hint="properties: " + ", ".join(EXTEND_PROPERTIES),
            )


def extend(
    cache: ThesaurusCache, ids: Sequence[str], properties: Sequence[str], *, lang: str = "en"
) -> dict[str, dict[str, list[Value]]]:
    """The values of ``properties`` for each concept of ``ids``.

    An id that is not a concept gets no values (the column stays empty for that row).

    Args:
        cache: the thesaurus cache.
        ids: concept URIs.
        properties: ids from :data:`EXTEND_PROPERTIES` (e.g. ``prefLabel@es``, ``broader``).
        lang: language of the labels of linked concepts and schemes.

    Raises:
        InputDataError: an unknown property id.
    """
    check_properties(properties)
    titles = {s.uri: s.title for s in cache.schemes()} if "inScheme" in properties else {}
    rows: dict[str, dict[str, list[Value]]] = {}
    for uri in ids:
        row: dict[str, list[Value]] = {p: [] for p in properties}
        rows[uri] = row
        if not cache.exists(uri):
            continue
        view = cache.concept(uri)
        for pid in properties:
            if pid in LABEL_PROPERTIES:
                kind, tag = pid.split("@")
                if kind == "prefLabel":
                    texts = [view.pref[tag]] if tag in view.pref else []
                else:
                    texts = list(view.alt.get(tag, []))
                row[pid] = [Value(t) for t in texts]
            elif pid == "notation":
                row[pid] = [Value(view.notation)] if view.notation else []
            elif pid == "inScheme":
                row[pid] = [
                    Value(_title(titles.get(s, {}), lang) or s, s) for s in sorted(view.schemes)
                ]
            else:
                links: list[str] = getattr(view, pid)
                row[pid] = [Value(cache.pref_label(u, lang), u) for u in sorted(links)]
    return rows


def _title(title: dict[str, str], lang: str) -> str | None:
    return title.get(lang) or title.get("en") or next(iter(title.values()), None)
