"""Zero-shot suggestion: how similar the document is to each concept's own labels.

The associative member can only suggest concepts that tagged records carry, and the lexical
member only concepts whose whole label occurs in the text. A concept no record carries yet
(14% of the subjects of the EUR-Lex validation acts never occur in the training acts) is
reached here: each concept becomes a pseudo-document of its labels in one language (preferred
label as title, alternative and hidden labels as text), and concepts are ranked by the TF-IDF
similarity of the document to these, the thesaurus itself being the training data, as in
Annif's vocabulary-based backends. It needs no tagged record. The index is the associative
member's (one per language, kNN over the pseudo-documents, no ridge model), saved as arrays.

A bag of all of a concept's label words rewards a partial overlap: "household allowance" is an
alternative label of *family benefit*, so a title sharing the single word "household" found it
among the best concepts. Each score is therefore multiplied by the concept's label coverage:
the share of its best-covered label's words (IDF-weighted, so a label's rare word counts more
than a common one) that occur in the document, squared. A whole label present keeps the score;
half of a two-word label keeps about a quarter of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from socsec.suggest.associative import AssociativeSuggester, term_slot
from socsec.suggest.model import Document, Evidence, Suggestion
from socsec.suggest.text import analyse, analyse_document

if TYPE_CHECKING:
    import numpy.typing as npt

    from socsec.suggest.vocabulary import Vocabulary

# Pseudo-documents that vote (each carries one concept): chosen by cross-validation on the
# EUR-Lex training acts (10 and 30 gave the same F1@5; 5 was lower).
NEIGHBOURS = 10
# Exponent of the label coverage: chosen by cross-validation on the EUR-Lex training acts
# (1 and 2 gave the same F1@5, 4 was lower); 2 is the stricter on a partial overlap.
COVERAGE_POWER = 2.0
_PREFIX = "thes."


def concept_labels(vocab: Vocabulary, lang: str) -> list[tuple[int, list[str], list[str]]]:
    """Each concept with a label in ``lang``: its preferred and its other labels, sorted."""
    labels: dict[int, list[tuple[int, str]]] = {}
    for entries in vocab.labels.get(lang, {}).values():
        for cid, kind, text in entries:
            labels.setdefault(cid, []).append((kind, text))
    out = []
    for cid in sorted(labels):
        found = sorted(set(labels[cid]))
        out.append((cid, [t for k, t in found if k == 0], [t for k, t in found if k != 0]))
    return out


def pseudo_documents(vocab: Vocabulary, lang: str) -> list[Document]:
    """One document per concept with a label in ``lang``: its labels, preferred first."""
    out = []
    for cid, pref, rest in concept_labels(vocab, lang):
        out.append(
            Document(
                id="",  # never a record: no self-match to leave out
                title=" ; ".join(pref),
                text="\n".join(rest),
                lang=lang,
                subjects=(vocab.uris[cid],),
            )
        )
    return out


@dataclass(frozen=True)
class LabelWords:
    """The analysed words of every label of every pseudo-document, as flat arrays.

    Row ``i`` (the index's pseudo-document ``i``) has the labels
    ``label_ptr[i]:label_ptr[i + 1]``; label ``j`` has the words ``words[word_ptr[j]:
    word_ptr[j + 1]]`` (hashed slots, distinct) weighted ``weights[...]`` (their IDF).
    """

    label_ptr: npt.NDArray[np.int64]
    word_ptr: npt.NDArray[np.int64]
    words: npt.NDArray[np.int64]
    weights: npt.NDArray[np.float32]

    @classmethod
    def build(cls, vocab: Vocabulary, lang: str, index: AssociativeSuggester) -> LabelWords:
        """The label words of ``lang``, in the order of ``index``'s pseudo-documents."""
        label_ptr, word_ptr, words = [0], [0], []
        for _cid, pref, rest in concept_labels(vocab, lang):
            for label in pref + rest:
                slots = sorted({term_slot(w) for w in analyse(label, lang)})
                if slots:
                    words += slots
                    word_ptr.append(len(words))
            label_ptr.append(len(word_ptr) - 1)
        flat = np.asarray(words, dtype=np.int64)
        # Every label word is in the index (the pseudo-documents are made of them).
        where = np.minimum(np.searchsorted(index.slots, flat), max(len(index.slots) - 1, 0))
        weights = index.idf[where] if len(index.slots) else np.ones(len(flat), np.float32)
        return cls(
            np.asarray(label_ptr, dtype=np.int64),
            np.asarray(word_ptr, dtype=np.int64),
            flat,
            np.asarray(weights, dtype=np.float32),
        )

    def coverage(self, doc: Document, rows: npt.NDArray[np.int64]) -> npt.NDArray[np.float32]:
        """Per pseudo-document of ``rows``: the IDF-weighted share of its best label in ``doc``.

        Args:
            doc: the document whose words count.
            rows: pseudo-documents (the index's rows) to measure.

        Returns:
            The share of the best-covered label of each row (0 for a row without labels).
        """
        analysed = analyse_document(doc)
        present = np.unique(
            np.fromiter((term_slot(w) for w in {*analysed.title, *analysed.text}), dtype=np.int64)
        )
        best = np.zeros(len(rows), dtype=np.float32)
        if not len(present):
            return best
        # Only the few rows the kNN vote reached (at most k): a row's words are contiguous.
        for out, row in enumerate(rows.tolist()):
            labels = self.word_ptr[self.label_ptr[row] : self.label_ptr[row + 1] + 1]
            if len(labels) < 2:
                continue
            lo, hi = int(labels[0]), int(labels[-1])
            weights = self.weights[lo:hi]
            hit = np.isin(self.words[lo:hi], present) * weights
            starts = labels[:-1] - lo
            total = np.add.reduceat(weights, starts)
            share = np.add.reduceat(hit, starts) / np.where(total > 0, total, 1.0)
            best[out] = float(share.max())
        return best

    def to_arrays(self, prefix: str) -> dict[str, npt.NDArray[Any]]:
        """The arrays keyed ``<prefix>label_ptr`` and so on."""
        return {
            prefix + "label_ptr": self.label_ptr,
            prefix + "word_ptr": self.word_ptr,
            prefix + "words": self.words,
            prefix + "word_idf": self.weights,
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, npt.NDArray[Any]], prefix: str) -> LabelWords:
        """The label words saved by :meth:`to_arrays`."""
        return cls(
            arrays[prefix + "label_ptr"],
            arrays[prefix + "word_ptr"],
            arrays[prefix + "words"],
            arrays[prefix + "word_idf"],
        )


class ThesaurusSuggester:
    """Similarity to the concepts' labels; see the module docstring.

    Args:
        vocab: the thesaurus snapshot.
        k: pseudo-documents that vote.
    """

    name = "thesaurus"

    def __init__(self, vocab: Vocabulary, *, k: int = NEIGHBOURS) -> None:
        self.vocab = vocab
        self.k = k
        self.by_lang: dict[str, AssociativeSuggester] = {}
        self.label_words: dict[str, LabelWords] = {}

    def fit(self, docs: Sequence[Document] = ()) -> None:
        """Index the labels of every language (``docs`` are not needed: zero-shot)."""
        self.by_lang = {}
        self.label_words = {}
        for lang in sorted(self.vocab.labels):
            pseudo = pseudo_documents(self.vocab, lang)
            if not pseudo:
                continue
            index = AssociativeSuggester(self.vocab, k=self.k, max_ridge=0)
            index.fit(pseudo)
            index.forget()
            self.by_lang[lang] = index
            self.label_words[lang] = LabelWords.build(self.vocab, lang, index)

    def score(self, doc: Document, limit: int = 100) -> dict[str, float]:
        """The ``limit`` concepts whose labels are most similar to ``doc`` and most covered."""
        lang = analyse_document(doc).lang
        index, words = self.by_lang.get(lang), self.label_words.get(lang)
        if index is None or words is None or not index.ids:
            return {}
        knn, _sims = index.scores(doc)
        # Pseudo-document i carries the one concept index.lab_idx[i] (a column of knn).
        columns = index.lab_idx[index.lab_ptr[:-1]]
        rows = np.flatnonzero(knn[columns] > 0)
        scores = np.zeros(len(knn), dtype=np.float32)
        cover = np.power(words.coverage(doc, rows), COVERAGE_POWER)
        scores[columns[rows]] = knn[columns[rows]] * cover
        count = min(limit, len(scores))
        best = np.argpartition(-scores, count - 1)[:count]
        return {index.concepts[i]: float(scores[i]) for i in best if scores[i] > 0}

    def evidence(self, doc: Document, uris: Sequence[str]) -> dict[str, tuple[Evidence, ...]]:
        """None: the similarity is to the concept's own labels, named by the suggestion."""
        return dict.fromkeys(uris, ())

    def suggest(self, doc: Document, limit: int = 10) -> list[Suggestion]:
        """The ``limit`` best concepts, best first."""
        ranked = sorted(self.score(doc).items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        return [Suggestion(uri=u, score=s, scores={self.name: s}) for u, s in ranked]

    def to_arrays(self) -> dict[str, npt.NDArray[Any]]:
        """Each language's index as arrays keyed ``thes.<lang>.<name>``."""
        arrays: dict[str, npt.NDArray[Any]] = {}
        for lang, index in self.by_lang.items():
            arrays |= index.to_arrays(f"{_PREFIX}{lang}.")
            arrays |= self.label_words[lang].to_arrays(f"{_PREFIX}{lang}.")
        return arrays

    @classmethod
    def from_arrays(
        cls, vocab: Vocabulary, arrays: dict[str, npt.NDArray[Any]]
    ) -> ThesaurusSuggester:
        """The suggester saved by :meth:`to_arrays` (no language: it suggests nothing)."""
        model = cls(vocab)
        langs = {k.split(".")[1] for k in arrays if k.startswith(_PREFIX)}
        for lang in sorted(langs):
            index = AssociativeSuggester.from_arrays(vocab, arrays, f"{_PREFIX}{lang}.")
            model.by_lang[lang] = index
            model.label_words[lang] = LabelWords.from_arrays(arrays, f"{_PREFIX}{lang}.")
            model.k = index.k
        return model
