"""Associative suggestion: concepts of the tagged records most similar to the document.

Documents become TF-IDF vectors over their analysed terms and term pairs (title terms count
twice). Two learners share the similarity of the document to every training record: k nearest
neighbours voting with their similarity, and a linear multi-label model (ridge regression in
its dual form, cheap while the training set has a few thousand records). Their mean is the
score; the evidence is the similar records that carry the concept.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from socsec.suggest.model import Document, Evidence, Suggestion
from socsec.suggest.text import analyse_document

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from socsec.suggest.vocabulary import Vocabulary

# Above this many training records the dual ridge model (n x n) is skipped: kNN only.
MAX_RIDGE_RECORDS = 8000


def terms(doc: Document) -> list[str]:
    """The TF-IDF terms of a document: analysed words (title twice) and adjacent pairs."""
    analysed = analyse_document(doc)
    out: list[str] = []
    for tokens, weight in ((analysed.title, 2), (analysed.text, 1)):
        pairs = [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]
        out += (list(tokens) + pairs) * weight
    return out


def _identity(items: list[str]) -> list[str]:
    return items


class AssociativeSuggester:
    """kNN voting plus a dual ridge model over TF-IDF; see the module docstring.

    Args:
        vocab: restricts suggestions to concepts of the thesaurus (None: any gold URI).
        k: neighbours that vote.
        power: similarity exponent of a vote (sharper with a larger power).
        alpha: ridge regularisation.
        knn_weight: share of the kNN score in the combined score.
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
    ) -> None:
        self.vocab = vocab
        self.k = k
        self.power = power
        self.alpha = alpha
        self.knn_weight = knn_weight
        self.vectorizer: Any = None
        self.matrix: Any = None  # training TF-IDF, sparse n x V
        self.labels: Any = None  # sparse n x L, 0/1
        self.dual: npt.NDArray[np.float32] | None = None  # n x L ridge coefficients
        self.concepts: list[str] = []
        self.ids: list[str] = []
        self._positions: dict[str, int] = {}
        self._last: tuple[Document, tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]] | None
        self._last = None
        self._memo: dict[Document, list[str]] = {}

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_memo"] = {}
        state["_last"] = None
        return state

    def _terms(self, doc: Document) -> list[str]:
        found = self._memo.get(doc)
        if found is None:
            found = terms(doc)
            if len(self._memo) < 50_000:
                self._memo[doc] = found
        return found

    @property
    def trained_docs(self) -> int:
        """Number of training records (0 before :meth:`fit`)."""
        return len(self.ids)

    def fit(self, docs: Sequence[Document]) -> None:
        """Learn from the documents that have subjects (the others are ignored)."""
        import numpy as np
        from scipy import sparse  # type: ignore[import-untyped]
        from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]

        known = self.vocab.index if self.vocab is not None else None
        tagged = [d for d in docs if any(known is None or u in known for u in d.subjects)]
        self.ids = [d.id for d in tagged]
        self._last = None
        self._positions = {rid: i for i, rid in enumerate(self.ids) if rid}
        if not tagged:
            self.vectorizer = self.matrix = self.labels = self.dual = None
            self.concepts = []
            return
        concepts = sorted({u for d in tagged for u in d.subjects if known is None or u in known})
        column = {u: i for i, u in enumerate(concepts)}
        rows, cols = [], []
        for i, d in enumerate(tagged):
            for u in set(d.subjects):
                if u in column:
                    rows.append(i)
                    cols.append(column[u])
        self.concepts = concepts
        self.labels = sparse.csr_matrix(
            (np.ones(len(rows), dtype=np.float32), (rows, cols)),
            shape=(len(tagged), len(concepts)),
        )
        self.vectorizer = TfidfVectorizer(
            analyzer=_identity, sublinear_tf=True, min_df=1, dtype=np.float32
        )
        self.matrix = self.vectorizer.fit_transform([self._terms(d) for d in tagged]).tocsr()
        self.dual = None
        if len(tagged) <= MAX_RIDGE_RECORDS:
            gram = (self.matrix @ self.matrix.T).toarray().astype(np.float64)
            gram[np.diag_indices_from(gram)] += self.alpha
            dense = self.labels.toarray().astype(np.float64)
            self.dual = np.linalg.solve(gram, dense).astype(np.float32)

    def scores(self, doc: Document) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
        """Per-concept scores (aligned with ``concepts``) and similarities to training records."""
        if self._last is not None and self._last[0] == doc:
            return self._last[1]
        result = self._scores(doc)
        self._last = (doc, result)
        return result

    def _scores(self, doc: Document) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
        import numpy as np

        vector = self.vectorizer.transform([self._terms(doc)])
        sims = np.asarray((self.matrix @ vector.T).toarray()).ravel().astype(np.float32)
        if doc.id and doc.id in self._positions:
            # A tagged record asking for suggestions must not vote for itself.
            sims[self._positions[doc.id]] = 0.0
        top = np.argsort(-sims, kind="stable")[: self.k]
        weights = np.power(np.clip(sims[top], 0.0, None), self.power)
        total = float(weights.sum())
        knn = np.zeros(len(self.concepts), dtype=np.float32)
        if total > 0:
            knn = np.asarray(self.labels[top].T @ weights).ravel().astype(np.float32) / total
        if self.dual is None:
            return knn, sims
        ridge = np.clip(sims @ self.dual, 0.0, 1.0).astype(np.float32)
        combined = self.knn_weight * knn + (1.0 - self.knn_weight) * ridge
        return combined.astype(np.float32), sims

    def score(self, doc: Document, limit: int = 200) -> dict[str, float]:
        """The ``limit`` best concepts of ``doc`` with their scores (only scores above 0)."""
        import numpy as np

        if self.matrix is None:
            return {}
        combined, _sims = self.scores(doc)
        count = min(limit, len(combined))
        best = np.argpartition(-combined, count - 1)[:count]
        return {self.concepts[i]: float(combined[i]) for i in best if combined[i] > 0}

    def evidence(self, doc: Document, uris: Sequence[str]) -> dict[str, tuple[Evidence, ...]]:
        """For each concept, the nearest training records (up to 5) that carry it."""
        import numpy as np

        if self.matrix is None:
            return dict.fromkeys(uris, ())
        _combined, sims = self.scores(doc)
        neighbours = np.argsort(-sims, kind="stable")[: self.k]
        column = {u: i for i, u in enumerate(self.concepts)}
        carried = self.labels[neighbours]
        out: dict[str, tuple[Evidence, ...]] = {}
        for uri in uris:
            col = column.get(uri)
            voters = [] if col is None else carried[:, col].nonzero()[0][:5]
            out[uri] = tuple(
                Evidence(
                    source="record",
                    detail=self.ids[neighbours[i]],
                    weight=float(sims[neighbours[i]]),
                )
                for i in voters
            )
        return out

    def suggest(self, doc: Document, limit: int = 10) -> list[Suggestion]:
        """The ``limit`` best concepts, best first, with the records that voted for them."""
        ranked = sorted(self.score(doc).items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        evidence = self.evidence(doc, [u for u, _s in ranked])
        return [
            Suggestion(uri=u, score=s, evidence=evidence[u], scores={self.name: s})
            for u, s in ranked
        ]
