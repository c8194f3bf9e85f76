"""The SQLite layout of the compiled lookup cache (shared by compile.py and lookup.py)."""

from __future__ import annotations

# Bump when the layout changes: an older cache is then rebuilt from the thesaurus of record.
SCHEMA_VERSION = "5"

KIND_CODES = {"pref": 0, "alt": 1, "hidden": 2}
KIND_NAMES = ("pref", "alt", "hidden")

DDL = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE schemes (uri TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE concepts (
    id INTEGER PRIMARY KEY,
    uri TEXT NOT NULL UNIQUE,
    notation TEXT,
    deprecated INTEGER NOT NULL DEFAULT 0,
    narrower_count INTEGER NOT NULL DEFAULT 0,
    data TEXT NOT NULL
);
CREATE TABLE concept_schemes (cid INTEGER NOT NULL, scheme TEXT NOT NULL, top INTEGER NOT NULL);
CREATE TABLE labels (
    cid INTEGER NOT NULL,
    lang TEXT NOT NULL,
    base TEXT NOT NULL,
    kind INTEGER NOT NULL,
    label TEXT NOT NULL,
    folded TEXT NOT NULL,
    stemmed TEXT NOT NULL
);
-- Word-prefix search over folded labels ("chom" finds "assurance chomage").
CREATE VIRTUAL TABLE label_words USING fts5(
    folded, content='labels', tokenize='unicode61 remove_diacritics 2', prefix='2 3'
);
-- Stemmed words of each label (rid = labels.rowid, n = its distinct words): word-order-free
-- and partial (token overlap) matching.
CREATE TABLE label_tokens (token TEXT NOT NULL, base TEXT NOT NULL, rid INTEGER NOT NULL,
    n INTEGER NOT NULL);
CREATE TABLE broader (cid INTEGER NOT NULL, pid INTEGER NOT NULL);
CREATE TABLE closure (anc INTEGER NOT NULL, des INTEGER NOT NULL, depth INTEGER NOT NULL);
"""

INDEXES = """
CREATE INDEX concepts_notation ON concepts (notation);
CREATE INDEX concept_schemes_scheme ON concept_schemes (scheme, top);
CREATE INDEX concept_schemes_cid ON concept_schemes (cid);
CREATE INDEX labels_label ON labels (label);
CREATE INDEX labels_folded ON labels (folded);
INSERT INTO label_words (label_words) VALUES ('rebuild');
CREATE INDEX label_tokens_token ON label_tokens (token, base);
-- Typo matching scores only labels of about the term's length.
CREATE INDEX labels_length ON labels (base, length(folded));
-- Folded matching ignores spaces ("healthcare" finds "health care").
CREATE INDEX labels_joined ON labels (replace(folded, ' ', ''));
CREATE INDEX labels_stemmed ON labels (stemmed, base);
CREATE INDEX labels_cid ON labels (cid);
CREATE INDEX broader_cid ON broader (cid);
CREATE INDEX broader_pid ON broader (pid);
CREATE INDEX closure_des ON closure (des, depth);
CREATE INDEX closure_anc ON closure (anc, depth);
"""
