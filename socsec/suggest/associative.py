"""Associative suggestion: concepts of the tagged records most similar to the document.

Documents become TF-IDF vectors over their analysed terms and term pairs (title terms count
twice), the terms hashed into a fixed space (CRC-32), so no term dictionary is kept. Two
learners share the similarity of the document to every training record: k nearest neighbours
voting with their similarity, and a linear multi-label model (ridge regression in its dual
form, cheap while the training set has a few thousand records). Their mean is the score; the
evidence is the similar records that carry the concept. The fitted model is plain arrays (an
inverted index of the training vectors, labels, ridge coefficients), scored with numpy alone.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from socsec.suggest.model import Document, Evidence, Suggestion, best_suggestions
from socsec.suggest.text import analyse_document

if TYPE_CHECKING:
    import numpy.typing as npt

    from socsec.suggest.vocabulary import Vocabulary

# Above this many training records the dual ridge model (n x n) is skipped: kNN only. Its
# Gram matrix takes 8 n^2 bytes while training (200 MB at 5,000).
MAX_RIDGE_RECORDS = 5000
# The hashed term space: collisions are rare at a few million distinct terms and pairs.
SLOTS = 1 << 24


def terms(doc: Document) -> list[str]:
    """The TF-IDF terms of a document: analysed words (title twice) and adjacent pairs."""
    analysed = analyse_document(doc)
    out: list[str] = []
    for tokens, weight in ((analysed.title, 2), (analysed.text, 1)):
        pairs = [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]
        out += (list(tokens) + pairs) * weight
    return out


@dataclass(frozen=True)
class TermCounts:
    """A document's hashed terms (ascending) and how often each occurs."""

    slots: npt.NDArray[np.int64]
    counts: npt.NDArray[np.float32]


def term_slot(term: str) -> int:
    """The hashed slot of an analysed term (every member hashing words shares this space)."""
    return zlib.crc32(term.encode("utf-8")) & (SLOTS - 1)


def term_counts(doc: Document) -> TermCounts:
    """Hash the terms of ``doc`` and count them."""
    found = terms(doc)
    hashed = np.fromiter((term_slot(t) for t in found), dtype=np.int64, count=len(found))
    slots, counts = np.unique(hashed, return_counts=True)
    return TermCounts(slots, counts.astype(np.float32))


class AssociativeSuggester:
    """kNN voting plus a dual ridge model over TF-IDF; see the module docstring.

    Args:
        vocab: restricts suggestions to concepts of the thesaurus (None: any gold URI).
        k: neighbours that vote.
        power: similarity exponent of a vote (sharper with a larger power).
        alpha: ridge regularisation.
        knn_weight: share of the kNN score in the combined score.
        max_ridge: most training records for which the ridge model is fitted (kNN only above).
    """

    name = "associative"

    def __init__(
        self,
        vocab: Vocabulary | None = None,
        *,
        k: int = 20,
        power: float = 2.0,
        alpha: float = 1.0,
        knn_weight: float = 0.5,
        max_ridge: int = MAX_RIDGE_RECORDS,
    ) -> None:
        self.vocab = vocab
        self.max_ridge = max_ridge
        self.k = k
        self.power = power
        self.alpha = alpha
        self.knn_weight = knn_weight
        self._reset()
        self._memo: dict[Document, TermCounts] = {}

    def _reset(self) -> None:
        empty_i = np.zeros(0, dtype=np.int64)
        # The training vectors as an inverted index: for the term slots[j], the records
        # post_doc[post_ptr[j]:post_ptr[j + 1]] with weights post_val[...] (L2-normalised rows).
        self.slots = empty_i
        self.idf = np.zeros(0, dtype=np.float32)
        self.post_ptr = np.zeros(1, dtype=np.int64)
        self.post_doc = np.zeros(0, dtype=np.int32)
        self.post_val = np.zeros(0, dtype=np.float32)
        # Subjects of each training record: concepts[lab_idx[lab_ptr[i]:lab_ptr[i + 1]]].
        self.lab_ptr = np.zeros(1, dtype=np.int64)
        self.lab_idx = np.zeros(0, dtype=np.int32)
        self.dual: npt.NDArray[np.float32] | None = None  # n x L ridge coefficients
        self.concepts: list[str] = []
        self.ids: list[str] = []
        self._positions: dict[str, int] = {}
        self._column: dict[str, int] | None = None
        self._last: tuple[Document, tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]] | None
        self._last = None

    def _counts(self, doc: Document) -> TermCounts:
        found = self._memo.get(doc)
        if found is None:
            found = term_counts(doc)
            self._memo[doc] = found
        return found

    def forget(self) -> None:
        """Drop the memoised term counts (training is over)."""
        self._memo = {}
        self._last = None

    @property
    def trained_docs(self) -> int:
        """Number of training records (0 before :meth:`fit`)."""
        return len(self.ids)

    def fit(self, docs: Sequence[Document]) -> None:
        """Learn from the documents that have subjects (the others are ignored)."""
        known = self.vocab.index if self.vocab is not None else None
        tagged = [d for d in docs if any(known is None or u in known for u in d.subjects)]
        self.ids = [d.id for d in tagged]
        self._last = None
        self._positions = {rid: i for i, rid in enumerate(self.ids) if rid}
        self.dual = None
        if not tagged:
            self._reset()
            return
        concepts = sorted({u for d in tagged for u in d.subjects if known is None or u in known})
        column = {u: i for i, u in enumerate(concepts)}
        subjects = [sorted({column[u] for u in d.subjects if u in column}) for d in tagged]
        self.concepts = concepts
        self._column = None
        self.lab_ptr = np.cumsum([0] + [len(s) for s in subjects], dtype=np.int64)
        self.lab_idx = np.fromiter((c for s in subjects for c in s), dtype=np.int32)
        self._fit_vectors([self._counts(d) for d in tagged])
        if len(tagged) <= self.max_ridge:
            self.dual = self._ridge(len(tagged))

    def add(self, docs: Sequence[Document]) -> int:
        """Add tagged records to a fitted model without refitting (incremental training).

        The new records join the kNN index and vote from then on. What is not refitted: the
        IDF weights (a term first seen now gets the weight of the rarest term seen at
        fitting), and the ridge coefficients (a new record gets none: it acts through the kNN
        votes only; a new concept is suggested by kNN only). Records already in the model
        (same id) are skipped; a full :meth:`fit` is needed to take changed tags into account.

        Returns:
            The number of records added.
        """
        known = self.vocab.index if self.vocab is not None else None
        tagged = [
            d
            for d in docs
            if (not d.id or d.id not in self._positions)
            and any(known is None or u in known for u in d.subjects)
        ]
        if not tagged:
            return 0
        if not self.ids:
            self.fit(tagged)
            return len(tagged)
        column = {u: i for i, u in enumerate(self.concepts)}
        for d in tagged:
            for u in d.subjects:
                if (known is None or u in known) and u not in column:
                    column[u] = len(self.concepts)
                    self.concepts.append(u)
        subjects = [sorted({column[u] for u in d.subjects if u in column}) for d in tagged]
        lengths = np.asarray([len(x) for x in subjects], dtype=np.int64)
        self.lab_ptr = np.append(self.lab_ptr, self.lab_ptr[-1] + np.cumsum(lengths))
        self.lab_idx = np.append(
            self.lab_idx, np.fromiter((c for x in subjects for c in x), dtype=np.int32)
        )
        self._add_vectors([term_counts(d) for d in tagged])
        first = len(self.ids)
        self.ids += [d.id for d in tagged]
        self._positions |= {d.id: first + i for i, d in enumerate(tagged) if d.id}
        if self.dual is not None:
            grown = np.zeros((len(self.ids), len(self.concepts)), dtype=np.float32)
            grown[: self.dual.shape[0], : self.dual.shape[1]] = self.dual
            self.dual = grown
        self._last = None
        return len(tagged)

    def _add_vectors(self, counts: list[TermCounts]) -> None:
        """Merge the vectors of new records into the postings (IDF kept; see :meth:`add`)."""
        first = len(self.ids)
        rarest = float(self.idf.max()) if len(self.idf) else 1.0
        new_slot = np.concatenate([c.slots for c in counts])
        new_doc = np.repeat(
            np.arange(first, first + len(counts), dtype=np.int32), [len(c.slots) for c in counts]
        )
        where = np.minimum(np.searchsorted(self.slots, new_slot), max(len(self.slots) - 1, 0))
        seen = self.slots[where] == new_slot if len(self.slots) else np.zeros(len(new_slot), bool)
        idf = np.where(seen, self.idf[where] if len(self.idf) else rarest, rarest)
        val = (1.0 + np.log(np.concatenate([c.counts for c in counts]))) * idf
        norms = np.sqrt(np.bincount(new_doc - first, weights=val.astype(np.float64) ** 2))
        val = (val / np.where(norms > 0, norms, 1.0)[new_doc - first]).astype(np.float32)
        old_slot = np.repeat(self.slots, np.diff(self.post_ptr))
        slot = np.concatenate([old_slot, new_slot])
        order = np.argsort(slot, kind="stable")  # old postings first within a term
        slot = slot[order]
        post_doc = np.concatenate([self.post_doc, new_doc])[order]
        post_val = np.concatenate([self.post_val, val])[order]
        idf_all = np.concatenate([np.repeat(self.idf, np.diff(self.post_ptr)), idf])[order]
        uniq, starts = np.unique(slot, return_index=True)
        self.slots = uniq.astype(np.int64)
        self.idf = idf_all[starts].astype(np.float32)
        self.post_ptr = np.append(starts, len(slot)).astype(np.int64)
        self.post_doc = post_doc.astype(np.int32)
        self.post_val = post_val

    def _fit_vectors(self, counts: list[TermCounts]) -> None:
        n = len(counts)
        lengths = np.fromiter((len(c.slots) for c in counts), dtype=np.int64, count=n)
        doc = np.repeat(np.arange(n, dtype=np.int32), lengths)
        slot = np.concatenate([c.slots for c in counts])
        tf = 1.0 + np.log(np.concatenate([c.counts for c in counts]))  # sublinear tf
        order = np.argsort(slot, kind="stable")
        slot, doc, tf = slot[order], doc[order], tf[order]
        del order
        uniq, starts, df = np.unique(slot, return_index=True, return_counts=True)
        del slot
        idf = (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32)  # smoothed, as sklearn
        val = tf * np.repeat(idf, df)
        norms = np.sqrt(np.bincount(doc, weights=val.astype(np.float64) ** 2, minlength=n))
        val = (val / np.where(norms > 0, norms, 1.0)[doc]).astype(np.float32)
        self.slots = uniq.astype(np.int64)
        self.idf = idf
        self.post_ptr = np.append(starts, len(doc)).astype(np.int64)
        self.post_doc = doc
        self.post_val = val

    def _ridge(self, n: int) -> npt.NDArray[np.float32]:
        """Dual ridge coefficients: (X X^T + alpha I)^-1 Y (training only: scipy)."""
        from scipy import linalg, sparse  # type: ignore[import-untyped]

        # The postings are the matrix in CSC form already (no copy); its transpose is then a
        # CSR view, and one CSR copy gives the row blocks.
        by_term = sparse.csc_matrix(
            (self.post_val, self.post_doc, self.post_ptr), shape=(n, len(self.slots))
        )
        transposed = by_term.T
        matrix = by_term.tocsr()
        # Dense rows of the Gram matrix a block at a time: the sparse product of similar
        # records is nearly dense and would take twice the memory as a sparse matrix.
        # Single precision: alpha on the diagonal keeps the system well conditioned, and it
        # halves the two largest arrays of training (n x n and n x concepts).
        gram = np.empty((n, n), dtype=np.float32)
        for start in range(0, n, 512):
            gram[start : start + 512] = (matrix[start : start + 512] @ transposed).toarray()
        del matrix, transposed, by_term
        gram[np.diag_indices_from(gram)] += self.alpha
        # Fortran order, and the symmetric Gram passed transposed: LAPACK then solves in place
        # instead of copying both (a copy of each was a third of the peak at 100k records).
        labels = np.zeros((n, len(self.concepts)), dtype=np.float32, order="F")
        rows = np.repeat(np.arange(n), np.diff(self.lab_ptr))
        labels[rows, self.lab_idx] = 1.0
        solved = linalg.solve(gram.T, labels, assume_a="pos", overwrite_a=True, overwrite_b=True)
        return np.asarray(solved, dtype=np.float32)

    def similarities(self, doc: Document) -> npt.NDArray[np.float32]:
        """Cosine similarity of ``doc`` to every training record (0 for itself)."""
        n = len(self.ids)
        # Not memoised: scoring many records (automatic indexing) must not keep them all.
        counts = self._memo.get(doc) or term_counts(doc)
        where = np.searchsorted(self.slots, counts.slots)
        where = np.minimum(where, max(len(self.slots) - 1, 0))
        known = self.slots[where] == counts.slots if len(self.slots) else where < 0
        cols, tf = where[known], counts.counts[known]
        if not len(cols):
            return np.zeros(n, dtype=np.float32)
        weights = (1.0 + np.log(tf)) * self.idf[cols]
        weights /= np.sqrt(float((weights.astype(np.float64) ** 2).sum()))
        starts, ends = self.post_ptr[cols], self.post_ptr[cols + 1]
        lengths = ends - starts
        # Positions of every posting of the query's terms, without a Python loop.
        offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
        postings = offsets + np.arange(int(lengths.sum()))
        sims = np.bincount(
            self.post_doc[postings],
            weights=self.post_val[postings] * np.repeat(weights, lengths),
            minlength=n,
        ).astype(np.float32)
        if doc.id and doc.id in self._positions:
            # A tagged record asking for suggestions must not vote for itself.
            sims[self._positions[doc.id]] = 0.0
        return sims

    def scores(self, doc: Document) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
        """Per-concept scores (aligned with ``concepts``) and similarities to training records."""
        if self._last is not None and self._last[0] == doc:
            return self._last[1]
        result = self._scores(doc)
        self._last = (doc, result)
        return result

    def _scores(self, doc: Document) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
        sims = self.similarities(doc)
        top = np.argsort(-sims, kind="stable")[: self.k]
        weights = np.power(np.clip(sims[top], 0.0, None), self.power)
        total = float(weights.sum())
        knn = np.zeros(len(self.concepts), dtype=np.float64)
        if total > 0:
            lengths = self.lab_ptr[top + 1] - self.lab_ptr[top]
            cols = np.concatenate(
                [self.lab_idx[self.lab_ptr[i] : self.lab_ptr[i + 1]] for i in top]
            )
            knn = (
                np.bincount(cols, weights=np.repeat(weights, lengths), minlength=len(self.concepts))
                / total
            )
        if self.dual is None:
            return knn.astype(np.float32), sims
        ridge = np.clip(sims @ self.dual, 0.0, 1.0)
        combined = self.knn_weight * knn + (1.0 - self.knn_weight) * ridge
        return combined.astype(np.float32), sims

    def score(self, doc: Document, limit: int = 200) -> dict[str, float]:
        """The ``limit`` best concepts of ``doc`` with their scores (only scores above 0)."""
        if not self.ids:
            return {}
        combined, _sims = self.scores(doc)
        count = min(limit, len(combined))
        best = np.argpartition(-combined, count - 1)[:count]
        return {self.concepts[i]: float(combined[i]) for i in best if combined[i] > 0}

    def _columns(self) -> dict[str, int]:
        """Concept URI -> column (built once per fitted state, not per document)."""
        if self._column is None or len(self._column) != len(self.concepts):
            self._column = {u: i for i, u in enumerate(self.concepts)}
        return self._column

    def evidence(self, doc: Document, uris: Sequence[str]) -> dict[str, tuple[Evidence, ...]]:
        """For each concept, the nearest training records (up to 5) that carry it."""
        if not self.ids:
            return dict.fromkeys(uris, ())
        _combined, sims = self.scores(doc)
        neighbours = np.argsort(-sims, kind="stable")[: self.k]
        column = self._columns()
        carried = [
            set(self.lab_idx[self.lab_ptr[i] : self.lab_ptr[i + 1]].tolist()) for i in neighbours
        ]
        out: dict[str, tuple[Evidence, ...]] = {}
        for uri in uris:
            col = column.get(uri)
            voters = [] if col is None else [j for j, c in enumerate(carried) if col in c][:5]
            out[uri] = tuple(
                Evidence(
                    source="record",
                    detail=self.ids[neighbours[j]],
                    weight=float(sims[neighbours[j]]),
                )
                for j in voters
            )
        return out

    # -- saving --------------------------------------------------------------------------------
    def to_arrays(self, prefix: str = "assoc.") -> dict[str, npt.NDArray[Any]]:
        """The fitted parameters as arrays keyed ``prefix + name`` (see :mod:`.store`)."""
        arrays: dict[str, npt.NDArray[Any]] = {
            "params": np.asarray([self.k, self.power, self.alpha, self.knn_weight]),
            "slots": self.slots,
            "idf": self.idf,
            "post_ptr": self.post_ptr,
            "post_doc": self.post_doc,
            "post_val": self.post_val,
            "lab_ptr": self.lab_ptr,
            "lab_idx": self.lab_idx,
            "concepts": np.asarray(self.concepts, dtype=np.str_),
            "ids": np.asarray(self.ids, dtype=np.str_),
        }
        if self.dual is not None:
            arrays["dual"] = self.dual
        return {prefix + name: array for name, array in arrays.items()}

    @classmethod
    def from_arrays(
        cls, vocab: Vocabulary | None, arrays: dict[str, npt.NDArray[Any]], prefix: str = "assoc."
    ) -> AssociativeSuggester:
        """The suggester saved by :meth:`to_arrays` under ``prefix``."""
        k, power, alpha, knn_weight = (float(x) for x in arrays[prefix + "params"])
        assoc = cls(vocab, k=int(k), power=power, alpha=alpha, knn_weight=knn_weight)
        assoc.slots = arrays[prefix + "slots"]
        assoc.idf = arrays[prefix + "idf"]
        assoc.post_ptr = arrays[prefix + "post_ptr"]
        assoc.post_doc = arrays[prefix + "post_doc"]
        assoc.post_val = arrays[prefix + "post_val"]
        assoc.lab_ptr = arrays[prefix + "lab_ptr"]
        assoc.lab_idx = arrays[prefix + "lab_idx"]
        assoc.concepts = arrays[prefix + "concepts"].tolist()
        assoc.ids = arrays[prefix + "ids"].tolist()
        assoc.dual = arrays.get(prefix + "dual")
        assoc._positions = {rid: i for i, rid in enumerate(assoc.ids) if rid}
        return assoc

    def suggest(self, doc: Document, limit: int = 10) -> list[Suggestion]:
        """The ``limit`` best concepts, best first, with the records that voted for them."""
        return best_suggestions(self, doc, limit)
