"""Fetch the real-world corpus into tests/data/realworld/ (bibliographic files) and
tests/data/realworld/skos/ (SKOS vocabularies): verbatim files from public GitHub repositories
whose licences allow redistribution; write each folder's manifest.json and README.md.

Usage:
    python scripts/fetch_realworld.py                    # from raw.githubusercontent.com
    python scripts/fetch_realworld.py --mirror-root DIR  # from local git mirrors DIR/owner+name

Each file is pinned to a commit; its SHA-256 goes into manifest.json so the test can tell a
changed file. Nothing is edited: a file that socsec refuses is kept as it is (that is the point).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import urllib.request
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "realworld"
SKOS_OUT = OUT / "skos"

BIBTEXPARSER = ("sciunto-org/python-bibtexparser", "2a6565624af5a993d63dda882ad533079d10fd4b",
                "BSD-3-Clause or LGPL-3.0 (dual, COPYING)")  # fmt: skip
RISPY = ("MrTango/rispy", "b7aae3b2069ced3fb75287711300f2edf0bcac21", "MIT")
RISPY_OLD = ("MrTango/rispy", "7ad57e53a01ef60482ec5a62fa3a33ea2fcd86c2", "MIT")
PYMARC = ("edsu/pymarc", "cf33051421ac74389c1bc6d54921fb9612083d1b", "BSD-2-Clause")
CITEPROC = ("brechtm/citeproc-py", "dc1eabee29e8c3f948965c5b34c2a3daed9779a9", "BSD-2-Clause")
MANUBOT = ("manubot/manubot", "4fb805a04a2810709d748b8257096b237a26689f",
           "BSD-2-Clause-Patent")  # fmt: skip

# (local file name, source, path in the repository, what it is)
FILES: list[tuple[str, tuple[str, str, str], str, str]] = [
    *(
        (f"bibtexparser-{Path(p).name}", BIBTEXPARSER, f"bibtexparser/tests/data/{p}", what)
        for p, what in [
            ("article.bib", "BibTeX article, LaTeX accents"),
            ("book.bib", "BibTeX book"),
            ("features.bib", "@string macros, comments"),
            ("features2.bib", "@string concatenation"),
            ("traps.bib", "tricky braces and quotes"),
            ("biber-examples.bib", "biblatex: biber's own examples (dates, ranges, types)"),
            ("encoding.bib", "LaTeX-encoded accents"),
            ("multiple_entries_and_comments.bib", "entries between comments"),
            ("website.bib", "@misc with url"),
            ("article_with_strings.bib", "@string references"),
            ("crossref_entries.bib", "crossref between entries"),
            ("wrong.bib", "malformed BibTeX (a parser test input)"),
            ("article_start_with_bom.bib", "UTF-8 byte order mark"),
            ("comments_spaces_and_declarations.bib", "@comment and @preamble"),
            ("string.bib", "@string only"),
            ("article_with_special_characters.bib", "special characters"),
        ]
    ),
    *(
        (f"rispy-{Path(p).name}", RISPY, f"tests/data/{p}", what)
        for p, what in [
            ("example_basic.ris", "RIS basic"),
            ("example_bom.ris", "RIS with a byte order mark"),
            ("example_full.ris", "RIS, many tags"),
            ("example_wos.ris", "Web of Science export"),
            ("example_utf_chars.ris", "non-ASCII values"),
            ("example_multiline.ris", "values over several lines"),
            ("example_urls.ris", "several UR tags"),
            ("example_extraneous_data.ris", "text around the records"),
            ("example_empty_tag.ris", "empty tags"),
            ("example_multi_unknown_tags.ris", "unknown tags"),
            ("example_starting_newlines.ris", "blank lines first"),
        ]
    ),
    ("rispy-example_endnote.ris", RISPY_OLD, "tests/data/example_endnote.ris", "EndNote export"),
    ("pymarc-batch.xml", PYMARC, "test/batch.xml", "MARCXML collection (Library of Congress)"),
    ("pymarc-utf8.xml", PYMARC, "test/utf8.xml", "MARCXML, UTF-8 diacritics"),
    ("pymarc-bad_tag.xml", PYMARC, "test/bad_tag.xml", "MARCXML with an invalid tag"),
    ("citeproc-py-test.bib", CITEPROC, "tests/test.bib", "BibTeX test input of citeproc-py"),
    ("citeproc-py-xampl.bib", CITEPROC, "examples/xampl.bib", "BibTeX's own xampl.bib"),
    *(
        (f"manubot-{name}.json", MANUBOT, f"manubot/cite/tests/csl-json/{name}/raw.json", what)
        for name, what in [
            ("crossref-winter-scabs-csl", "CSL-JSON from Crossref"),
            ("crossref-deep-review-csl", "CSL-JSON from Crossref, many authors"),
            ("datacite-thesis-csl", "CSL-JSON from DataCite"),
            ("pubmed-scihub-study-csl", "CSL-JSON from PubMed"),
            ("arxiv-joss-csl", "CSL-JSON from arXiv"),
            ("excess-date-parts-csl", "date-parts with 4 parts"),
            ("null-date-parts-csl", "date-parts [[null]]"),
            ("empty-date-parts-csl", "date-parts [[]]"),
            ("greycite-meta-review-csl", "CSL-JSON from Greycite"),
        ]
    ),
]


SKOSMOS = ("NatLibFi/Skosmos", "b87d250f641a1ad02b56f83f8abc1e98577f5445", "MIT")
SKOSIFY = ("NatLibFi/Skosify", "5e396d880046b03c9739088834fef8781b9e0527", "MIT")
QSKOS = ("cmader/qSKOS", "082a7c66f1c1b0a1be93419fefdd4dd49375e398", "GPL-3.0 (LICENSE.txt)")
OPENACTIVE = ("openactive/activity-list", "abbf7bcfa360bc2cf9dc8752dcd17e854d605577",
              "CC-BY-4.0 (README.md)")  # fmt: skip

# SKOS vocabularies: test inputs of SKOS tools (Skosmos, Skosify, qSKOS) and a published list.
SKOS_FILES: list[tuple[str, tuple[str, str, str], str, str]] = [
    *(
        (f"skosmos-{Path(p).name}", SKOSMOS, f"tests/test-vocab-data/{p}", what)
        for p, what in [
            ("test.ttl", "Turtle: a subclass of skos:Concept, collections, notations, notes"),
            ("xl.ttl", "SKOS-XL labels beside plain ones"),
            ("multiple-schemes.ttl", "three concept schemes"),
            ("nolang.ttl", "labels without a language tag"),
            ("subtag.ttl", "region subtag in lower case (en-gb)"),
            ("date.ttl", "typed dates, one invalid on purpose (1986-21-00)"),
            ("dup.ttl", "duplicate labels"),
            ("cycle.ttl", "a broader cycle"),
            ("groups.ttl", "concept groups (skos:Collection, isothes)"),
            (
                "yso.ttl",
                "a YSO extract (General Finnish Ontology; YSO data CC BY 4.0, National Library "
                "of Finland), SKOS-XL labels with inScheme, deprecated concepts",
            ),
        ]
    ),
    (
        "skosify-dctype.in.rdf",
        SKOSIFY,
        "examples/dctype.in.rdf",
        "RDF/XML: DCMI Type vocabulary as RDFS classes (no skos:Concept)",
    ),  # fmt: skip
    (
        "skosify-dctype.out.rdf",
        SKOSIFY,
        "examples/dctype.out.rdf",
        "DCMI Type vocabulary as SKOS (Skosify's output)",
    ),  # fmt: skip
    ("skosify-milk.in.ttl", SKOSIFY, "examples/milk.in.ttl", "small Turtle input of Skosify"),
    *(
        (f"qskos-{Path(p).name}", QSKOS, f"src/test/resources/{p}", what)
        for p, what in [
            ("languageTags.rdf", "RDF/XML, xml:base, invalid and mixed language tags"),
            (
                "deprecatedAndIllegalTerms.rdf",
                "relative rdf:about without xml:base, old SKOS terms",
            ),
            ("skosxl.rdf", "SKOS-XL, relative IRIs without xml:base"),
            ("concepts.rdf", "xml:base with ../ paths, subclasses of skos:Concept"),
            ("invalidCharacters.rdf", "an IRI with a backslash and an asterisk"),
            ("emptyLabels.rdf", "empty and blank labels"),
            ("labelsWithUnprintableCharacters.rdf", "control characters in labels"),
            ("nocontent.rdf", "an empty rdf:RDF"),
            ("cycles.rdf", "hierarchy cycles"),
        ]
    ),
    (
        "openactive-activity-list.jsonld",
        OPENACTIVE,
        "data/activity-list.jsonld",
        "JSON-LD with a remote @context (https://openactive.io/)",
    ),  # fmt: skip
    (
        "openactive-holistic.jsonld",
        OPENACTIVE,
        "data/collections/holistic.jsonld",
        "JSON-LD skos:Collection, remote @context",
    ),  # fmt: skip
]


def _from_mirror(root: Path, repo: str, commit: str, path: str) -> bytes | None:
    base = root / repo.replace("/", "+") / "repo"
    for git_dir in (base / ".git", base):
        if (git_dir / "HEAD").exists():
            return subprocess.run(
                ["git", "--git-dir", str(git_dir), "show", f"{commit}:{path}"],
                check=True,
                capture_output=True,
            ).stdout
    return None


def _from_github(repo: str, commit: str, path: str) -> bytes:
    url = f"https://raw.githubusercontent.com/{repo}/{commit}/{path}"
    with urllib.request.urlopen(url, timeout=60) as response:
        data: bytes = response.read()
    return data


def _fetch(
    files: list[tuple[str, tuple[str, str, str], str, str]], out: Path, mirror_root: Path | None
) -> list[dict[str, str]]:
    """Copy each file verbatim into ``out``; return its manifest entries."""
    out.mkdir(parents=True, exist_ok=True)
    manifest = []
    for name, (repo, commit, licence), path, what in files:
        data = None
        if mirror_root is not None:
            data = _from_mirror(mirror_root, repo, commit, path)
        if data is None:
            data = _from_github(repo, commit, path)
        (out / name).write_bytes(data)
        manifest.append({
            "file": name, "repo": repo, "commit": commit, "path": path, "licence": licence,
            "what": what, "sha256": hashlib.sha256(data).hexdigest(),
        })  # fmt: skip
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest


def _rows(manifest: list[dict[str, str]]) -> str:
    return "\n".join(
        f"| `{m['file']}` | [{m['repo']}](https://github.com/{m['repo']}) | "
        f"`{m['commit'][:10]}` | `{m['path']}` | {m['licence']} | {m['what']} |"
        for m in manifest
    )


_TABLE = "| file | repository | commit | path | licence | what |\n|---|---|---|---|---|---|\n"


def main() -> None:
    """Fetch every file, then write each folder's manifest.json and README.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror-root", type=Path, help="local git mirrors (owner+name/repo)")
    args = parser.parse_args()
    manifest = _fetch(FILES, OUT, args.mirror_root)
    (OUT / "README.md").write_text(
        "# Real-world bibliographic files\n\n"
        "Verbatim copies of files from public GitHub repositories (mostly the test inputs of "
        "the format libraries socsec uses, and of tools that export CSL-JSON), fetched by "
        "`scripts/fetch_realworld.py` at the pinned commits below; `manifest.json` has each "
        "file's SHA-256. Every licence permits redistribution; each file keeps its licence "
        "and copyright (see the repository's licence file at that commit). "
        "`tests/bibliography/test_realworld.py` imports every file: it must be imported "
        "(warnings allowed) or refused with exit 5 naming a position, never exit 1. "
        "SKOS vocabularies are in `skos/` (its own README and manifest).\n\n"
        + _TABLE
        + _rows(manifest)
        + "\n",
        encoding="utf-8",
    )
    skos = _fetch(SKOS_FILES, SKOS_OUT, args.mirror_root)
    (SKOS_OUT / "README.md").write_text(
        "# Real-world SKOS files\n\n"
        "Verbatim copies of SKOS vocabularies from public GitHub repositories (the test "
        "vocabularies of Skosmos, Skosify and qSKOS, and OpenActive's published activity "
        "list), fetched by `scripts/fetch_realworld.py` at the pinned commits below; "
        "`manifest.json` has each file's SHA-256. Every licence permits redistribution; each "
        "file keeps its licence and copyright (see the repository's licence file at that "
        "commit; the qSKOS files are GPL-3.0 test data, kept unmodified). "
        "`tests/thesaurus/test_realworld_skos.py` imports and checks every file: it must be "
        "imported (warnings allowed) or refused with exit 5 naming a position, never exit 1, "
        "and an import must count as many concepts as rdflib finds typed `skos:Concept`.\n\n"
        + _TABLE
        + _rows(skos)
        + "\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
