"""Enrichment: a bibliographic record becomes a search document with its concepts' labels.

Everything is analysed here with :mod:`socsec.analysis` (folded, stemmed per language), so
backends only store and match tokens and both rank alike.
"""

from __future__ import annotations

import gc
import hashlib
import json
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

from socsec.analysis import (
    STOPWORDS,
    SUPPORTED_LANGUAGES,
    base_language,
    fold,
    folds_to_itself,
    stem,
    tokenize,
)
from socsec.errors import NotFoundError
from socsec.indexer.base import IndexDoc
from socsec.indexer.labels import MAX_LABEL_WORDS, LabelMatch, LabelMatcher

ANALYSIS_VERSION = "3"  # 3: subjects carry provenance (ranked manual > accepted > automatic)
"""Bump when enrichment changes what documents hold: indexes built before are then stale
(an index without the value was built before it existed: version "1")."""

__all__ = ["ANALYSIS_VERSION", "MAX_LABEL_WORDS", "Enricher", "LabelMatch", "LabelMatcher", "terms"]

if TYPE_CHECKING:
    from socsec.bibliography.model import Person, Record


class ConceptLike(Protocol):
    """The parts of the thesaurus ``ConceptView`` enrichment reads."""

    @property
    def uri(self) -> str: ...
    @property
    def notation(self) -> str | None: ...
    @property
    def pref(self) -> Mapping[str, str]: ...
    @property
    def alt(self) -> Mapping[str, Sequence[str]]: ...
    @property
    def replaced_by(self) -> Sequence[str]: ...


class ThesaurusLike(Protocol):
    """The parts of ``socsec.thesaurus.lookup.ThesaurusCache`` the indexer uses."""

    def concept(self, uri: str) -> ConceptLike: ...
    def exists(self, uri: str) -> bool: ...
    def ancestors(self, uri: str) -> list[str]: ...
    def descendants(self, uri: str) -> list[str]: ...
    def iter_labels(self) -> Iterator[tuple[str, str, str, str]]: ...
    def version(self) -> str: ...
    def replacements(self) -> dict[str, list[str]]: ...
    def pref_label(self, uri: str, lang: str) -> str: ...
    def resolve(self, ref: str, *, scheme: str | None = None) -> str: ...


# Word-level caches: vocabularies are small next to corpora, and stemming/folding dominate
# enrichment time without them.
@lru_cache(maxsize=1 << 18)
def _variants(word: str, lang: str) -> tuple[str, ...]:
    """Stems of a word as written and as folded: "sécurité" and "securite" share one."""
    first = stem(word, lang)
    if folds_to_itself(word):
        return (first,)  # one stem
    return tuple(dict.fromkeys((first, stem(fold(word), lang))))


def terms(text: str | None, lang: str | None) -> list[str]:
    """Index terms of ``text``: stemmed in ``lang``, or in every supported language when unknown.

    Each word yields its stem as written and the stem of its folded form, because the
    Snowball stemmers are accent-sensitive and users often type without accents. For text
    of unknown language each word contributes its stems in en/fr/es.
    """
    if not text:
        return []
    return _word_list_terms(tokenize(text), base_language(lang))


# Terms of one word per base language, stop words already dropped (an empty tuple): a plain
# dict lookup per word of a record instead of a generator and two stemmer calls.
_WORD_TERMS: dict[str | None, dict[str, tuple[str, ...]]] = {}
_WORD_TERMS_MAX = 1 << 18


def _word_terms(word: str, base: str | None) -> tuple[str, ...]:
    """Index terms of one tokenized word in ``base`` (see :func:`terms`)."""
    if word in STOPWORDS.get(base or "", ()):
        return ()
    langs = [base] if base in SUPPORTED_LANGUAGES else list(SUPPORTED_LANGUAGES)
    return tuple(dict.fromkeys(v for lg in langs if lg for v in _variants(word, lg)))


def _word_list_terms(words: list[str], base: str | None) -> list[str]:
    """:func:`terms` of an already tokenized text whose language is ``base``."""
    cache = _WORD_TERMS.get(base)
    if cache is None or len(cache) > _WORD_TERMS_MAX:
        cache = _WORD_TERMS[base] = {}
    out: list[str] = []
    for word in words:
        got = cache.get(word)
        if got is None:
            got = cache[word] = _word_terms(word, base)
        out.extend(got)
    return out


def query_groups(text: str, lang: str | None) -> tuple[tuple[str, ...], ...]:
    """One group per query word: its stems in ``lang`` (or in en/fr/es when ``lang`` is None).

    Stop words of every considered language are dropped, unless the query has nothing else.
    """
    base = base_language(lang)
    langs = [base] if base in SUPPORTED_LANGUAGES else list(SUPPORTED_LANGUAGES)
    words = tokenize(text)
    content = [w for w in words if not any(w in STOPWORDS[lg] for lg in langs if lg)]
    groups = []
    for word in content or words:
        variants = tuple(dict.fromkeys(v for lg in langs if lg for v in _variants(word, lg)))
        variants = tuple(v for v in variants if v)
        if variants:
            groups.append(variants)
    return tuple(dict.fromkeys(groups))


def concept_token(uri: str) -> str:
    """A single alphanumeric token standing for a concept URI in full-text indexes."""
    return "zc" + hashlib.blake2b(uri.encode(), digest_size=8).hexdigest()


def _lang_of(record: Record) -> str | None:
    return base_language(record.title_language or record.language)


@lru_cache(maxsize=1 << 16)  # authors recur across a corpus (an NBER author: dozens of papers)
def _person_keys(person: Person) -> tuple[str, tuple[str, ...]]:
    """The folded display name of ``person`` and its search keys."""
    display = fold(person.display)
    keys = [display]
    if person.family:
        keys.append(fold(person.family))
        if person.given:
            keys.append(fold(f"{person.given} {person.family}"))
    if person.literal:
        keys.append(fold(person.literal))
    return display, tuple(k for k in keys if k)


@lru_cache(maxsize=4096)  # container titles, publishers and keyword sets repeat across records
def _other_terms(text: str, base: str | None) -> str:
    """Analysed ``other`` field of a document."""
    return " ".join(_word_list_terms(tokenize(text), base))


# What a document's fingerprint hashes: one encoder for every document (``json.dumps`` with
# these options builds a new one per call), the same text.
_FINGERPRINT_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False, default=list)

# (ancestors, analysed labels, notation) of one concept
_ConceptData = tuple[tuple[str, ...], str, str | None]


@dataclass
class Enricher:
    """Turns records into :class:`IndexDoc`; caches per-concept data across records."""

    thesaurus: ThesaurusLike
    detect: bool = True
    _matcher: LabelMatcher | None = None
    _concepts: dict[str, _ConceptData | None] = field(default_factory=dict)

    @property
    def matcher(self) -> LabelMatcher:
        """The label matcher that detects concepts in text (built on first use)."""
        if self._matcher is None:
            self._matcher = LabelMatcher.build(
                self.thesaurus.iter_labels(), self.thesaurus.replacements()
            )
        return self._matcher

    def _concept(self, uri: str) -> _ConceptData | None:
        """(ancestors, analysed labels, notation) of a concept; None when unknown.

        The "ancestors" of a deprecated concept include its replacements and theirs: a record
        still indexed under the old concept is found by a search for the new one.
        """
        if uri not in self._concepts:
            try:
                view = self.thesaurus.concept(uri)
            except NotFoundError:
                self._concepts[uri] = None
                return None
            up = list(self.thesaurus.ancestors(uri))
            for new in view.replaced_by:
                if new != uri and self.thesaurus.exists(new):
                    up += [new, *self.thesaurus.ancestors(new)]
            self._concepts[uri] = (
                tuple(dict.fromkeys(up)),
                " ".join(label_terms(view)),
                view.notation,
            )
        return self._concepts[uri]

    def _labels(self, uris: Iterable[str]) -> str:
        parts = []
        for uri in uris:
            data = self._concept(uri)
            if data is not None:
                parts.append(data[1])
        return " ".join(p for p in parts if p)

    def enrich(self, record: Record) -> IndexDoc:
        """The search document of ``record``."""
        lang = _lang_of(record)
        subjects = tuple(dict.fromkeys(s.uri for s in record.subjects))
        provenance = {s.uri: s.provenance for s in record.subjects if s.provenance != "manual"}
        automatic = [u for u in subjects if provenance.get(u) == "automatic"]
        ancestors: dict[str, None] = {}
        notations: list[str] = []
        for uri in subjects:
            ancestors[uri] = None
            data = self._concept(uri)
            if data is not None:
                ancestors.update(dict.fromkeys(data[0]))
                if data[2]:
                    notations.append(data[2])
        broader_only = [u for u in ancestors if u not in subjects]
        # Each text is tokenized once, for its terms and for the label matcher.
        title_words = tokenize(record.title) if record.title else []
        abstract_words = tokenize(record.abstract) if record.abstract else []
        detected: tuple[str, ...] = ()
        if self.detect:
            matcher = self.matcher
            found = matcher.find_words(title_words, lang) + matcher.find_words(abstract_words, lang)
            detected = tuple(u for u in dict.fromkeys(found) if u not in ancestors)
        people = record.authors or record.editors
        named = [_person_keys(p) for p in people]
        other = " ".join(
            p for p in (*record.keywords, record.container_title or "", record.publisher or "") if p
        )
        text = {
            "title": " ".join(_word_list_terms(title_words, lang)),
            "abstract": " ".join(_word_list_terms(abstract_words, lang)),
            "other": _other_terms(other, lang) if other else "",
            "authors": " ".join(display for display, _keys in named),
            # An automatic subject's labels weigh as a concept detected in the text does: the
            # model's guess must not outrank what a librarian assigned (issue 13).
            "subject_labels": self._labels(u for u in subjects if u not in automatic),
            "ancestor_labels": self._labels(broader_only),
            "detected_labels": self._labels([*automatic, *detected]),
        }
        display: dict[str, object] = {
            "title": record.title,
            "title_language": lang,
            "authors": [p.display for p in people],
            "container_title": record.container_title,
            "issued": record.issued,
            "doi": record.doi,
            "url": record.url,
            "abstract": (record.abstract or "")[:500] or None,
        }
        author_keys = tuple(dict.fromkeys(k for _display, keys in named for k in keys))
        body = {
            "type": record.type.value,
            "year": record.year,
            "language": base_language(record.language),
            "author_keys": author_keys,
            "subjects": subjects,
            "ancestors": tuple(ancestors),
            "detected": detected,
            "text": text,
            "display": display,
            "notations": notations,
            "provenance": provenance,
        }
        fingerprint = hashlib.blake2b(_FINGERPRINT_JSON.encode(body).encode(), digest_size=12)
        return IndexDoc(
            id=record.id,
            type=record.type.value,
            year=record.year,
            language=base_language(record.language),
            author_keys=author_keys,
            subjects=subjects,
            ancestors=tuple(ancestors),
            detected=detected,
            text=text,
            display=display,
            fingerprint=fingerprint.hexdigest(),
            modified=record.modified,
            notations=tuple(notations),
            provenance=provenance,
        )

    def enrich_all(self, records: Iterable[Record]) -> Iterator[IndexDoc]:
        """Lazily enrich a stream of records."""
        stream = iter(records)
        for record in stream:
            yield self.enrich(record)  # the first builds the label matcher, when needed
            break
        with spared_by_collector():
            for record in stream:
                yield self.enrich(record)


_spared = 0
_spared_lock = threading.Lock()


@contextmanager
def spared_by_collector() -> Iterator[None]:
    """Keep the objects that exist now out of the cyclic garbage collector's walks meanwhile.

    Enriching many records makes many objects, so the collector runs often, and each full
    run walked every object of the process: the thesaurus, the label matcher and the word
    caches, which live as long as the process (measured: 12-19% of enrichment's time with
    cold caches). ``gc.freeze`` sets them aside until the outermost block ends.
    """
    global _spared
    with _spared_lock:
        if not _spared:
            gc.freeze()
        _spared += 1
    try:
        yield
    finally:
        with _spared_lock:
            _spared -= 1
            if not _spared:
                gc.unfreeze()


def label_terms(view: ConceptLike) -> list[str]:
    """Analysed pref and alt labels of a concept in en/fr/es, each in its own language."""
    out: list[str] = []
    # Label dicts are keyed by the stored tag ("fr-ca", "" when untagged): stem by its base.
    for tag, pref in view.pref.items():
        out.extend(terms(pref, tag or None))
    for tag, alts in view.alt.items():
        for label in alts:
            out.extend(terms(label, tag or None))
    if view.notation:
        out.append(fold(view.notation).replace(" ", ""))
    return out


@lru_cache(maxsize=4096)
def _word_stems(word: str, lang: str | None) -> frozenset[str]:
    base = base_language(lang)
    langs = [base] if base in SUPPORTED_LANGUAGES else list(SUPPORTED_LANGUAGES)
    return frozenset(v for lg in langs if lg for v in _variants(word, lg))


def highlight(
    text: str, lang: str | None, wanted: set[str], *, pre: str = "<em>", post: str = "</em>"
) -> str | None:
    """``text`` with the words whose stems are in ``wanted`` wrapped; None when none is.

    The same function serves both backends, so highlights do not depend on the backend.
    """
    import re

    if not text or not wanted:
        return None
    hit = False

    def mark(m: re.Match[str]) -> str:
        nonlocal hit
        word = m.group(0)
        if _word_stems(word.casefold(), lang) & wanted:
            hit = True
            return f"{pre}{word}{post}"
        return word

    marked = re.sub(r"[^\W_]+", mark, text)
    return marked if hit else None
