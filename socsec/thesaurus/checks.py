"""The thesaurus quality gate: one function per SKOS integrity condition or qSKOS issue.

Every check has a stable id (used by ``--ignore`` and in the JSON report), a severity and a
docstring naming the rule it enforces. Checks read a :class:`SkosSnapshot`, iterate in sorted
order so reports are reproducible, and return :class:`Finding` objects; the caller decides
whether the gate fails (:meth:`QualityReport.failed`).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from socsec.analysis import SUPPORTED_LANGUAGES, base_language
from socsec.thesaurus.checks_io import (
    Lit,
    SkosSnapshot,
    snapshot_from_dir,
    snapshot_from_file,
    snapshot_from_graph,
)
from socsec.thesaurus.model import LABEL_KINDS, NOTE_KINDS

if TYPE_CHECKING:
    from rdflib import Graph


class Severity(StrEnum):
    """How bad a finding is; the gate fails on findings at or above the chosen level."""

    error = "error"
    warning = "warning"
    info = "info"

    @property
    def rank(self) -> int:
        """2 for errors, 1 for warnings, 0 for info."""
        return {"error": 2, "warning": 1, "info": 0}[self.value]


@dataclass(frozen=True)
class Finding:
    """One problem found by a check.

    Attributes:
        check: the check id (e.g. "multiple-pref-labels").
        severity: the check's severity.
        resources: URIs of the concepts or schemes involved, the offending one first.
        message: what is wrong, in one line.
        lang: the language tag concerned, when there is one.
    """

    check: str
    severity: Severity
    resources: tuple[str, ...]
    message: str
    lang: str | None = None


@dataclass(frozen=True)
class CheckInfo:
    """What a check is: id, severity, title and the rule it comes from."""

    id: str
    severity: Severity
    title: str
    reference: str


@dataclass(frozen=True)
class CoverageRow:
    """How many concepts have a prefLabel, altLabel and definition in one language."""

    lang: str
    concepts: int
    pref_label: int
    alt_label: int
    definition: int


@dataclass(frozen=True)
class QualityReport:
    """The outcome of a quality check run.

    Attributes:
        source: what was checked (a file path or "store").
        languages: the required languages.
        concepts: number of skos:Concept resources.
        schemes: number of skos:ConceptScheme resources.
        checks: the checks that ran.
        ignored: ids of the checks skipped on request.
        findings: every finding, grouped by check in catalogue order.
        coverage: the label coverage matrix, one row per required language.
    """

    source: str
    languages: tuple[str, ...]
    concepts: int
    schemes: int
    checks: tuple[CheckInfo, ...]
    ignored: tuple[str, ...]
    findings: tuple[Finding, ...]
    coverage: tuple[CoverageRow, ...]

    def counts(self) -> dict[str, int]:
        """Number of findings per check id, for every check that ran (0 included)."""
        out = {info.id: 0 for info in self.checks}
        for finding in self.findings:
            out[finding.check] += 1
        return out

    def failed(self, fail_on: Severity = Severity.error) -> bool:
        """True when a finding is at or above ``fail_on`` (info findings never fail the gate)."""
        threshold = max(fail_on.rank, Severity.warning.rank)
        return any(f.severity.rank >= threshold for f in self.findings)


@dataclass(frozen=True)
class _Options:
    languages: tuple[str, ...]


_CheckFn = Callable[[SkosSnapshot, _Options], Iterator[tuple[tuple[str, ...], str, str | None]]]


@dataclass(frozen=True)
class _Check:
    info: CheckInfo
    fn: _CheckFn

    def run(self, snap: SkosSnapshot, opts: _Options) -> list[Finding]:
        return [
            Finding(self.info.id, self.info.severity, resources, message, lang)
            for resources, message, lang in self.fn(snap, opts)
        ]


_CATALOGUE: dict[str, _Check] = {}


def _check(
    check_id: str, severity: Severity, title: str, reference: str
) -> Callable[[_CheckFn], _CheckFn]:
    def register(fn: _CheckFn) -> _CheckFn:
        _CATALOGUE[check_id] = _Check(CheckInfo(check_id, severity, title, reference), fn)
        return fn

    return register


_Hits = Iterator[tuple[tuple[str, ...], str, str | None]]


def _norm(text: str) -> str:
    """Comparison key for labels: NFC, case-folded, inner whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _checked(lit: Lit, opts: _Options) -> bool:
    """Label checks look at the required languages (and untagged labels) only.

    Real vocabularies carry languages the user does not work in (UNESCO: ar, ru); their defects
    are shown when those languages are required too (``--lang en,fr,es,ar``).
    """
    return not lit.lang or base_language(lit.lang) in opts.languages


def _labelled(snap: SkosSnapshot) -> list[str]:
    """Concepts, schemes and collections: the resources whose labels the checks look at."""
    return sorted(snap.concepts | snap.schemes | snap.collections)


@_check(
    "missing-pref-label",
    Severity.error,
    "No prefLabel in a required language",
    "qSKOS Incomplete Language Coverage / Missing Labels",
)
def missing_pref_label(snap: SkosSnapshot, opts: _Options) -> _Hits:
    """A concept must have a prefLabel in each required language (base tag: fr-CA counts as fr).

    qSKOS "Incomplete Language Coverage" restricted to the languages the user requires.
    """
    for uri in sorted(snap.concepts):
        have = {base_language(lit.lang) for lit in snap.labels_of("pref", uri)}
        missing = [lang for lang in opts.languages if lang not in have]
        if missing:
            yield (uri,), f"no prefLabel in {', '.join(missing)}", ",".join(missing)


@_check("multiple-pref-labels", Severity.error, "More than one prefLabel in a language", "SKOS S14")
def multiple_pref_labels(snap: SkosSnapshot, opts: _Options) -> _Hits:
    """S14: a resource has no more than one value of skos:prefLabel per language tag."""
    for uri in _labelled(snap):
        by_lang: dict[str, list[str]] = defaultdict(list)
        for lit in snap.labels_of("pref", uri):
            if _checked(lit, opts):
                by_lang[lit.lang].append(lit.value)
        for lang, values in sorted(by_lang.items()):
            if len(values) > 1:
                shown = " | ".join(repr(v) for v in sorted(values))
                yield (uri,), f"{len(values)} prefLabels: {shown}", lang or None


@_check(
    "disjoint-labels",
    Severity.error,
    "Same label as pref and alt/hidden of one concept",
    "SKOS S13 (qSKOS Disjoint Labels Violation)",
)
def disjoint_labels(snap: SkosSnapshot, opts: _Options) -> _Hits:
    """S13: skos:prefLabel, skos:altLabel and skos:hiddenLabel are pairwise disjoint properties."""
    for uri in _labelled(snap):
        kinds: dict[Lit, list[str]] = defaultdict(list)
        for kind in LABEL_KINDS:
            for lit in set(snap.labels_of(kind, uri)):
                if _checked(lit, opts):
                    kinds[lit].append(kind)
        for lit, found in sorted(kinds.items()):
            if len(found) > 1:
                yield (uri,), f"{lit.value!r} is both {' and '.join(found)} label", lit.lang or None


@_check(
    "duplicate-pref-label",
    Severity.error,
    "Two concepts of a scheme share a prefLabel in one language",
    "qSKOS Overlapping Labels; ISO 25964-1 unique preferred terms",
)
def duplicate_pref_label(snap: SkosSnapshot, opts: _Options) -> _Hits:
    """Two concepts of one scheme have the same prefLabel (case-insensitive) in one language.

    qSKOS "Overlapping Labels"; ISO 25964-1 requires preferred terms to be unique, and a
    shared label makes lookup by label ambiguous. Concepts in no scheme are compared together.
    """
    groups: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    shown: dict[tuple[str, str, str], str] = {}
    for uri in snap.concepts:
        if uri in snap.deprecated:
            continue
        schemes = snap.in_scheme.get(uri) or {""}
        for lit in snap.labels_of("pref", uri):
            key_label = _norm(lit.value)
            if not key_label or not _checked(lit, opts):
                continue
            for scheme in schemes:
                key = (scheme, lit.lang, key_label)
                groups[key].add(uri)
                shown.setdefault(key, lit.value)
    for key, uris in sorted(groups.items()):
        if len(uris) > 1:
            scheme, lang, _ = key
            where = f" in scheme {scheme}" if scheme else ""
            yield (
                tuple(sorted(uris)),
                f"{len(uris)} concepts share prefLabel {shown[key]!r}{where}",
                lang or None,
            )


@_check("empty-label", Severity.error, "Empty label", "qSKOS Empty Labels")
def empty_label(snap: SkosSnapshot, opts: _Options) -> _Hits:
    """A pref, alt or hidden label is empty or only whitespace (qSKOS "Empty Labels")."""
    for uri in _labelled(snap):
        for kind in LABEL_KINDS:
            for lit in sorted(snap.labels_of(kind, uri)):
                if not lit.value.strip() and _checked(lit, opts):
                    yield (uri,), f"empty {kind}Label", lit.lang or None


_BAD_SPACE = re.compile(r"\s{2,}|[\t\n\r\f\v]")


@_check(
    "label-whitespace",
    Severity.warning,
    "Label with leading, trailing or repeated whitespace",
    "Skosify label cleanup; qSKOS Empty Labels (variant)",
)
def label_whitespace(snap: SkosSnapshot, opts: _Options) -> _Hits:
    """A label starts or ends with whitespace, or holds a line break, tab or double space.

    Such labels do not match what users type and break exact lookup (Skosify strips them).
    """
    for uri in _labelled(snap):
        for kind in LABEL_KINDS:
            for lit in sorted(snap.labels_of(kind, uri)):
                if not lit.value.strip() or not _checked(lit, opts):
                    continue
                if lit.value != lit.value.strip() or _BAD_SPACE.search(lit.value):
                    yield (
                        (uri,),
                        f"{kind}Label {lit.value!r} has stray whitespace",
                        lit.lang or None,
                    )


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative: hierarchies can be deeper than Python's recursion limit."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
    return components


@_check(
    "broader-cycle",
    Severity.error,
    "Cycle in the broader hierarchy",
    "qSKOS Cyclic Hierarchical Relations; Skosify hierarchy cycles",
)
def broader_cycle(snap: SkosSnapshot, opts: _Options) -> _Hits:
    """The skos:broader/narrower hierarchy loops back on itself.

    qSKOS "Cyclic Hierarchical Relations" (Skosify breaks such cycles). One finding per cycle.
    """
    graph = snap.broader
    for component in _strongly_connected(graph):
        if len(component) > 1 or component[0] in graph.get(component[0], set()):
            yield tuple(component), f"broader cycle through {len(component)} concept(s)", None


def _ancestors(snap: SkosSnapshot) -> Callable[[str], set[str]]:
    memo: dict[str, set[str]] = {}

    def ancestors(uri: str) -> set[str]:
        if uri not in memo:
            seen: set[str] = set()
            todo = list(snap.broader.get(uri, ()))
            while todo:
                node = todo.pop()
                if node not in seen:
                    seen.add(node)
                    todo.extend(snap.broader.get(node, ()))
            memo[uri] = seen
        return memo[uri]

    return ancestors


@_check(
    "related-hierarchy-clash",
    Severity.error,
    "Related to its own ancestor or descendant",
    "SKOS S27 (qSKOS Relation Clashes)",
)
def related_hierarchy_clash(snap: SkosSnapshot, opts: _Options) -> _Hits:
    """S27: skos:related is disjoint with skos:broaderTransitive.

    A concept must not be related to one of its ancestors or descendants (qSKOS "Relation Clashes").
    """
    ancestors = _ancestors(snap)
    pairs = {
        tuple(sorted((a, b))) for a, targets in snap.related.items() for b in targets if a != b
    }
    for a, b in sorted(pairs):
        if b in ancestors(a):
            yield (a, b), f"related to its ancestor {b}", None
        elif a in ancestors(b):
            yield (a, b), f"related to its descendant {b}", None


@_check(
    "orphan-concept",
    Severity.warning,
    "Concept with no broader that is not a top concept",
    "qSKOS Orphan Concepts (hierarchy); Skosify top concept setup",
)
def orphan_concept(snap: SkosSnapshot, opts: _Options) -> _Hits:
    """A live concept has no broader concept and is not the top concept of any scheme.

    It cannot be reached by browsing the hierarchy (qSKOS "Orphan Concepts", taken here on the
    hierarchy only; Skosify would make it a top concept). Deprecated concepts are exempt.
    """
    for uri in sorted(snap.concepts - snap.deprecated):
        if not snap.broader.get(uri) and not snap.top_of.get(uri):
            yield (uri,), "no broader concept and not a top concept", None


@_check(
    "top-concept-with-broader",
    Severity.warning,
    "Top concept that has a broader concept",
    "qSKOS Top Concepts Having Broader Concepts",
)
def top_concept_with_broader(snap: SkosSnapshot, opts: _Options) -> _Hits:
    """A top concept of a scheme also has a broader concept in that same scheme.

    qSKOS "Top Concepts Having Broader Concepts". A top concept of one microthesaurus may sit
    under a concept of another (EuroVoc polyhierarchy), so only same-scheme parents count.
    """
    for uri in sorted(snap.top_of):
        for scheme in sorted(snap.top_of[uri]):
            parents = sorted(
                p for p in snap.broader.get(uri, ()) if scheme in snap.in_scheme.get(p, ())
            )
            if parents:
                yield (uri, *parents), f"top concept of {scheme} with a broader concept in it", None


@_check(
    "scheme-without-top-concepts",
    Severity.warning,
    "Scheme without top concepts",
    "qSKOS Omitted Top Concepts",
)
def scheme_without_top_concepts(snap: SkosSnapshot, opts: _Options) -> _Hits:
    """A scheme has no top concept, so its hierarchy has no entry point.

    qSKOS "Omitted Top Concepts".
    """
    with_tops = {scheme for schemes in snap.top_of.values() for scheme in schemes}
    for scheme in sorted(snap.schemes - with_tops):
        yield (scheme,), "no skos:hasTopConcept / skos:topConceptOf", None


_EXPECTED = {
    "broader": "concept",
    "narrower": "concept",
    "related": "concept",
    "hasTopConcept": "concept",
    "isReplacedBy": "concept",
    "inScheme": "scheme",
    "topConceptOf": "scheme",
    "member": "concept or collection",
}


@_check(
    "dangling-reference",
    Severity.error,
    "Link to a resource that is not in the vocabulary",
    "SKOS S4, S6, S20 (ranges); qSKOS Missing Out-Links / Broken Links (offline)",
)
def dangling_reference(snap: SkosSnapshot, opts: _Options) -> _Hits:
    """A semantic or structural link points to a URI that is not a concept (or scheme) of the data.

    S20: the range of skos:semanticRelation is skos:Concept; S4/S6: inScheme targets schemes and
    hasTopConcept targets concepts. Mapping properties (skos:exactMatch...) point to other
    vocabularies by design and are not checked.
    """
    targets = {
        "concept": snap.concepts,
        "scheme": snap.schemes,
        "concept or collection": snap.concepts | snap.collections,
    }
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    for kind, expected in _EXPECTED.items():
        valid = targets[expected]
        for subject, obj in snap.links[kind]:
            if isinstance(obj, Lit):
                found[
                    (subject, f"skos:{kind} has a literal {obj.value!r}, expected a {expected}")
                ].append("")
            elif obj not in valid:
                found[(subject, f"skos:{kind} {obj} is not a {expected} of the data")].append(obj)
    for (subject, message), objs in sorted(found.items()):
        yield (subject, *sorted(o for o in objs if o)), message, None


_SEMANTIC = ("broader", "narrower", "related", "hasTopConcept", "topConceptOf")


@_check(
    "deprecated-without-replacement",
    Severity.warning,
    "Deprecated concept without replacement",
    "owl:deprecated + dct:isReplacedBy practice",
)
def deprecated_without_replacement(snap: SkosSnapshot, opts: _Options) -> _Hits:
    """An owl:deprecated concept has no dct:isReplacedBy: records tagged with it cannot move on."""
    for uri in sorted(snap.deprecated & snap.concepts):
        if not snap.replaced_by.get(uri):
            yield (uri,), "deprecated without dct:isReplacedBy", None


@_check(
    "deprecated-in-use",
    Severity.warning,
    "Deprecated concept still linked",
    "owl:deprecated practice (Annif skips deprecated concepts)",
)
def deprecated_in_use(snap: SkosSnapshot, opts: _Options) -> _Hits:
    """A deprecated concept is still linked (broader/narrower/related) with a live one, or top."""
    dead = snap.deprecated & snap.concepts
    if not dead:
        return
    users: dict[str, set[str]] = defaultdict(set)
    for kind in ("broader", "narrower", "related"):
        for s, o in snap.links[kind]:
            if isinstance(o, str):
                if o in dead and s not in dead:
                    users[o].add(s)
                if s in dead and o not in dead and o in snap.concepts:
                    users[s].add(o)
    for uri in sorted(dead):
        if users.get(uri):
            yield (
                (uri, *sorted(users[uri])),
                f"still linked with {len(users[uri])} live concept(s)",
                None,
            )
        elif snap.top_of.get(uri):
            yield (uri,), "still a top concept", None


@_check(
    "missing-language-tag",
    Severity.warning,
    "Label or note without a language tag",
    "qSKOS Omitted or Invalid Language Tags",
)
def missing_language_tag(snap: SkosSnapshot, opts: _Options) -> _Hits:
    """A label or note has no language tag, so no language-specific lookup or export can use it.

    qSKOS "Omitted or Invalid Language Tags".
    """
    for uri in _labelled(snap):
        for kind in LABEL_KINDS:
            for lit in sorted(snap.labels_of(kind, uri)):
                if not lit.lang:
                    yield (uri,), f"{kind}Label {lit.value!r} has no language tag", None
        for kind in NOTE_KINDS:
            for lit in sorted(snap.notes_of(kind, uri)):
                if not lit.lang:
                    yield (uri,), f"{kind} {lit.value[:40]!r} has no language tag", None


@_check(
    "missing-definition", Severity.info, "Concept without definition", "qSKOS Undocumented Concepts"
)
def missing_definition(snap: SkosSnapshot, opts: _Options) -> _Hits:
    """A live concept has no skos:definition in a required language.

    qSKOS "Undocumented Concepts"; informative only, it never fails the gate.
    """
    for uri in sorted(snap.concepts - snap.deprecated):
        langs = {base_language(lit.lang) for lit in snap.notes_of("definition", uri)}
        if not langs & set(opts.languages):
            yield (uri,), f"no definition in {', '.join(opts.languages)}", None


def coverage(snap: SkosSnapshot, languages: Sequence[str]) -> list[CoverageRow]:
    """The label coverage matrix: concepts with a pref, alt label and definition per language."""
    counts = {lang: {"pref": 0, "alt": 0, "definition": 0} for lang in languages}
    for uri in snap.concepts:
        for kind, lits in (
            ("pref", snap.labels_of("pref", uri)),
            ("alt", snap.labels_of("alt", uri)),
            ("definition", snap.notes_of("definition", uri)),
        ):
            for lang in {base_language(lit.lang) for lit in lits}:
                if lang in counts:
                    counts[lang][kind] += 1
    return [
        CoverageRow(lang, len(snap.concepts), c["pref"], c["alt"], c["definition"])
        for lang, c in counts.items()
    ]


def catalogue() -> list[CheckInfo]:
    """Every check the gate knows, in report order."""
    return [check.info for check in _CATALOGUE.values()]


def _parse_languages(languages: Iterable[str] | None) -> tuple[str, ...]:
    if languages is None:
        return SUPPORTED_LANGUAGES
    out = tuple(dict.fromkeys(lang.strip().lower() for lang in languages if lang.strip()))
    return out or SUPPORTED_LANGUAGES


@_check("invalid-iri", Severity.error, "An IRI that RDF does not allow", "RFC 3987 / RDF 1.1")
def invalid_iri(snap: SkosSnapshot, opts: _Options) -> _Hits:
    """An IRI with characters IRIs cannot have (spaces, <, |...) or without a scheme.

    Only files read as they are (``thesaurus check FILE``) can have one: imports refuse them.
    """
    for iri, uses in sorted(snap.invalid_iris.items()):
        yield (iri,), f"invalid IRI <{iri}> ({uses} use(s))", None


def run_checks(
    data: SkosSnapshot | Graph,
    *,
    languages: Iterable[str] | None = None,
    ignore: Iterable[str] = (),
) -> QualityReport:
    """Run every check (but the ignored ones) on a vocabulary.

    Args:
        data: an rdflib graph or a snapshot (see :mod:`socsec.thesaurus.checks_io`).
        languages: required languages (default en, fr, es).
        ignore: check ids to skip.

    Raises:
        ValueError: an ignored id is not a known check (the CLI turns it into a usage error).
    """
    snap = data if isinstance(data, SkosSnapshot) else snapshot_from_graph(data)
    skipped = tuple(dict.fromkeys(ignore))
    unknown = [check_id for check_id in skipped if check_id not in _CATALOGUE]
    if unknown:
        raise ValueError(f"unknown check {', '.join(unknown)}; known: {', '.join(_CATALOGUE)}")
    opts = _Options(_parse_languages(languages))
    ran: list[CheckInfo] = []
    findings: list[Finding] = []
    for check_id, check in _CATALOGUE.items():
        if check_id in skipped:
            continue
        ran.append(check.info)
        findings.extend(check.run(snap, opts))
    return QualityReport(
        source=snap.source,
        languages=opts.languages,
        concepts=len(snap.concepts),
        schemes=len(snap.schemes),
        checks=tuple(ran),
        ignored=skipped,
        findings=tuple(findings),
        coverage=tuple(coverage(snap, opts.languages)),
    )


def check_file(
    path: Path, *, languages: Iterable[str] | None = None, ignore: Iterable[str] = ()
) -> QualityReport:
    """Check an RDF file as it is, without importing it (any format socsec reads).

    Raises:
        NotFoundError: the file does not exist.
        InputDataError: the file cannot be parsed.
    """
    return run_checks(snapshot_from_file(path), languages=languages, ignore=ignore)


def check_store(
    thesaurus_dir: Path, *, languages: Iterable[str] | None = None, ignore: Iterable[str] = ()
) -> QualityReport:
    """Check the store of record: all Turtle files of the workspace's thesaurus directory."""
    return run_checks(snapshot_from_dir(thesaurus_dir), languages=languages, ignore=ignore)
