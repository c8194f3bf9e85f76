"""A snapshot of the thesaurus shaped for matching: analysed labels and the hierarchy."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from socsec.analysis import SUPPORTED_LANGUAGES, analyze, base_language

if TYPE_CHECKING:
    from socsec.thesaurus.lookup import ThesaurusCache

KIND_CODES = {"pref": 0, "alt": 1, "hidden": 2}
KIND_NAMES = ("pref", "alt", "hidden")

# One label entry: (concept index, kind code, original label text).
LabelEntry = tuple[int, int, str]
# Joins the tokens of a label key in JSON (analysed tokens never contain it).
_KEY_SEP = "\x1f"


@dataclass
class Vocabulary:
    """Concepts by index, their analysed labels per language, and broader/related links.

    Build it with :meth:`from_cache`; it is saved with the trained model (as JSON, see
    :meth:`to_json`) so that suggesting needs neither the label analysis nor the thesaurus
    cache again.

    Attributes:
        version: the thesaurus cache version it was built from.
        uris: concept URIs; a concept's index is its position here.
        labels: language -> analysed label key -> entries.
        max_len: language -> longest label key (in tokens).
        broader: direct broader concepts (indexes) per concept.
        ancestors: transitive broader concepts per concept.
        related: related concepts per concept.
        narrower_count: number of direct narrower concepts per concept.
    """

    version: str
    uris: list[str]
    labels: dict[str, dict[tuple[str, ...], list[LabelEntry]]]
    max_len: dict[str, int]
    broader: list[tuple[int, ...]]
    ancestors: list[frozenset[int]]
    related: list[tuple[int, ...]]
    narrower_count: list[int]
    index: dict[str, int] = field(default_factory=dict)
    _loose: dict[str, dict[str, list[tuple[str, ...]]]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        if not self.index:
            self.index = {uri: i for i, uri in enumerate(self.uris)}

    def loose_keys(self, lang: str) -> dict[str, list[tuple[str, ...]]]:
        """Label keys of two or more distinct tokens, filed under their rarest token.

        Matching a label's words in any order within a sentence (as Annif's MLLM does) then
        looks up only the keys filed under the sentence's own tokens. Built on first use.
        """
        found = self._loose.get(lang)
        if found is None:
            keys = [k for k in self.labels.get(lang, {}) if len(set(k)) >= 2]
            spread: dict[str, int] = {}
            for key in keys:
                for token in set(key):
                    spread[token] = spread.get(token, 0) + 1
            found = {}
            for key in keys:
                rarest = min(set(key), key=lambda t: (spread[t], t))
                found.setdefault(rarest, []).append(key)
            self._loose[lang] = found
        return found

    @classmethod
    def from_cache(cls, cache: ThesaurusCache) -> Vocabulary:
        """Read every non-deprecated concept and its en/fr/es (and untagged) labels."""
        rows = list(cache.iter_labels())
        candidates = sorted({uri for uri, *_ in rows})
        # Only the links of each concept are kept, not its whole view (labels, notes...): the
        # views of all of EuroVoc at once were a peak of training.
        views = {uri: _Links.of(cache.concept(uri)) for uri in candidates}
        uris = [uri for uri in candidates if not views[uri].deprecated]
        index = {uri: i for i, uri in enumerate(uris)}
        labels: dict[str, dict[tuple[str, ...], list[LabelEntry]]] = {
            lang: {} for lang in SUPPORTED_LANGUAGES
        }
        seen: set[tuple[str, tuple[str, ...], int]] = set()
        for uri, tag, kind, label in rows:
            if uri not in index:
                continue
            base = base_language(tag)
            # Untagged labels are matched in every language.
            langs = SUPPORTED_LANGUAGES if base is None else (base,)
            for lang in langs:
                if lang not in labels:
                    continue
                key = tuple(analyze(label, lang))
                if not key or (lang, key, index[uri]) in seen:
                    continue
                seen.add((lang, key, index[uri]))
                labels[lang].setdefault(key, []).append((index[uri], KIND_CODES[kind], label))
        broader = [tuple(index[b] for b in views[uri].broader if b in index) for uri in uris]
        related = [tuple(index[r] for r in views[uri].related if r in index) for uri in uris]
        narrower_count = [sum(1 for n in views[uri].narrower if n in index) for uri in uris]
        return cls(
            version=cache.version(),
            uris=uris,
            labels=labels,
            max_len={lang: max((len(k) for k in keys), default=0) for lang, keys in labels.items()},
            broader=broader,
            ancestors=_transitive(broader),
            related=related,
            narrower_count=narrower_count,
            index=index,
        )

    def __len__(self) -> int:
        return len(self.uris)

    def to_json(self) -> dict[str, object]:
        """The snapshot as JSON-ready data (ancestors and the index are derived on load)."""
        return {
            "version": self.version,
            "uris": self.uris,
            "labels": {
                lang: [[_KEY_SEP.join(key), entries] for key, entries in table.items()]
                for lang, table in self.labels.items()
            },
            "broader": self.broader,
            "related": self.related,
            "narrower_count": self.narrower_count,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Vocabulary:
        """The snapshot saved by :meth:`to_json`."""
        labels: dict[str, dict[tuple[str, ...], list[LabelEntry]]] = {
            lang: {
                tuple(key.split(_KEY_SEP)): [(int(c), int(k), str(t)) for c, k, t in entries]
                for key, entries in rows
            }
            for lang, rows in data["labels"].items()
        }
        broader = [tuple(b) for b in data["broader"]]
        return cls(
            version=str(data["version"]),
            uris=list(data["uris"]),
            labels=labels,
            max_len={lang: max((len(k) for k in keys), default=0) for lang, keys in labels.items()},
            broader=broader,
            ancestors=_transitive(broader),
            related=[tuple(r) for r in data["related"]],
            narrower_count=list(data["narrower_count"]),
        )


@dataclass(frozen=True)
class _Links:
    deprecated: bool
    broader: tuple[str, ...]
    related: tuple[str, ...]
    narrower: tuple[str, ...]

    @classmethod
    def of(cls, view: Any) -> _Links:
        return cls(
            bool(view.deprecated), tuple(view.broader), tuple(view.related), tuple(view.narrower)
        )


def _transitive(broader: list[tuple[int, ...]]) -> list[frozenset[int]]:
    out: list[frozenset[int]] = []
    for start in range(len(broader)):
        seen: set[int] = set()
        queue = deque(broader[start])
        while queue:
            node = queue.popleft()
            if node in seen or node == start:
                continue
            seen.add(node)
            queue.extend(broader[node])
        out.append(frozenset(seen))
    return out
