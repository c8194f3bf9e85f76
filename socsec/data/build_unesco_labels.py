"""Build the UNESCO add-on of the bundled thesaurus: non-preferred terms of the same concepts.

Run once from the repository root (its outputs are committed):

    .venv/bin/python socsec/data/build_unesco_labels.py [SHARED_DATA_DIR]

Writes, beside this script:

* ``unesco-labels-socprot.ttl``: ``skos:altLabel`` triples (en/fr/es) on concepts of the
  bundled EuroVoc extract, and a ``prov:Entity`` naming the source, licence and attribution.
  ``socsec.thesaurus.bundle`` imports it after the extract on first run.
* ``unesco-labels-socprot.tsv``: one line per added label with its provenance: EuroVoc
  concept, language, label, the UNESCO concept it comes from, the source file's repository,
  commit, path and sha256, and the licence.

Source: the UNESCO Thesaurus export of 2024-10-08 kept in ``unesco/`` of the shared data
(``thesaurus/unesco-thesaurus.ttl`` of github.com/javiervzpucp/metadatos-archivo at commit
496033c6), © UNESCO, CC BY-SA 3.0 IGO. Share-alike: the add-on file carries that licence
and stays a separate file; the EuroVoc extract it annotates keeps its own (Decision
2011/833/EU). All of EuroVoc (``eurovoc/eurovoc-en-fr-es.ttl``) is read to avoid clashes.

The rule is mechanical; no label is written by hand or guessed:

1. Same concept: a UNESCO concept and a concept of the extract whose preferred labels agree
   in all three of en, fr and es, after folding (case, accents, punctuation) and singular
   forms ("Pensions" = "pension"), one to one.
2. Cut the same way: if any label of the UNESCO concept (preferred or not, en/fr/es) is a
   label of another EuroVoc concept, UNESCO lumps notions EuroVoc separates (its "Social
   security" has "Assurance chômage", EuroVoc's unemployment insurance): none of its labels
   is taken.
3. Each alternative label of such a UNESCO concept is added, unless (folded, singular) it is
   already a label of any EuroVoc concept.
"""

from __future__ import annotations

import hashlib
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXTRACT = HERE / "eurovoc-social-protection.ttl"
OUTPUT = HERE / "unesco-labels-socprot.ttl"
PROVENANCE = HERE / "unesco-labels-socprot.tsv"
UNESCO_FILE = "unesco/unesco-thesaurus-2024-10-08.ttl"
ALL_EUROVOC = "eurovoc/eurovoc-en-fr-es.ttl"
REPOSITORY = "https://github.com/javiervzpucp/metadatos-archivo"
COMMIT = "496033c6993c5b95365792521df741574fc804fb"
UPSTREAM_PATH = "thesaurus/unesco-thesaurus.ttl"
LICENSE = "https://creativecommons.org/licenses/by-sa/3.0/igo/"
ISSUED = "2024-10-08"  # the UNESCO export's dct:modified
ATTRIBUTION = "UNESCO Thesaurus, © UNESCO, http://vocabularies.unesco.org/thesaurus"
LANGS = ("en", "fr", "es")
SKOS = "http://www.w3.org/2004/02/skos/core#"

# (uri -> lang -> labels) for preferred and alternative labels.
Labels = dict[str, dict[str, list[str]]]


def read_labels(path: Path) -> tuple[Labels, Labels]:
    """The en/fr/es prefLabels and altLabels of every subject of a Turtle file."""
    import pyoxigraph as ox

    pref: Labels = defaultdict(lambda: defaultdict(list))
    alt: Labels = defaultdict(lambda: defaultdict(list))
    wanted = {SKOS + "prefLabel": pref, SKOS + "altLabel": alt}
    with path.open("rb") as fh:
        for quad in ox.parse(fh, format=ox.RdfFormat.TURTLE):
            table = wanted.get(quad.predicate.value)
            if table is None or not isinstance(quad.object, ox.Literal):
                continue
            lang = (quad.object.language or "").lower()
            if lang in LANGS:
                table[quad.subject.value][lang].append(quad.object.value)
    return pref, alt


def key(label: str, lang: str) -> str:
    """A label folded, each word in the singular: what "agree" means here."""
    from socsec.analysis import fold, singular

    return " ".join(singular(w, lang) for w in fold(label).split())


def same_concepts(extract: Labels, unesco: Labels) -> dict[str, str]:
    """EuroVoc URI -> UNESCO URI for concepts whose en, fr and es prefLabels all agree."""

    def triples(table: Labels) -> dict[tuple[str, ...], list[str]]:
        out: dict[tuple[str, ...], list[str]] = defaultdict(list)
        for uri, by_lang in table.items():
            if all(by_lang.get(lg) for lg in LANGS):
                out[tuple(key(by_lang[lg][0], lg) for lg in LANGS)].append(uri)
        return out

    ours, theirs = triples(extract), triples(unesco)
    return {
        ours[k][0]: theirs[k][0]
        for k in sorted(ours.keys() & theirs.keys())
        if len(ours[k]) == 1 and len(theirs[k]) == 1  # one to one
    }


def build(shared: Path) -> list[tuple[str, str, str, str]]:
    """The labels to add: (EuroVoc URI, lang, label, UNESCO URI), sorted."""
    extract_pref, _ = read_labels(EXTRACT)
    unesco_pref, unesco_alt = read_labels(shared / UNESCO_FILE)
    all_pref, all_alt = read_labels(shared / ALL_EUROVOC)
    owners: dict[tuple[str, str], set[str]] = defaultdict(set)  # (lang, key) -> EuroVoc URIs
    for table in (all_pref, all_alt, *read_labels(EXTRACT)):
        for uri, by_lang in table.items():
            for lg, labels in by_lang.items():
                for label in labels:
                    owners[lg, key(label, lg)].add(uri)
    rows = []
    for ev, un in same_concepts(extract_pref, unesco_pref).items():
        theirs = [
            (lg, label)
            for table in (unesco_pref, unesco_alt)
            for lg, labels in table[un].items()
            for label in labels
        ]
        if any(owners[lg, key(label, lg)] - {ev} for lg, label in theirs):
            continue  # UNESCO cuts this notion differently (rule 2)
        for lg, labels in sorted(unesco_alt[un].items()):
            for label in sorted(set(labels)):
                if not owners[lg, key(label, lg)]:
                    rows.append((ev, lg, label, un))
    return sorted(set(rows))


def _literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write(rows: list[tuple[str, str, str, str]], shared: Path) -> None:
    """Write :data:`OUTPUT` and :data:`PROVENANCE`."""
    digest = hashlib.sha256((shared / UNESCO_FILE).read_bytes()).hexdigest()
    source = f"{REPOSITORY}/blob/{COMMIT}/{UPSTREAM_PATH}"
    concepts = sorted({r[0] for r in rows})
    lines = [
        "@prefix cc: <http://creativecommons.org/ns#> .",
        "@prefix dct: <http://purl.org/dc/terms/> .",
        "@prefix prov: <http://www.w3.org/ns/prov#> .",
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
        "",
        "<urn:x-socsec:unesco-labels-socprot> a prov:Entity ;",
        f"    cc:attributionName {_literal(ATTRIBUTION)} ;",
        "    dct:title "
        + _literal("UNESCO Thesaurus non-preferred terms for the bundled EuroVoc extract")
        + "@en ;",
        "    dct:description "
        + _literal(
            f"{len(rows)} alternative labels (en/fr/es) of {len(concepts)} concepts of the "
            "bundled EuroVoc extract, taken from the UNESCO Thesaurus concepts whose en, fr "
            "and es preferred labels agree with theirs (folded, singular), when no label of "
            "that UNESCO concept is a label of another EuroVoc concept and the label is not "
            "already a EuroVoc label. Built by socsec/data/build_unesco_labels.py; "
            "provenance of each label in unesco-labels-socprot.tsv. Not an official UNESCO "
            "or EuroVoc publication."
        )
        + "@en ;",
        f'    dct:issued "{ISSUED}"^^xsd:date ;',
        f"    dct:license <{LICENSE}> ;",
        "    dct:rights "
        + _literal(
            "© UNESCO. UNESCO Thesaurus, licensed under Creative Commons Attribution-ShareAlike "
            "3.0 IGO (CC BY-SA 3.0 IGO); this file is shared under the same licence."
        )
        + "@en ;",
        "    dct:source <http://vocabularies.unesco.org/thesaurus> ;",
        f"    prov:wasDerivedFrom <{source}> .",
        "",
    ]
    by_concept: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for ev, lg, label, _un in rows:
        by_concept[ev].append((lg, label))
    for ev in concepts:
        values = ",\n        ".join(f"{_literal(label)}@{lg}" for lg, label in by_concept[ev])
        lines += [f"<{ev}> skos:altLabel {values} .", ""]
    OUTPUT.write_text("\n".join(lines), encoding="utf-8")
    columns = "eurovoc_concept lang label unesco_concept repository commit path sha256 license"
    tsv = [columns.replace(" ", "\t")] + [
        "\t".join((ev, lg, label, un, REPOSITORY, COMMIT, UPSTREAM_PATH, digest, LICENSE))
        for ev, lg, label, un in rows
    ]
    PROVENANCE.write_text("\n".join(tsv) + "\n", encoding="utf-8")
    print(f"wrote {OUTPUT.name}, {PROVENANCE.name}: {len(rows)} labels, {len(concepts)} concepts")


def main(shared: Path) -> None:
    """Build and write the add-on from the shared data dir."""
    write(build(shared), shared)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parents[2] / "shared" / "data")
