"""Zero-shot suggestion: how similar the document is to each concept's own labels.

The associative member can only suggest concepts that tagged records carry, and the lexical
member only concepts whose whole label occurs in the text. A concept no record carries yet
(14% of the subjects of the EUR-Lex validation acts never occur in the training acts) is
reached here: each concept becomes a pseudo-document of its labels in one language (preferred
label as title, alternative and hidden labels as text), and concepts are ranked by the TF-IDF
similarity of the document to these, the thesaurus itself being the training data, as in
Annif's vocabulary-based backends. It needs no tagged record. The index is the associative
member's (one per language, kNN over the pseudo-documents, no ridge model), saved as arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from socsec.suggest.associative import AssociativeSuggester
from socsec.suggest.model import Document, Evidence, Suggestion
from socsec.suggest.text import analyse_document

if TYPE_CHECKING:
    import numpy.typing as npt

    from socsec.suggest.vocabulary import Vocabulary

# Pseudo-documents that vote (each carries one concept): chosen by cross-validation on the
# EUR-Lex training acts (10 and 30 gave the same F1@5; 5 was lower).
NEIGHBOURS = 10
_PREFIX = "thes."


def pseudo_documents(vocab: Vocabulary, lang: str) -> list[Document]:
    """One document per concept with a label in ``lang``: its labels, preferred first."""
    labels: dict[int, list[tuple[int, str]]] = {}
    for entries in vocab.labels.get(lang, {}).values():
        for cid, kind, text in entries:
            labels.setdefault(cid, []).append((kind, text))
    out = []
    for cid in sorted(labels):
        found = sorted(set(labels[cid]))
        pref = [t for k, t in found if k == 0]
        rest = [t for k, t in found if k != 0]
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

    def fit(self, docs: Sequence[Document] = ()) -> None:
        """Index the labels of every language (``docs`` are not needed: zero-shot)."""
        self.by_lang = {}
        for lang in sorted(self.vocab.labels):
            pseudo = pseudo_documents(self.vocab, lang)
            if not pseudo:
                continue
            index = AssociativeSuggester(self.vocab, k=self.k, max_ridge=0)
            index.fit(pseudo)
            index.forget()
            self.by_lang[lang] = index

    def score(self, doc: Document, limit: int = 100) -> dict[str, float]:
        """The ``limit`` concepts whose labels are most similar to ``doc``."""
        index = self.by_lang.get(analyse_document(doc).lang)
        return index.score(doc, limit) if index is not None else {}

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
            model.k = index.k
        return model
