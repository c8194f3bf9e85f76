"""Word variants the thesaurus itself attests, for terms no label carries.

"prestation familiale" and "allocations familiales" name one concept, and so do "prestation
sociale" and "allocation sociale": in this thesaurus "prestation" and "allocation" stand for
each other. A term no label carries ("prestations de maladie") is then looked up with that
word replaced ("allocation de maladie", an entry term of health insurance).

A substitution counts only when labels of at least :data:`MIN_SUPPORT` concepts attest it, so
one concept's entry term for a narrower notion ("allocation de naissance" under maternity
benefit) does not make "naissance" a variant of "maternité". Nothing is precomputed: only
labels one word away from the term are read, then whether the thesaurus attests that
substitution, and only when no label matched the term itself (on the lookup hot path:
standard library only).
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

# Concepts whose labels must attest a substitution (one concept is its own entry terms).
MIN_SUPPORT = 2
# Longer terms are phrases, not terms: no variants are tried for them.
MAX_WORDS = 6
# Labels one word away from the term that are checked for an attested substitution.
MAX_CANDIDATES = 40


def near_labels(
    conn: sqlite3.Connection, base: str, words: list[str]
) -> list[tuple[str, str, int]]:
    """Labels holding all the term's (stemmed) words but one, and one other word instead.

    Returns:
        (term word, label word, label rowid) for each such label of language ``base``.
    """
    uniq = sorted(set(words))
    if not 2 <= len(uniq) <= MAX_WORDS:  # a single word has no context to anchor it
        return []
    out: list[tuple[str, str, int]] = []
    for word in uniq:
        rest = [w for w in uniq if w != word]
        marks = ",".join("?" * len(rest))
        rids = [
            r[0]
            for r in conn.execute(
                f"SELECT rid FROM label_tokens WHERE base = ? AND token IN ({marks}) "
                f"GROUP BY rid HAVING count(*) = ? AND max(n) = ? LIMIT {MAX_CANDIDATES}",
                [base, *rest, len(rest), len(uniq)],
            )
        ]
        if not rids:
            continue
        for rid, stemmed in conn.execute(
            f"SELECT rowid, stemmed FROM labels WHERE rowid IN ({','.join('?' * len(rids))})",
            rids,
        ):
            other = set(str(stemmed).split()) - set(rest)
            if len(other) == 1 and word not in other:
                out.append((word, other.pop(), int(rid)))
    return out


def support(conn: sqlite3.Connection, base: str, word: str, others: set[str]) -> dict[str, int]:
    """For each of ``others``: concepts with two labels in ``base`` that differ by ``word``
    for that word alone (stemmed words; the rest of the two labels in any order).
    """
    # The labels of the concepts holding ``word`` (the other side is often far larger).
    rows = conn.execute(
        "SELECT cid, stemmed FROM labels WHERE base = ? AND kind < 2 AND cid IN "
        "(SELECT l.cid FROM label_tokens t JOIN labels l ON l.rowid = t.rid "
        " WHERE t.base = ? AND t.token = ?)",
        [base, base, word],
    ).fetchall()
    by_concept: dict[int, list[list[str]]] = defaultdict(list)
    for cid, stemmed in rows:
        by_concept[cid].append(str(stemmed).split())
    counts: Counter[str] = Counter()
    for labels in by_concept.values():
        counts.update(substitutes_in(labels, word, others))
    return {other: counts[other] for other in others}


def substitutes_in(labels: list[list[str]], word: str, others: set[str]) -> set[str]:
    """Those of ``others`` that replace ``word`` in two labels of one concept (its stemmed
    labels' words), the rest of the two labels being the same words in any order.
    """
    with_word = [a for a in labels if word in a]
    seen: set[str] = set()
    for b in labels:
        if word in b:
            continue
        for other in others.intersection(b) - seen:
            if any(one_word_apart(a, b) == (word, other) for a in with_word):
                seen.add(other)
    return seen


def variant_rows(conn: sqlite3.Connection, base: str, words: list[str]) -> list[int]:
    """Rowids of labels that are the term with one word replaced by an attested substitute."""
    return attested(
        near_labels(conn, base, words), lambda word, others: support(conn, base, word, others)
    )


def attested(
    near: Iterable[tuple[str, str, int]], support_of: Callable[[str, set[str]], dict[str, int]]
) -> list[int]:
    """Rowids of the ``near`` labels (term word, label word, rowid) whose substitution
    ``support_of(term word, label words)`` counts in at least MIN_SUPPORT concepts.
    """
    by_word: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for word, other, rid in near:
        by_word[word][other].append(rid)
    out = []
    for word, by_other in by_word.items():
        for other, n in support_of(word, set(by_other)).items():
            if n >= MIN_SUPPORT:
                out += by_other[other]
    return out


def one_word_apart(a: list[str], b: list[str]) -> tuple[str, str] | None:
    """(word of ``a``, word of ``b``) when the two differ by that one word, in any order."""
    if len(a) != len(b) or a == b:
        return None
    ca, cb = Counter(a), Counter(b)
    gone, new = ca - cb, cb - ca
    if sum(gone.values()) != 1 or sum(new.values()) != 1:
        return None
    return next(iter(gone)), next(iter(new))
