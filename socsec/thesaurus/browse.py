"""Views built on the lookup cache: concept detail, hierarchy tree, batch translation."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from socsec.analysis import base_language
from socsec.errors import NotFoundError
from socsec.thesaurus.lookup import ThesaurusCache
from socsec.thesaurus.model import ConceptView, Translation, TreeNode

_MAX_PATHS = 10


@dataclass(frozen=True)
class ConceptDetail:
    """A concept with what `show` needs around it.

    Attributes:
        concept: the concept itself.
        broader_paths: paths from the concept's parent up to a top concept (URIs, nearest first).
        labels: a display label (in the requested language) for every URI mentioned.
    """

    concept: ConceptView
    broader_paths: list[list[str]]
    labels: dict[str, str]


def _paths_up(cache: ThesaurusCache, uri: str) -> list[list[str]]:
    paths: list[list[str]] = []
    stack: list[tuple[str, list[str]]] = [(uri, [])]
    while stack and len(paths) < _MAX_PATHS:
        node, path = stack.pop()
        parents = [p for p in cache.concept(node).broader if p not in path and p != uri]
        if not parents and path:
            paths.append(path)
        for p in reversed(parents):
            stack.append((p, [*path, p]))
    return paths


def concept_detail(
    cache: ThesaurusCache, ref: str, *, lang: str | None = None, scheme: str | None = None
) -> ConceptDetail:
    """Resolve ``ref`` (URI, notation or label) and gather its neighbourhood.

    Raises:
        NotFoundError: nothing matches ``ref``.
        AmbiguousReference: several concepts match (the candidates are listed).
    """
    concept = cache.concept(cache.resolve(ref, scheme=scheme))
    paths = _paths_up(cache, concept.uri)
    mentioned = {u for p in paths for u in p} | set(concept.narrower) | set(concept.related)
    mentioned |= set(concept.broader) | set(concept.replaced_by) | {concept.uri}
    labels = {u: cache.pref_label(u, lang) for u in sorted(mentioned) if cache.exists(u)}
    return ConceptDetail(concept=concept, broader_paths=paths, labels=labels)


def _node(
    cache: ThesaurusCache, uri: str, depth: int, lang: str | None, seen: set[str]
) -> TreeNode:
    children: list[TreeNode] = []
    if depth > 0 and uri not in seen:
        kids = sorted(cache.narrower(uri), key=lambda u: cache.pref_label(u, lang).casefold())
        children = [_node(cache, k, depth - 1, lang, seen | {uri}) for k in kids]
    return TreeNode(
        uri=uri,
        label=cache.pref_label(uri, lang),
        narrower_count=cache.narrower_count(uri),
        children=children,
    )


def tree(
    cache: ThesaurusCache,
    ref: str | None = None,
    *,
    depth: int = 2,
    lang: str | None = None,
    scheme: str | None = None,
) -> list[TreeNode]:
    """The hierarchy below a concept, or below the top concepts of each scheme.

    Args:
        cache: the lookup cache.
        ref: a concept (URI, notation or label); None for the schemes and their top concepts.
        depth: levels of narrower concepts to include under each root.
        lang: language of the labels shown.
        scheme: only this scheme (when ``ref`` is None), or where to resolve ``ref``.
    """
    if ref is not None:
        return [_node(cache, cache.resolve(ref, scheme=scheme), depth, lang, set())]
    schemes = [s for s in cache.schemes() if scheme is None or s.uri == scheme]
    if scheme is not None and not schemes:
        raise NotFoundError(f"No scheme {scheme!r}", suggestions=[s.uri for s in cache.schemes()])
    roots = []
    for s in schemes:
        tops = sorted(cache.top_concepts(s.uri), key=lambda u: cache.pref_label(u, lang).casefold())
        title = s.title.get(base_language(lang) or "en") or next(iter(s.title.values()), s.uri)
        roots.append(
            TreeNode(
                uri=s.uri,
                label=title,
                narrower_count=len(tops),
                is_scheme=True,
                children=[_node(cache, t, depth - 1, lang, set()) for t in tops]
                if depth > 0
                else [],
            )
        )
    return roots


def translate(
    cache: ThesaurusCache,
    terms: Iterable[str],
    *,
    source_lang: str | None,
    target_langs: Sequence[str],
    scheme: str | None = None,
) -> list[Translation]:
    """Equivalents of each term in the target languages (blank lines skipped).

    A term is matched with the lookup ladder; its best hit gives the preferred (and
    alternative) labels in each target language, its match kind and confidence, and, for a
    deprecated concept, the replacements to use. Unmatched terms get "did you mean" labels.
    """
    out = []
    for raw in terms:
        term = raw.strip()
        if not term:
            continue
        hits = cache.lookup(term, lang=source_lang, scheme=scheme, limit=5)
        if not hits:
            out.append(
                Translation(
                    term=term,
                    found=False,
                    uri=None,
                    match=None,
                    matched_label=None,
                    labels={},
                    alternatives={},
                    candidates=cache.suggest(term, lang=source_lang),
                )
            )
            continue
        best = hits[0]
        out.append(
            Translation(
                term=term,
                found=True,
                uri=best.uri,
                match=best.match.value,
                matched_label=best.matched_label,
                labels={t: best.pref.get(t, "") for t in target_langs},
                alternatives={t: best.alt.get(t, []) for t in target_langs},
                candidates=[
                    h.pref.get(target_langs[0], h.uri) if target_langs else h.uri for h in hits[1:]
                ],
                score=best.score,
                deprecated=best.deprecated,
                replaced_by=[label for _uri, label in best.replaced_by],
            )
        )
    return out


def gaps_csv(rows: Sequence[Translation], source_lang: str | None) -> str:
    """The terms a batch translation did not match well, as CSV for the librarian.

    One row per term not found, matched only partially (the thesaurus probably lacks that
    notion) or through a word variant (it lacks that label):
    ``term,lang,status,nearest,uri_of_nearest,concept``; the empty ``concept``
    column is for the librarian's decision (an existing concept URI, or "new").
    """
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["term", "lang", "status", "nearest", "uri_of_nearest", "concept"])
    for r in rows:
        if r.gap is None:
            continue
        nearest = r.matched_label if r.found else "; ".join(r.candidates)
        writer.writerow([r.term, source_lang or "", r.gap, nearest or "", r.uri or "", ""])
    return buf.getvalue()
