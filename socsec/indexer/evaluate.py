"""Retrieval quality of `socsec search`: nDCG@10, MAP and recall@100 from a qrels file.

The qrels file is UTF-8 text with two kinds of lines (blank lines and lines starting
with ``#`` are ignored):

* a query: ``Q<TAB>query_id<TAB>lang<TAB>query text`` (lang is en, fr or es); queries
  ``<topic>-<lang>`` (e.g. ``t01-en``, ``t01-fr``) are one topic asked in several languages;
* a topic's concept: ``C<TAB>topic<TAB>concept`` (URI, notation or label), used for the
  concept search of that topic (``socsec search --concept``); optional;
* a judgment, as in a TREC qrels file: ``query_id 0 record_id grade`` separated by
  whitespace, where the grade is 2 (highly relevant), 1 (partially) or 0 (not relevant).

Every judged query must be declared by a ``Q`` line, and every declared query needs at
least one judgment. Records the file does not judge count as not relevant.

Metrics, per query then averaged over queries (macro average):

* nDCG@10: graded gain ``2**grade - 1`` with a ``log2(rank + 1)`` discount, divided by the
  DCG of the ideal ranking of the judged grades;
* MAP: average precision with grade >= 1 relevant, over all relevant judged records;
* recall@100: share of the relevant (grade >= 1) records found in the first 100 hits.

Each query runs twice on the same :class:`~socsec.indexer.service.SearchService`, in its
own language (``--query-lang``): with concept expansion and translation (the default of
``socsec search``) and without (``--no-expand``). Over the topics asked in en, fr and es,
the cross-language ratios FR÷EN and ES÷EN divide the mean French (Spanish) score by the
mean English one (1.0: as good as asking in English). Each topic with a concept is also
searched by that concept alone, scored against the same judgments.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from socsec.analysis import SUPPORTED_LANGUAGES
from socsec.errors import InputDataError

if TYPE_CHECKING:
    from socsec.indexer.service import SearchService
    from socsec.workspace import Workspace

DEPTH = 100
NDCG_K = 10
MAX_GRADE = 2
MODES = ("expanded", "unexpanded")


@dataclass(frozen=True)
class JudgedQuery:
    """A query of a qrels file with its judgments (record id -> grade)."""

    id: str
    lang: str
    text: str
    grades: Mapping[str, int]


@dataclass(frozen=True)
class Scores:
    """The three metrics of one query or their mean over queries."""

    ndcg_at_10: float
    map: float
    recall_at_100: float


@dataclass(frozen=True)
class QueryResult:
    """One query's scores with and without expansion."""

    id: str
    lang: str
    text: str
    relevant: int
    expanded: Scores
    unexpanded: Scores


@dataclass(frozen=True)
class GroupSummary:
    """Mean scores of a group of queries (one language, or all) in both modes."""

    group: str
    queries: int
    expanded: Scores
    unexpanded: Scores


@dataclass(frozen=True)
class Ratio:
    """Mean score of a language divided by the English mean, over topics asked in all three."""

    lang: str
    topics: int
    ndcg_at_10: float
    map: float
    recall_at_100: float
    unexpanded_ndcg_at_10: float


@dataclass(frozen=True)
class ConceptResult:
    """A topic searched by its concept (``--concept``) against the topic's judgments."""

    topic: str
    concept: str
    scores: Scores
    text_ndcg_at_10: float
    ratio_to_text: float
    text_recall_at_100: float = 0.0
    recall_ratio_to_text: float = 0.0


@dataclass(frozen=True)
class SearchEvalReport:
    """What ``socsec eval search`` reports."""

    qrels: str
    backend: str
    depth: int
    queries: list[QueryResult]
    summary: list[GroupSummary] = field(default_factory=list)
    ratios: list[Ratio] = field(default_factory=list)
    concepts: list[ConceptResult] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        """The JSON shape of ``socsec eval search --json`` (snake_case keys)."""
        return asdict(self) | {"concept_summary": concept_summary(self.concepts)}


# -- metrics -----------------------------------------------------------------------------------
def dcg(gains: Sequence[float], k: int) -> float:
    """Discounted cumulative gain of the first ``k`` gains (rank r discounted by log2(r+1))."""
    return sum(g / math.log2(rank + 2) for rank, g in enumerate(gains[:k]))


def ndcg(ranking: Sequence[str], grades: Mapping[str, int], k: int = NDCG_K) -> float:
    """Graded nDCG@k with gain ``2**grade - 1``; the ideal ranks the judged grades.

    Args:
        ranking: record ids, best first.
        grades: judged grades; unjudged ids have grade 0.
        k: cut-off.

    Returns:
        0.0 when no judged record has a positive grade.
    """
    ideal = dcg(sorted((2.0**g - 1 for g in grades.values()), reverse=True), k)
    if ideal == 0:
        return 0.0
    return dcg([2.0 ** grades.get(rid, 0) - 1 for rid in ranking], k) / ideal


def average_precision(ranking: Sequence[str], grades: Mapping[str, int]) -> float:
    """Average precision with grade >= 1 relevant, divided by all relevant judged records."""
    relevant = sum(1 for g in grades.values() if g >= 1)
    if relevant == 0:
        return 0.0
    found = 0
    total = 0.0
    for rank, rid in enumerate(ranking, start=1):
        if grades.get(rid, 0) >= 1:
            found += 1
            total += found / rank
    return total / relevant


def recall(ranking: Sequence[str], grades: Mapping[str, int], k: int = DEPTH) -> float:
    """Share of the relevant (grade >= 1) judged records among the first ``k`` ids."""
    relevant = {rid for rid, g in grades.items() if g >= 1}
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranking[:k])) / len(relevant)


def score(ranking: Sequence[str], grades: Mapping[str, int]) -> Scores:
    """nDCG@10, AP and recall@100 of one ranking."""
    return Scores(
        ndcg(ranking, grades), average_precision(ranking, grades), recall(ranking, grades)
    )


def mean(scores: Sequence[Scores]) -> Scores:
    """The macro average of per-query scores (zeros for no queries)."""
    n = len(scores) or 1
    return Scores(
        sum(s.ndcg_at_10 for s in scores) / n,
        sum(s.map for s in scores) / n,
        sum(s.recall_at_100 for s in scores) / n,
    )


# -- qrels -------------------------------------------------------------------------------------
def topic_of(query_id: str) -> str:
    """The topic of a query id: what precedes its last ``-`` ("t01-fr" -> "t01")."""
    return query_id.rsplit("-", 1)[0]


def read_topic_concepts(path: Path) -> dict[str, str]:
    """The ``C`` lines of a qrels file: topic -> concept reference (see the module docstring)."""
    out: dict[str, str] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if raw.startswith("C\t"):
            parts = raw.rstrip("\r\n").split("\t")
            if len(parts) != 3 or not parts[1].strip() or not parts[2].strip():
                raise InputDataError(
                    "a concept line needs 3 tab-separated fields: C, topic, concept",
                    path=path,
                    line=number,
                )
            out[parts[1].strip()] = parts[2].strip()
    return out


def read_qrels(path: Path) -> list[JudgedQuery]:
    """Parse a qrels file (format in the module docstring), queries in file order.

    Raises:
        InputDataError: unreadable file, malformed line (with its number), unknown
            language, bad grade, judgment of an undeclared query, query without judgments.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputDataError(f"cannot read the qrels file: {exc}", path=path) from exc
    queries: dict[str, tuple[str, str, int]] = {}
    grades: dict[str, dict[str, int]] = {}

    def fail(reason: str, line: int) -> InputDataError:
        hint = "query lines: Q<TAB>id<TAB>lang<TAB>text; judgments: id 0 record_id grade"
        return InputDataError(reason, path=path, line=line, hint=hint)

    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#") or raw.startswith("C\t"):
            continue
        if line.startswith("Q\t"):
            parts = raw.rstrip("\r\n").split("\t", 3)
            if len(parts) != 4 or not parts[1].strip() or not parts[3].strip():
                raise fail("a query line needs 4 tab-separated fields: Q, id, lang, text", number)
            qid, lang, text = parts[1].strip(), parts[2].strip().lower(), parts[3].strip()
            if lang not in SUPPORTED_LANGUAGES:
                raise fail(
                    f"language {lang!r} is not one of {', '.join(SUPPORTED_LANGUAGES)}", number
                )
            if qid in queries:
                raise fail(
                    f"query {qid!r} is declared twice (first on line {queries[qid][2]})", number
                )
            queries[qid] = (lang, text, number)
            continue
        fields = line.split()
        if len(fields) != 4:
            raise fail(f"expected 'query_id 0 record_id grade', got {len(fields)} fields", number)
        qid, _iteration, rid, grade_text = fields
        if qid not in queries:
            raise fail(f"judgment for query {qid!r}, which no earlier Q line declares", number)
        try:
            grade = int(grade_text)
        except ValueError:
            grade = -1
        if not 0 <= grade <= MAX_GRADE:
            raise fail(f"grade {grade_text!r} is not 0, 1 or 2", number)
        judged = grades.setdefault(qid, {})
        if rid in judged:
            raise fail(f"record {rid!r} is judged twice for query {qid!r}", number)
        judged[rid] = grade
    if not queries:
        raise InputDataError("no queries (Q lines) in the qrels file", path=path)
    for qid, (_lang, _text, number) in queries.items():
        if qid not in grades:
            raise fail(f"query {qid!r} has no judgments", number)
    return [JudgedQuery(qid, lang, text, grades[qid]) for qid, (lang, text, _n) in queries.items()]


# -- evaluation --------------------------------------------------------------------------------
def run_query(service: SearchService, query: JudgedQuery, *, expand: bool) -> list[str]:
    """The ids of the first :data:`DEPTH` hits of ``query`` (as ``socsec search`` ranks them)."""
    from socsec.indexer.service import SearchRequest

    request = SearchRequest(text=query.text, query_lang=query.lang, expand=expand, size=DEPTH)
    return [hit.id for hit in service.search(request).hits]


def evaluate_queries(
    service: SearchService,
    queries: Sequence[JudgedQuery],
    *,
    on_progress: Callable[[int], None] | None = None,
) -> list[QueryResult]:
    """Score each query with and without concept expansion on one search service."""
    results = []
    for query in queries:
        expanded = score(run_query(service, query, expand=True), query.grades)
        unexpanded = score(run_query(service, query, expand=False), query.grades)
        relevant = sum(1 for g in query.grades.values() if g >= 1)
        results.append(
            QueryResult(query.id, query.lang, query.text, relevant, expanded, unexpanded)
        )
        if on_progress is not None:
            on_progress(1)
    return results


def summarize(results: Sequence[QueryResult]) -> list[GroupSummary]:
    """Mean scores per query language (in en, fr, es order) and over all queries."""
    groups: list[tuple[str, list[QueryResult]]] = [
        (lang, [r for r in results if r.lang == lang]) for lang in SUPPORTED_LANGUAGES
    ]
    groups.append(("all", list(results)))
    return [
        GroupSummary(
            name,
            len(members),
            mean([r.expanded for r in members]),
            mean([r.unexpanded for r in members]),
        )
        for name, members in groups
        if members
    ]


def ratios(results: Sequence[QueryResult]) -> list[Ratio]:
    """FR÷EN and ES÷EN of the mean scores, over the topics asked in en, fr and es."""
    by_topic: dict[str, dict[str, QueryResult]] = {}
    for r in results:
        by_topic.setdefault(topic_of(r.id), {})[r.lang] = r
    full = [t for t in by_topic.values() if all(lg in t for lg in SUPPORTED_LANGUAGES)]
    if not full:
        return []
    en = mean([t["en"].expanded for t in full])
    en_plain = mean([t["en"].unexpanded for t in full])

    def div(a: float, b: float) -> float:
        return a / b if b else 0.0

    out = []
    for lang in SUPPORTED_LANGUAGES[1:]:
        m = mean([t[lang].expanded for t in full])
        plain = mean([t[lang].unexpanded for t in full])
        out.append(
            Ratio(
                lang,
                len(full),
                div(m.ndcg_at_10, en.ndcg_at_10),
                div(m.map, en.map),
                div(m.recall_at_100, en.recall_at_100),
                div(plain.ndcg_at_10, en_plain.ndcg_at_10),
            )
        )
    return out


def evaluate_concepts(
    service: SearchService,
    queries: Sequence[JudgedQuery],
    results: Sequence[QueryResult],
    concepts: Mapping[str, str],
) -> list[ConceptResult]:
    """Score each topic's concept search against its judgments (those of its English query)."""
    from socsec.indexer.service import SearchRequest

    out = []
    for topic, ref in concepts.items():
        judged = [q for q in queries if topic_of(q.id) == topic]
        if not judged:
            continue
        query = next((q for q in judged if q.lang == "en"), judged[0])
        request = SearchRequest(concept=ref, size=DEPTH)
        ranking = [hit.id for hit in service.search(request).hits]
        scores = score(ranking, query.grades)
        expanded = next(r for r in results if r.id == query.id).expanded
        text, recall = expanded.ndcg_at_10, expanded.recall_at_100
        ratio = scores.ndcg_at_10 / text if text else 0.0
        recall_ratio = scores.recall_at_100 / recall if recall else 0.0
        out.append(ConceptResult(topic, ref, scores, text, ratio, recall, recall_ratio))
    return out


def concept_summary(concepts: Sequence[ConceptResult]) -> dict[str, float]:
    """Mean concept-search nDCG@10 and recall@100 over topics, beside the expanded text
    search of the same topics, and their ratios (the target is >= 0.8).
    """
    if not concepts:
        return {}
    n = len(concepts)
    ndcg = sum(c.scores.ndcg_at_10 for c in concepts) / n
    recall = sum(c.scores.recall_at_100 for c in concepts) / n
    text = sum(c.text_ndcg_at_10 for c in concepts) / n
    text_recall = sum(c.text_recall_at_100 for c in concepts) / n
    return {
        "topics": n,
        "ndcg_at_10": round(ndcg, 4),
        "recall_at_100": round(recall, 4),
        "text_ndcg_at_10": round(text, 4),
        "text_recall_at_100": round(text_recall, 4),
        "ndcg_ratio": round(ndcg / text, 4) if text else 0.0,
        "recall_ratio": round(recall / text_recall, 4) if text_recall else 0.0,
    }


def with_backend(ws: Workspace, backend: str | None) -> Workspace:
    """The workspace with its search backend overridden for this run (None: as configured)."""
    if backend is None:
        return ws
    from socsec.config import Settings
    from socsec.workspace import Workspace

    settings = Settings.load(
        data_dir=ws.settings.data_dir,
        config_file=ws.settings.config_file,
        overrides={"backend": backend},
    )
    return Workspace(root=ws.root, settings=settings)


def evaluate_search(
    ws: Workspace,
    qrels: Path,
    *,
    backend: str | None = None,
    on_notice: Callable[[str], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> SearchEvalReport:
    """nDCG@10, MAP and recall@100 of the judged queries, with and without expansion.

    An index that was never built is built first (a server index too, with a notice), so
    that the figures describe the whole store.

    Args:
        ws: the workspace whose store, thesaurus and index are searched.
        qrels: the judged queries (format in the module docstring).
        backend: "sqlite" or "elasticsearch" to override the configured backend.
        on_notice: called with a one-line message when the index is built.
        on_progress: called with 1 after each query.

    Raises:
        InputDataError: the qrels file is malformed.
    """
    from socsec.indexer.service import SearchService

    queries = read_qrels(qrels)
    ws = with_backend(ws, backend)
    with SearchService.open(ws) as service:
        if "last_build" not in service.backend.info().meta:
            if on_notice is not None:
                on_notice(f"Building the {service.backend.name} index first (never built).")
            service.rebuild()
        results = evaluate_queries(service, queries, on_progress=on_progress)
        concepts = evaluate_concepts(service, queries, results, read_topic_concepts(qrels))
        name = service.backend.name
    return SearchEvalReport(
        str(qrels), name, DEPTH, results, summarize(results), ratios(results), concepts
    )
