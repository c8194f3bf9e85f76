"""Word variants the thesaurus itself attests, for terms no label carries.

"prestation familiale" and "allocations familiales" name one concept, and so do "prestation
sociale" and "allocation sociale": in this thesaurus "prestation" and "allocation" stand for
each other. A term no label carries ("prestations de maladie") is then looked up with that
word replaced ("allocation de maladie", an entry term of health insurance).

A substitution counts only when labels of at least :data:`MIN_SUPPORT` concepts attest it, so
one concept's entry term for a narrower notion ("allocation de naissance" under maternity
benefit) does not make "naissance" a variant of "maternité". Nothing is precomputed: the
pairs are read from the labels holding the term's words, only when no label matched the term
itself (on the lookup hot path: standard library only).
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict

# Concepts whose labels must attest a substitution (one concept is its own entry terms).
MIN_SUPPORT = 2
# Longer terms are phrases, not terms: no variants are tried for them.
MAX_WORDS = 6
# Variant terms tried per lookup, the best attested first.
MAX_CANDIDATES = 24


def substitutes(conn: sqlite3.Connection, base: str, words: list[str]) -> dict[str, dict[str, int]]:
    """Attested substitutes of ``words`` (stemmed) in language ``base``.

    Two labels of one concept in one language that have the same words but one give a pair
    (one word for the other); the support of a pair is the number of concepts giving it.

    Returns:
        For each of ``words`` that has some, ``{substitute: support}`` with support at least
        :data:`MIN_SUPPORT`.
    """
    wanted = sorted(set(words))
    if not wanted:
        return {}
    marks = ",".join("?" * len(wanted))
    rows = conn.execute(
        "SELECT cid, stemmed FROM labels WHERE base = ? AND kind < 2 AND cid IN "
        "(SELECT l.cid FROM label_tokens t JOIN labels l ON l.rowid = t.rid "
        f"WHERE t.base = ? AND t.token IN ({marks}))",
        [base, base, *wanted],
    ).fetchall()
    by_concept: dict[int, list[list[str]]] = defaultdict(list)
    for cid, stemmed in rows:
        by_concept[cid].append(str(stemmed).split())
    support: dict[tuple[str, str], set[int]] = defaultdict(set)
    for cid, labels in by_concept.items():
        for a in labels:
            if not any(w in a for w in wanted):
                continue
            for b in labels:
                pair = _one_word_apart(a, b)
                if pair is not None and pair[0] in wanted:
                    support[pair].add(cid)
    out: dict[str, dict[str, int]] = {}
    for (word, other), cids in support.items():
        if len(cids) >= MIN_SUPPORT:
            out.setdefault(word, {})[other] = len(cids)
    return out


def variant_terms(words: list[str], subs: dict[str, dict[str, int]]) -> list[list[str]]:
    """The term's words with one word replaced by an attested substitute, best attested first."""
    if not 2 <= len(words) <= MAX_WORDS:  # a single word has no context to anchor it
        return []
    scored: list[tuple[int, list[str]]] = []
    for i, word in enumerate(words):
        for other, n in subs.get(word, {}).items():
            scored.append((n, [*words[:i], other, *words[i + 1 :]]))
    scored.sort(key=lambda s: (-s[0], s[1]))
    return [w for _n, w in scored[:MAX_CANDIDATES]]


def _one_word_apart(a: list[str], b: list[str]) -> tuple[str, str] | None:
    """(word of ``a``, word of ``b``) when the two differ by that one word, in any order."""
    if len(a) != len(b) or a == b:
        return None
    ca, cb = Counter(a), Counter(b)
    gone, new = ca - cb, cb - ca
    if sum(gone.values()) != 1 or sum(new.values()) != 1:
        return None
    return next(iter(gone)), next(iter(new))
