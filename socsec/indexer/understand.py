"""Query understanding: the query's language, the concepts it names and its translations.

The query language is given (``--query-lang``) or detected from the words; it is never the
display language. Concepts are found with :class:`~socsec.indexer.labels.LabelMatcher`
(every language with its own analysis). Every content word then becomes one group of
alternative index terms: its stems in the query language, plus its translations into the
other languages, taken in this order of trust:

1. the labels of a concept of the thesaurus that the query names ("assurance chômage" ->
   "unemployment insurance"), aligned word by word;
2. a phrase of the shipped translation resource (aligned EuroVoc/UNESCO labels);
3. the word translations of that resource.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from socsec.analysis import STOPWORDS, SUPPORTED_LANGUAGES, base_language, tokenize
from socsec.indexer.documents import _variants
from socsec.indexer.labels import LabelMatch
from socsec.indexer.vocab import Vocabulary, word_key

# Words that only link others in a query ("entre hommes et femmes", "en matière de"): they
# are too common to require and their translations are noise.
QUERY_STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset("between regarding concerning".split()),
    "fr": frozenset("entre matière concernant relatif relative relatifs relatives".split()),
    "es": frozenset("entre materia relativo relativa relativos relativas sobre".split()),
}

# Letters that only one of the three languages writes.
_LETTERS = {"fr": set("çèêëàâîïôûùœ"), "es": set("ñáíóú¿¡")}


@dataclass(frozen=True)
class Translation:
    """A translation added to the query, and where it comes from.

    Attributes:
        words: the query words translated.
        lang: their language.
        target: the target language.
        text: the translation.
        source: "thesaurus" (a concept's labels) or the resource's source (eurovoc, unesco).
        via: "concept", "phrase" or "word".
    """

    words: str
    lang: str
    target: str
    text: str
    source: str
    via: str


@dataclass(frozen=True)
class Understanding:
    """What a query says: its language, concepts (label matches) and translated terms."""

    lang: str | None
    detected: bool
    matches: list[LabelMatch]
    translations: list[Translation]
    groups: tuple[tuple[str, ...], ...]


def detect_language(text: str, vocab: Vocabulary | None = None) -> str | None:
    """The language of a query among en/fr/es, or None when the words do not decide.

    Stop words and letters proper to one language count most, then words found in that
    language's labels (thesaurus and translation resource). "pension" is None (en and fr).
    """
    words = tokenize(text)
    score = dict.fromkeys(SUPPORTED_LANGUAGES, 0.0)
    for lang in SUPPORTED_LANGUAGES:
        others = [lg for lg in SUPPORTED_LANGUAGES if lg != lang]
        for word in words:
            if word in STOPWORDS[lang] and not any(word in STOPWORDS[o] for o in others):
                score[lang] += 2
            if _LETTERS.get(lang, set()) & set(word):
                score[lang] += 3
            if vocab is not None and len(word) > 2 and vocab.known(word, lang):
                score[lang] += 1
    best = max(score.values())
    leaders = [lg for lg, s in score.items() if s == best]
    return leaders[0] if best > 0 and len(leaders) == 1 else None


@lru_cache(maxsize=1 << 14)
def _stems(word: str, lang: str) -> tuple[str, ...]:
    return tuple(v for v in _variants(word, lang) if v)


def _content(text: str, langs: Sequence[str]) -> list[tuple[int, str]]:
    words = tokenize(text)
    stops = set().union(*(STOPWORDS[lg] | QUERY_STOPWORDS[lg] for lg in langs))
    content = [(n, w) for n, w in enumerate(words) if w not in stops]
    return content or list(enumerate(words))


class QueryAnalyser:
    """Understands queries against one vocabulary.

    Args:
        vocab: thesaurus label keys and the translation resource.
        pref_labels: a concept's preferred labels by base language (for translating the
            words of a concept the query names).
    """

    def __init__(self, vocab: Vocabulary, pref_labels: Callable[[str], Mapping[str, str]]) -> None:
        self.vocab = vocab
        self.pref_labels = pref_labels

    def understand(
        self,
        text: str,
        lang: str | None = None,
        *,
        expand: bool = True,
        targets: Sequence[str] | None = None,
    ) -> Understanding:
        """Analyse ``text``.

        Args:
            text: the query as typed.
            lang: the query language when the user gave it; else detected.
            expand: find concepts and translations (False: the words' own stems only).
            targets: languages to translate into (None: en, fr and es). The records'
                concept labels are indexed in every language, so translations serve only
                the records' own text: translating into a language no record is written in
                adds nothing but noise.
        """
        given = base_language(lang)
        qlang = given if given in SUPPORTED_LANGUAGES else detect_language(text, self.vocab)
        langs = [qlang] if qlang else list(SUPPORTED_LANGUAGES)
        content = _content(text, langs)
        alternatives: dict[int, dict[str, None]] = {
            n: dict.fromkeys(v for lg in langs for v in _stems(w, lg)) for n, w in content
        }
        matches: list[LabelMatch] = []
        translations: list[Translation] = []
        if expand and text.strip():
            matches = self.vocab.labels.matches(text, qlang)
            wanted = set(SUPPORTED_LANGUAGES if targets is None else targets)
            # The same translation from a less trusted source adds nothing: keep the first.
            unique = {
                (t.words, t.target, t.text): t
                for t in reversed(self._translate(text, content, qlang, matches))
                if t.target in wanted
            }
            translations = list(reversed(unique.values()))
            for t in translations:
                for n, _w in content:
                    if t.words and n in _positions(t, content):
                        alternatives[n].update(
                            dict.fromkeys(s for w in tokenize(t.text) for s in _stems(w, t.target))
                        )
        groups = tuple(dict.fromkeys(tuple(a) for n, a in sorted(alternatives.items()) if a))
        return Understanding(
            qlang, given is None and qlang is not None, matches, translations, groups
        )

    def _translate(
        self,
        text: str,
        content: list[tuple[int, str]],
        qlang: str | None,
        matches: list[LabelMatch],
    ) -> list[Translation]:
        """Word translations of the content words into the other languages."""
        words = tokenize(text)
        covered: dict[int, str] = {}
        out: list[Translation] = []
        # 1. Concepts of the thesaurus, 2. phrases of the resource: aligned per target language.
        spans: list[tuple[int, int, str, Mapping[str, str], str, str]] = []
        for m in matches:
            spans.append((m.start, m.end, m.lang, self._concept_labels(m), "thesaurus", "concept"))
        for p in self.vocab.phrases.matches(text, qlang):
            phrase = self.vocab.phrase(p.uri)
            spans.append((p.start, p.end, p.lang, phrase.labels, phrase.source, "phrase"))
        for start, end, lang, labels, source, via in spans:
            span_words = [(n, w) for n, w in content if start <= n < end]
            if any(n in covered for n, _w in span_words) and via == "phrase":
                continue
            for target, label in labels.items():
                if target == lang or not label:
                    continue
                for _n, w, text_ in self._align(span_words, lang, label, target):
                    out.append(Translation(w, lang, target, text_, source, via))
            for n, _w in span_words:
                covered.setdefault(n, via)
        # 3. Word translations, for every word: the resource knows inflections ("men") that
        # a concept label in the singular does not.
        for n, w in content:
            if len(w) < 3:
                continue
            for lang in [qlang] if qlang else SUPPORTED_LANGUAGES:
                for t in self.vocab.words(w, lang):
                    if t.target != lang:
                        out.append(Translation(words[n], lang, t.target, t.word, t.source, "word"))
        return out

    def _concept_labels(self, m: LabelMatch) -> Mapping[str, str]:
        return self.pref_labels(m.uri)

    def _align(
        self, span: list[tuple[int, str]], lang: str, label: str, target: str
    ) -> list[tuple[int, str, str]]:
        """(position, source word, target words) pairs aligning ``span`` with ``label``.

        A source word takes the label words its word translations name; when one source
        word is left, it takes the label words left (a one-word span takes the whole label).
        """
        stops = STOPWORDS[target]
        goal = [w for w in tokenize(label) if w not in stops]
        keyed = {word_key(w, target): w for w in goal}
        taken: set[str] = set()
        out: list[tuple[int, str, str]] = []
        left: list[tuple[int, str]] = []
        for n, w in span:
            hits = [
                keyed[k]
                for t in self.vocab.words(w, lang)
                if t.target == target and (k := word_key(t.word, target)) in keyed
            ]
            if hits:
                taken.update(hits)
                out.append((n, w, " ".join(dict.fromkeys(hits))))
            else:
                left.append((n, w))
        rest = [w for w in goal if w not in taken]
        if len(left) == 1 and rest:
            out.extend((n, w, " ".join(rest)) for n, w in left)
        return out


def _positions(t: Translation, content: list[tuple[int, str]]) -> set[int]:
    return {n for n, w in content if w == t.words}
