"""The query vocabulary: thesaurus label keys and the shipped translations, in one SQLite file.

A search needs a handful of lookups in it, so the file is opened, not loaded: a whole-process
``socsec search`` no longer reads a multi-megabyte label index. It is rebuilt (atomically)
when the thesaurus, the translation file or the analysis changes; a read-only data dir gets
an in-memory copy instead.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from socsec.analysis import SUPPORTED_LANGUAGES, fold, light_stem, tokenize
from socsec.indexer.labels import (
    LabelMatcher,
    MemoryKeys,
    SqliteKeys,
    build_keys,
    label_keys,
    save_keys,
)

if TYPE_CHECKING:
    from socsec.indexer.documents import ThesaurusLike

VOCAB_VERSION = "1"
"""Bump when label keys or the layout change: every vocabulary file is then rebuilt."""

TRANSLATIONS = "translations-en-fr-es.tsv.gz"

_DDL = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS replaced(uri TEXT NOT NULL, by TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS phrases(
    id TEXT PRIMARY KEY, source TEXT NOT NULL, en TEXT NOT NULL, fr TEXT NOT NULL, es TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS words(
    lang TEXT NOT NULL, key TEXT NOT NULL, target TEXT NOT NULL, word TEXT NOT NULL,
    source TEXT NOT NULL, dice REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS known(lang TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (lang, key))
    WITHOUT ROWID;
"""


@dataclass(frozen=True)
class Phrase:
    """One aligned label triple of the translation resource."""

    id: str
    source: str
    labels: Mapping[str, str]


@dataclass(frozen=True)
class WordTranslation:
    """A word translation of the resource (``word`` in language ``target``)."""

    target: str
    word: str
    source: str
    dice: float


def _translation_file() -> Path:
    return Path(str(resources.files("socsec.data").joinpath(TRANSLATIONS)))


def _stamp(thesaurus: ThesaurusLike) -> str:
    path = _translation_file()
    size = path.stat().st_size if path.exists() else 0
    return f"{VOCAB_VERSION}:{thesaurus.version()}:{size}"


def word_key(word: str, lang: str) -> str:
    """The key of one word in the translation and known-word tables (folded singular)."""
    return light_stem(fold(word), lang)


def _iter_translations() -> Iterator[list[str]]:
    path = _translation_file()
    if not path.exists():
        return
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if not line.startswith("#"):
                yield line.rstrip("\n").split("\t")


def _fill(conn: sqlite3.Connection, thesaurus: ThesaurusLike, stamp: str) -> None:
    conn.executescript(_DDL)
    labels = list(thesaurus.iter_labels())
    save_keys(conn, "label", build_keys(labels))
    conn.executemany(
        "INSERT INTO replaced VALUES (?, ?)",
        [(u, b) for u, bys in thesaurus.replacements().items() for b in bys],
    )
    phrase_keys = MemoryKeys()
    phrases = []
    words = []
    known: set[tuple[str, str]] = set()
    for n, row in enumerate(_iter_translations()):
        if row[0] == "P" and len(row) == 5:
            pid = f"p{n}"
            phrases.append((pid, row[1], row[2], row[3], row[4]))
            for lang, label in zip(SUPPORTED_LANGUAGES, row[2:5], strict=True):
                keys = label_keys(label, lang)
                if keys is not None:
                    phrase_keys.add(lang, keys, pid, label)
                known.update((lang, word_key(w, lang)) for w in tokenize(label))
        elif row[0] == "W" and len(row) == 8:
            words.append((row[2], row[3], row[4], row[5], row[1], float(row[6])))
    for _uri, tag, _kind, label in labels:
        lang = tag.split("-", 1)[0]
        if lang in SUPPORTED_LANGUAGES:
            known.update((lang, word_key(w, lang)) for w in tokenize(label))
    save_keys(conn, "phrase", phrase_keys)
    conn.executemany("INSERT INTO phrases VALUES (?, ?, ?, ?, ?)", phrases)
    conn.executemany("INSERT INTO words VALUES (?, ?, ?, ?, ?, ?)", words)
    conn.executemany("INSERT OR IGNORE INTO known VALUES (?, ?)", sorted(known))
    conn.execute("CREATE INDEX IF NOT EXISTS words_key ON words(key, lang)")
    conn.execute("INSERT OR REPLACE INTO meta VALUES ('stamp', ?)", (stamp,))


def _current(path: Path, stamp: str) -> sqlite3.Connection | None:
    if not path.exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        row = conn.execute("SELECT value FROM meta WHERE key = 'stamp'").fetchone()
    except sqlite3.Error:
        return None
    if row is None or row[0] != stamp:
        conn.close()
        return None
    return conn


class Vocabulary:
    """Label keys of the thesaurus and the translation resource, read from SQLite.

    Args:
        conn: an open vocabulary database (see :meth:`open`).
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        replaced: dict[str, list[str]] = {}
        for uri, by in conn.execute("SELECT uri, by FROM replaced ORDER BY uri, by"):
            replaced.setdefault(uri, []).append(by)
        self.labels = LabelMatcher(SqliteKeys(conn, "label"), replaced)
        self.phrases = LabelMatcher(SqliteKeys(conn, "phrase"))

    @classmethod
    def open(cls, path: Path | None, thesaurus: ThesaurusLike) -> Vocabulary:
        """The vocabulary at ``path``, (re)built first when missing or outdated.

        Args:
            path: the vocabulary file; None keeps it in memory only.
            thesaurus: the thesaurus whose labels it holds.
        """
        stamp = _stamp(thesaurus)
        if path is not None:
            conn = _current(path, stamp)
            if conn is not None:
                return cls(conn)
            tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            with contextlib.suppress(OSError, sqlite3.Error):  # read-only dir: in memory below
                tmp.unlink(missing_ok=True)
                build = sqlite3.connect(tmp)
                try:
                    with build:
                        _fill(build, thesaurus, stamp)
                finally:
                    build.close()
                os.replace(tmp, path)
                conn = _current(path, stamp)
                if conn is not None:
                    return cls(conn)
        memory = sqlite3.connect(":memory:", check_same_thread=False)
        _fill(memory, thesaurus, stamp)
        return cls(memory)

    def close(self) -> None:
        """Close the database."""
        self.conn.close()

    def memory_matcher(self) -> LabelMatcher:
        """The thesaurus label matcher with every key in memory (for enriching many records)."""
        keys = MemoryKeys()
        for lang, tier, key, uri, label in self.conn.execute("SELECT * FROM label_keys"):
            entries = keys.keys.setdefault((lang, tier, key), [])
            entries.append((uri, label))
        for lang, head, size in self.conn.execute("SELECT * FROM label_first"):
            keys.first[lang, head] = size
        return LabelMatcher(keys, self.labels.replacements)

    def phrase(self, pid: str) -> Phrase:
        """The aligned labels of a phrase entry found by :attr:`phrases`."""
        row = self.conn.execute(
            "SELECT id, source, en, fr, es FROM phrases WHERE id = ?", (pid,)
        ).fetchone()
        return Phrase(row[0], row[1], dict(zip(SUPPORTED_LANGUAGES, row[2:], strict=True)))

    def words(self, word: str, lang: str) -> Sequence[WordTranslation]:
        """Translations of one word of language ``lang``, best first."""
        rows = self.conn.execute(
            "SELECT target, word, source, dice FROM words WHERE key = ? AND lang = ? "
            "ORDER BY target, dice DESC, word",
            (word_key(word, lang), lang),
        )
        return [WordTranslation(*r) for r in rows]

    def known(self, word: str, lang: str) -> bool:
        """Whether ``word`` occurs in a label of language ``lang`` (thesaurus or resource)."""
        row = self.conn.execute(
            "SELECT 1 FROM known WHERE lang = ? AND key = ?", (lang, word_key(word, lang))
        ).fetchone()
        return row is not None
