"""Build socsec/data/translations-en-fr-es.tsv.gz: en/fr/es word and phrase translations.

Run once from the repository root (its output is committed):

    .venv/bin/python socsec/data/build_translations.py [SHARED_DATA_DIR]

Mined from the aligned preferred labels of two thesauri (see socsec/data/README.md,
"Query translations"): every concept of all of EuroVoc (eurovoc/eurovoc-en-fr-es.ttl,
© European Union, reuse authorised under Commission Decision 2011/833/EU) and of the UNESCO
Thesaurus (unesco/unesco-thesaurus-2024-10-08.ttl, © UNESCO, CC BY-SA 3.0 IGO) that has a
prefLabel in each of en, fr and es. Nothing is written by hand.

Output lines (tab-separated, UTF-8, gzip), after ``#`` comment lines naming the sources:

* ``P<TAB>source<TAB>en label<TAB>fr label<TAB>es label``: the three labels of one concept;
  a phrase found in a query is translated with its labels in the other languages.
* ``W<TAB>source<TAB>lang<TAB>word<TAB>target lang<TAB>target word<TAB>dice<TAB>pairs``: a
  word translation. For each language pair, every label pair counts each (word, word) pair
  once; a pair is kept when it occurs in at least two label pairs (or in a pair of one-word
  labels) with a Dice coefficient ``2·pairs / (n(word) + n(target))`` of at least 0.3, and
  each word keeps its best targets (at most 2, within 0.8 of the best). A one-word label
  and its translation (of up to 3 words, e.g. "vieillesse" / "old age") count as a
  dictionary entry, scored at least 0.9. Words are keyed by
  their folded singular form (socsec.analysis.light_stem); the target is the most frequent
  written form. ``source`` lists the thesauri the pair was seen in (eurovoc, unesco).
"""

from __future__ import annotations

import gzip
import sys
from collections import Counter, defaultdict
from itertools import permutations
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "translations-en-fr-es.tsv.gz"
LANGS = ("en", "fr", "es")
SOURCES = {
    "eurovoc": (
        "eurovoc/eurovoc-en-fr-es.ttl",
        "EuroVoc, © European Union, 1995-2021, Publications Office of the European Union "
        "(reuse authorised, source acknowledged: Commission Decision 2011/833/EU)",
    ),
    "unesco": (
        "unesco/unesco-thesaurus-2024-10-08.ttl",
        "UNESCO Thesaurus, © UNESCO, CC BY-SA 3.0 IGO (derived word and phrase pairs are "
        "shared under the same licence)",
    ),
}
MIN_DICE = 0.3
KEEP_WITHIN = 0.8
MAX_TARGETS = 2
SINGLE_SCORE = 0.9


def aligned_labels(path: Path) -> list[dict[str, str]]:
    """The en/fr/es prefLabels of every concept of ``path`` that has all three."""
    import pyoxigraph as ox

    pref = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    with path.open("rb") as fh:
        for quad in ox.parse(fh, format=ox.RdfFormat.TURTLE):
            if quad.predicate != pref or not isinstance(quad.object, ox.Literal):
                continue
            lang = (quad.object.language or "").lower()
            if lang in LANGS:
                labels[str(quad.subject)].setdefault(lang, quad.object.value)
    return [labels[uri] for uri in sorted(labels) if len(labels[uri]) == len(LANGS)]


def _words(label: str, lang: str) -> list[tuple[str, str]]:
    from socsec.analysis import STOPWORDS, fold, light_stem, tokenize

    out = []
    for word in tokenize(label):
        if word in STOPWORDS[lang] or len(word) < 2 or word.isdigit():
            continue
        out.append((light_stem(fold(word), lang), word))
    return out


def word_pairs(
    concepts: dict[str, list[dict[str, str]]],
) -> list[tuple[str, str, str, str, str, float, int]]:
    """Word translations (source, lang, key, target lang, target word, dice, pairs)."""
    rows = []
    for src, tgt in permutations(LANGS, 2):
        n_src: Counter[str] = Counter()
        n_tgt: Counter[str] = Counter()
        pair: Counter[tuple[str, str]] = Counter()
        single: set[tuple[str, str]] = set()
        seen_in: dict[tuple[str, str], set[str]] = defaultdict(set)
        surface: dict[str, Counter[str]] = defaultdict(Counter)
        for source, entries in concepts.items():
            for labels in entries:
                ws = _words(labels[src], src)
                wt = _words(labels[tgt], tgt)
                ks = {k for k, _ in ws}
                kt = {k for k, _ in wt}
                for k, w in wt:
                    surface[k][w] += 1
                n_src.update(ks)
                n_tgt.update(kt)
                for a in ks:
                    for b in kt:
                        pair[a, b] += 1
                        seen_in[a, b].add(source)
                if len(ks) == 1 and 1 <= len(wt) <= 3:
                    # A one-word label and its translation: a dictionary entry, even when
                    # the word is rare or the translation takes several words ("old age").
                    whole = " ".join(k for k, _ in wt)
                    single.add((next(iter(ks)), whole))
                    surface[whole][" ".join(w for _, w in wt)] += 1
                    n_tgt[whole] += 0
                    pair[next(iter(ks)), whole] += 0
                    seen_in[next(iter(ks)), whole].add(source)
        best: dict[str, list[tuple[float, int, str]]] = defaultdict(list)
        for (a, b), n in pair.items():
            if n < 2 and (a, b) not in single:
                continue
            dice = 2 * n / (n_src[a] + n_tgt[b]) if n else 0.0
            if (a, b) in single:
                dice = max(dice, SINGLE_SCORE)
            if dice >= MIN_DICE:
                best[a].append((dice, n, b))
        for a in sorted(best):
            ranked = sorted(best[a], key=lambda t: (-t[0], -t[1], t[2]))
            top = ranked[0][0]
            for dice, n, b in ranked[:MAX_TARGETS]:
                if dice < KEEP_WITHIN * top:
                    break
                word = surface[b].most_common(1)[0][0]
                source = ",".join(sorted(seen_in[a, b]))
                rows.append((source, src, a, tgt, word, round(dice, 3), n))
    return rows


def main(shared: Path) -> None:
    """Mine both thesauri and write :data:`OUTPUT`."""
    concepts = {name: aligned_labels(shared / rel) for name, (rel, _a) in SOURCES.items()}
    lines = [
        "# socsec query translations: en/fr/es phrase and word pairs mined by "
        "socsec/data/build_translations.py from the aligned prefLabels of:",
        *(
            f"# {name}: {rel} ({len(concepts[name])} concepts); {attribution}"
            for name, (rel, attribution) in SOURCES.items()
        ),
    ]
    for name, entries in concepts.items():
        for labels in entries:
            cells = [labels[lg].replace("\t", " ") for lg in LANGS]
            lines.append("\t".join(["P", name, *cells]))
    for source, src, key, tgt, word, dice, n in word_pairs(concepts):
        lines.append("\t".join(["W", source, src, key, tgt, word, str(dice), str(n)]))
    data = ("\n".join(lines) + "\n").encode("utf-8")
    OUTPUT.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
    print(f"wrote {OUTPUT} ({len(lines)} lines, {OUTPUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parents[2] / "shared" / "data")
