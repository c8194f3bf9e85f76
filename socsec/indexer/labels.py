"""Finding thesaurus labels inside text and queries, each language with its own analysis.

A label is keyed three ways in its own language, from strict to loose: ``exact`` (its words
as written, lowercased), ``stemmed`` (the singular of each word, accents kept) and
``folded`` (singular of the accent-folded word). A span of text matches a label when its
words give the same key in that label's language, so an English stemmer never touches a
French label. The longest span wins; for the same span the strictest tier wins ("retraite"
names the concept labelled "retraite", not the one labelled "retraité"). Words are reduced
with :func:`socsec.analysis.light_stem` (plural and gender endings only), so "pension" never
meets "pensioner".

Keys live in a dict (for enrichment of many records) or in a SQLite table (for a query,
which needs a few lookups and should not load the whole vocabulary).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

from socsec.analysis import (
    STOPWORDS,
    SUPPORTED_LANGUAGES,
    base_language,
    fold,
    folds_to_itself,
    light_stem,
    tokenize,
)

MAX_LABEL_WORDS = 6
"""Longest label (in content words) looked for in text and queries."""

TIERS = ("exact", "stemmed", "folded")
"""Match kinds, strictest first: a stricter key wins over a looser one for the same span."""


@lru_cache(maxsize=1 << 18)
def word_keys(word: str, lang: str) -> tuple[str, str, str]:
    """The exact, stemmed and folded key of one lowercased word in ``lang``."""
    stemmed = light_stem(word, lang)
    if folds_to_itself(word):
        return word, stemmed, stemmed
    return word, stemmed, light_stem(fold(word), lang)


def content_words(text: str, lang: str) -> list[tuple[int, str]]:
    """(position, word) of the words of ``text`` that are not stop words of ``lang``."""
    stops = STOPWORDS.get(lang, frozenset())
    return [(n, w) for n, w in enumerate(tokenize(text)) if w not in stops]


def label_keys(label: str, lang: str) -> tuple[str, str, str] | None:
    """The three keys of a label (space-joined word keys), or None when it is not matched.

    A label of one short word ("age", "aid") matches too much running text, and labels
    longer than :data:`MAX_LABEL_WORDS` content words are never looked for.
    """
    words = [w for _n, w in content_words(label, lang)]
    if not words or len(words) > MAX_LABEL_WORDS or (len(words) == 1 and len(words[0]) < 4):
        return None
    keys = [word_keys(w, lang) for w in words]
    return (
        " ".join(k[0] for k in keys),
        " ".join(k[1] for k in keys),
        " ".join(k[2] for k in keys),
    )


@dataclass(frozen=True)
class LabelMatch:
    """A label found in a text: the words it covers, the concept it names and how it matched.

    Attributes:
        uri: the concept (its replacement when the labelled concept is deprecated).
        words: the words of the text covered, as written.
        label: the label matched.
        lang: the label's language.
        match: "exact", "stemmed" or "folded" (see :data:`TIERS`).
        start: position of the first covered word in the tokenized text.
        end: position after the last covered word.
        replaced: the deprecated concept whose label matched, when ``uri`` replaces it.
    """

    uri: str
    words: str
    label: str
    lang: str
    match: str
    start: int
    end: int
    replaced: str | None = None


class KeyStore(Protocol):
    """Where label keys are looked up: a dict in memory, or a SQLite table."""

    def get(self, lang: str, tier: int, key: str) -> Sequence[tuple[str, str]]:
        """(uri, label) of the labels with this key."""

    def longest(self, lang: str, first: str) -> int:
        """Most words of a label whose first word has (any tier) key ``first``."""


@dataclass
class _LangKeys:
    """One language's keys laid out for scanning: a dict and a set of key prefixes per tier,
    and per text word its three keys and the tiers where it starts some key.
    """

    lang: str
    tiers: tuple[dict[str, list[tuple[str, str]]], ...]
    words: dict[str, tuple[tuple[str, str, str], tuple[int, ...]]] = field(default_factory=dict)
    prefixes: tuple[frozenset[str], ...] = ()

    def __post_init__(self) -> None:
        # Every leading run of words of every key, per tier: a span grows while it is one.
        self.prefixes = tuple(
            frozenset(
                " ".join(parts[:n])
                for key in keyed
                for parts in (key.split(" "),)
                for n in range(1, len(parts) + 1)
            )
            for keyed in self.tiers
        )

    def word(self, word: str) -> tuple[tuple[str, str, str], tuple[int, ...]]:
        """The keys of ``word`` and the tiers where it begins a label's key (most: none)."""
        got = self.words.get(word)
        if got is None:
            keys = word_keys(word, self.lang)
            starts = tuple(t for t, heads in enumerate(self.prefixes) if keys[t] in heads)
            got = keys, starts
            if len(self.words) < 1 << 18:  # bounded: a corpus has more words than labels
                self.words[word] = got
        return got

    def spans(self, words: list[str]) -> list[tuple[int, int, int, list[tuple[str, str]]]]:
        """Labels in ``words`` as ``(start, end, tier, [(uri, label)])``, in text order.

        At each content word not covered by an earlier span, the longest span whose key is a
        label's in some tier wins, and for the same length the strictest tier: what
        :meth:`LabelMatcher._scan` finds with lookups of every span length. Each word's keys
        and the tiers where it begins a key are looked up once, and a span grows only while
        it begins some label's key (enrichment calls this for every title and abstract).
        """
        stops = STOPWORDS.get(self.lang, frozenset())
        known, word = self.words.get, self.word
        # (position in ``words``, (keys, tiers where the word begins a key)) of content words
        seq = [(n, known(w) or word(w)) for n, w in enumerate(words) if w not in stops]
        found: list[tuple[int, int, int, list[tuple[str, str]]]] = []
        tiers, prefixes = self.tiers, self.prefixes
        count = len(seq)
        end_of_last = 0  # spans never overlap: a match moves the scan past its last word
        for i in [i for i, (_n, info) in enumerate(seq) if info[1]]:  # most words begin none
            if i < end_of_last:
                continue
            keys, starts = seq[i][1]
            # The longest span whose key is a label's in some tier; the strictest tier for it.
            best_size, best_tier, best_key = 0, 0, ""
            for tier in starts:
                key = keys[tier]
                keyed, heads = tiers[tier], prefixes[tier]
                if best_size < 1 and key in keyed:
                    best_size, best_tier, best_key = 1, tier, key
                j = i + 1
                while j < count:
                    key = f"{key} {seq[j][1][0][tier]}"
                    if key not in heads:
                        break
                    j += 1
                    if j - i > best_size and key in keyed:
                        best_size, best_tier, best_key = j - i, tier, key
            if not best_size:
                continue
            start, end = seq[i][0], seq[i + best_size - 1][0] + 1
            found.append((start, end, best_tier, tiers[best_tier][best_key]))
            end_of_last = i + best_size
        return found


@dataclass
class MemoryKeys:
    """Label keys in dicts: fast for matching many texts (enrichment)."""

    keys: dict[tuple[str, int, str], list[tuple[str, str]]] = field(default_factory=dict)
    first: dict[tuple[str, str], int] = field(default_factory=dict)
    _views: dict[str, _LangKeys] = field(default_factory=dict, repr=False, compare=False)

    def view(self, lang: str) -> _LangKeys:
        """The keys of ``lang`` per tier, built on first use after the last :meth:`add`."""
        got = self._views.get(lang)
        if got is None:
            tiers: tuple[dict[str, list[tuple[str, str]]], ...] = tuple({} for _ in TIERS)
            for (lg, tier, key), entries in self.keys.items():
                if lg == lang:
                    tiers[tier][key] = entries
            got = self._views[lang] = _LangKeys(lang, tiers)
        return got

    def add(self, lang: str, keys: tuple[str, str, str], uri: str, label: str) -> None:
        """Register one label under its three keys."""
        self._views.clear()
        size = keys[0].count(" ") + 1
        for tier, key in enumerate(keys):
            entries = self.keys.setdefault((lang, tier, key), [])
            if all(u != uri for u, _ in entries):
                entries.append((uri, label))
            head = key.split(" ", 1)[0]
            self.first[lang, head] = max(self.first.get((lang, head), 0), size)

    def get(self, lang: str, tier: int, key: str) -> Sequence[tuple[str, str]]:
        """(uri, label) of the labels with this key."""
        return self.keys.get((lang, tier, key), ())

    def longest(self, lang: str, first: str) -> int:
        """Most words of a label starting with ``first``."""
        return self.first.get((lang, first), 0)

    def rows(self) -> Iterable[tuple[str, int, str, str, str]]:
        """(lang, tier, key, uri, label) rows, for :func:`save_keys`."""
        for (lang, tier, key), entries in self.keys.items():
            for uri, label in entries:
                yield lang, tier, key, uri, label


KEYS_DDL = """
CREATE TABLE IF NOT EXISTS {p}_keys(
    lang TEXT NOT NULL, tier INTEGER NOT NULL, key TEXT NOT NULL, uri TEXT NOT NULL,
    label TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS {p}_first(lang TEXT NOT NULL, head TEXT NOT NULL, size INTEGER NOT NULL,
    PRIMARY KEY (lang, head)) WITHOUT ROWID;
"""


def save_keys(conn: sqlite3.Connection, prefix: str, keys: MemoryKeys) -> None:
    """Write ``keys`` into the tables ``<prefix>_keys`` and ``<prefix>_first`` of ``conn``."""
    conn.executescript(KEYS_DDL.format(p=prefix))
    conn.execute(f"DELETE FROM {prefix}_keys")
    conn.execute(f"DELETE FROM {prefix}_first")
    conn.executemany(f"INSERT INTO {prefix}_keys VALUES (?, ?, ?, ?, ?)", keys.rows())
    conn.executemany(
        f"INSERT INTO {prefix}_first VALUES (?, ?, ?)",
        ((lg, head, n) for (lg, head), n in keys.first.items()),
    )
    conn.execute(f"CREATE INDEX IF NOT EXISTS {prefix}_keys_key ON {prefix}_keys(key, lang, tier)")


@dataclass
class SqliteKeys:
    """Label keys read from SQLite on demand: a query costs a few indexed lookups."""

    conn: sqlite3.Connection
    prefix: str

    def get(self, lang: str, tier: int, key: str) -> Sequence[tuple[str, str]]:
        """(uri, label) of the labels with this key."""
        sql = f"SELECT uri, label FROM {self.prefix}_keys WHERE key = ? AND lang = ? AND tier = ?"
        return self.conn.execute(sql, (key, lang, tier)).fetchall()

    def longest(self, lang: str, first: str) -> int:
        """Most words of a label starting with ``first``."""
        sql = f"SELECT size FROM {self.prefix}_first WHERE lang = ? AND head = ?"
        row = self.conn.execute(sql, (lang, first)).fetchone()
        return int(row[0]) if row else 0


@dataclass
class LabelMatcher:
    """Finds labels inside text: longest span first, strictest tier first, per language.

    Args:
        store: the label keys (see :meth:`build`).
        replacements: deprecated concept -> the concepts replacing it (may be empty, then
            the deprecated concept is not matched at all).
    """

    store: KeyStore = field(default_factory=MemoryKeys)
    replacements: Mapping[str, Sequence[str]] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        labels: Iterable[tuple[str, str, str, str]],
        replacements: Mapping[str, Sequence[str]] | None = None,
    ) -> LabelMatcher:
        """Index ``(uri, lang, kind, label)`` rows; hidden labels count too (misspellings)."""
        return cls(build_keys(labels), dict(replacements or {}))

    def matches(self, text: str | None, lang: str | None = None) -> list[LabelMatch]:
        """Labels occurring in ``text``, in text order.

        Args:
            text: any text.
            lang: only labels of this language (None: en, fr and es, each with its own
                analysis; where spans of two languages overlap, the longer, then stricter,
                one is kept and equal ones are all kept).
        """
        if not text:
            return []
        return self.matches_words(tokenize(text), lang)

    def matches_words(self, words: list[str], lang: str | None = None) -> list[LabelMatch]:
        """:meth:`matches` of a text already split by :func:`socsec.analysis.tokenize`."""
        if not words:
            return []
        base = base_language(lang)
        langs = [base] if base in SUPPORTED_LANGUAGES else list(SUPPORTED_LANGUAGES)
        found: list[LabelMatch] = []
        for lg in langs:
            assert lg is not None
            found.extend(self._scan(words, lg))
        # One language's scan never overlaps itself; only several languages need sorting out.
        return _best_spans(found) if len(langs) > 1 else found

    def _scan(self, words: list[str], lang: str) -> list[LabelMatch]:
        if isinstance(self.store, MemoryKeys):
            return self._scan_memory(words, self.store.view(lang))
        stops = STOPWORDS.get(lang, frozenset())
        seq = [(n, word_keys(w, lang)) for n, w in enumerate(words) if w not in stops]
        found: list[LabelMatch] = []
        i = 0
        while i < len(seq):
            heads = set(seq[i][1])
            longest = min(max(self.store.longest(lang, h) for h in heads), len(seq) - i)
            step = 1
            for size in range(longest, 0, -1):
                span = seq[i : i + size]
                hit = self._lookup(lang, [k for _n, k in span])
                if hit is not None:
                    tier, entries = hit
                    start, end = span[0][0], span[-1][0] + 1
                    text = " ".join(words[start:end])
                    for uri, label in entries:
                        found.extend(self._resolve(uri, text, label, lang, TIERS[tier], start, end))
                    step = size
                    break
            i += step
        return found

    def _lookup(
        self, lang: str, keys: list[tuple[str, str, str]]
    ) -> tuple[int, Sequence[tuple[str, str]]] | None:
        for tier in range(len(TIERS)):
            entries = self.store.get(lang, tier, " ".join(k[tier] for k in keys))
            if entries:
                return tier, entries
        return None

    def _scan_memory(self, words: list[str], view: _LangKeys) -> list[LabelMatch]:
        """:meth:`_scan` on in-memory keys (see :meth:`_LangKeys.spans`)."""
        found: list[LabelMatch] = []
        for start, end, tier, entries in view.spans(words):
            text = " ".join(words[start:end])
            for uri, label in entries:
                found.extend(self._resolve(uri, text, label, view.lang, TIERS[tier], start, end))
        return found

    def find_words(self, words: list[str], lang: str | None = None) -> list[str]:
        """:meth:`find` of a text already split by :func:`socsec.analysis.tokenize`."""
        base = base_language(lang)
        if base not in SUPPORTED_LANGUAGES or not isinstance(self.store, MemoryKeys):
            return list(dict.fromkeys(m.uri for m in self.matches_words(words, lang)))
        # Enrichment's path: the concepts only, without a LabelMatch per label found.
        assert base is not None
        uris: dict[str, None] = {}
        replacements = self.replacements
        for _start, _end, _tier, entries in self.store.view(base).spans(words):
            for uri, _label in entries:
                if uri in replacements:
                    uris.update(dict.fromkeys(replacements[uri]))
                else:
                    uris[uri] = None
        return list(uris)

    def prepare(self) -> None:
        """Build the in-memory scanning structures of every language now (before a fork)."""
        if isinstance(self.store, MemoryKeys):
            for lang in SUPPORTED_LANGUAGES:
                self.store.view(lang)

    def _resolve(
        self, uri: str, text: str, label: str, lang: str, match: str, start: int, end: int
    ) -> list[LabelMatch]:
        if uri not in self.replacements:
            return [LabelMatch(uri, text, label, lang, match, start, end)]
        return [
            LabelMatch(new, text, label, lang, match, start, end, replaced=uri)
            for new in self.replacements[uri]
        ]

    def find(self, text: str | None, lang: str | None = None) -> list[str]:
        """URIs of concepts whose labels occur in ``text`` (all languages if ``lang`` is None)."""
        return list(dict.fromkeys(m.uri for m in self.matches(text, lang)))


def build_keys(labels: Iterable[tuple[str, str, str, str]]) -> MemoryKeys:
    """Keys of ``(uri, lang, kind, label)`` rows in en/fr/es, each in its own language."""
    keys = MemoryKeys()
    for uri, tag, _kind, label in labels:
        lang = base_language(tag)
        if lang not in SUPPORTED_LANGUAGES:
            continue
        assert lang is not None
        found = label_keys(label, lang)
        if found is not None:
            keys.add(lang, found, uri, label)
    return keys


def _best_spans(found: list[LabelMatch]) -> list[LabelMatch]:
    """Drop a match when another covers a superset of its words, or the same words better."""

    def beats(a: LabelMatch, b: LabelMatch) -> bool:
        if a.start <= b.start and b.end <= a.end and (a.end - a.start) > (b.end - b.start):
            return True
        same = (a.start, a.end) == (b.start, b.end)
        return same and TIERS.index(a.match) < TIERS.index(b.match)

    kept = [m for m in found if not any(beats(o, m) for o in found)]
    return sorted(kept, key=lambda m: (m.start, -m.end, TIERS.index(m.match), m.lang, m.uri))
