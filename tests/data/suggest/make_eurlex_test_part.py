"""Extract the `test` part of EUR-Lex-Sum (188 EU acts, English, gold EuroVoc) from
NihedB/EUR-Lex-Triples into eurlex-test-part.jsonl (run once; output committed).

The shared file ../shared/data/eurlex/eurlex-train-validation.jsonl holds the `train` (1,129
acts, median year 2007) and `validation` (187, median 2017) parts of the same dataset; this
third part (188, median 2016) is the newer training material `socsec eval suggest
--also-train` adds to the training acts. Lines are made exactly as the shared file's
(same fields, same tag -> EuroVoc id mapping from the EuroVoc sources in
../shared/data/eurovoc/sources); `--check` proves it by remaking the shared file's 1,316
lines byte for byte.

Source: https://github.com/NihedB/EUR-Lex-Triples at commit c280d4da (Dataset/Annotated_Documents),
CC BY 4.0 per its README; EUR-Lex content (c) European Union, reuse authorised under
Commission Decision 2011/833/EU. The licence is written into every line.

    python tests/data/suggest/make_eurlex_test_part.py --git-dir DIR [--check]

DIR: a git directory of that repository holding the commit (a clone, or a mirror).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
from pathlib import Path

import yaml

COMMIT = "c280d4da10184b78e2f6944d3542513b6a2775c7"
SHARED = Path(__file__).resolve().parents[4] / "shared" / "data"
SOURCES = SHARED / "eurovoc" / "sources"
SHARED_FILE = SHARED / "eurlex" / "eurlex-train-validation.jsonl"
TARGET = Path(__file__).with_name("eurlex-test-part.jsonl")
LICENSE = "CC BY 4.0 (EUR-Lex content; per repo README)"
CORE, NEAR = {"2836"}, {"2826", "4406"}  # social protection; social affairs, employment
OJ_DATE = re.compile(r"(?:OJ|Official Journal)[^\n]*?(\d{2})[./](\d{2})[./](\d{4})")


class Mapping:
    """EuroVoc English labels -> ids, and ids -> microthesauri, as the shared file used them."""

    def __init__(self) -> None:
        yaml_file = SOURCES / "benoitdavidfr-eurovoc" / "eurovoc.yaml"
        data = yaml.safe_load(yaml_file.read_text("utf-8"))
        self.concepts = {str(k): v for k, v in data["concepts"].items()}
        self.mt_of_scheme = {
            str(sid): s["prefLabel"]["en"].split()[0] for sid, s in data["schemes"].items()
        }
        later = SOURCES / "tn-aixpa-eurovoc-classifier"
        labels_tc = json.loads((later / "label_mappings_tc" / "en.json").read_text("utf-8"))
        self.mt_labels = json.loads((later / "mt_labels.json").read_text("utf-8"))
        self.exact: dict[str, str] = {}
        for cid, concept in self.concepts.items():
            self.exact.setdefault(concept["prefLabel"]["en"].strip(), cid)
        for cid, label in labels_tc.items():
            self.exact.setdefault(label.strip(), cid)
        self.folded: dict[str, str] = {}
        for label, cid in self.exact.items():
            self.folded.setdefault(label.lower(), cid)

    def concept(self, tag: str) -> str | None:
        return self.exact.get(tag.strip()) or self.folded.get(tag.strip().lower())

    def microthesauri(self, cid: str) -> set[str]:
        schemes = map(str, self.concepts.get(cid, {}).get("inScheme", []))
        out = {
            self.mt_of_scheme[s] for s in schemes
            if s in self.mt_of_scheme and self.mt_of_scheme[s].isdigit()
        }  # fmt: skip
        if not out and cid in self.mt_labels:
            out = {str(self.mt_labels[cid]).zfill(4)}
        return out


def title_and_date(reference: str, celex: str) -> tuple[str, str | None, str | None]:
    """The official heading and Official Journal date from the reference text (two layouts)."""
    lines = [line.strip() for line in reference.split("\n") if line.strip()]
    title = ""
    for i, line in enumerate(lines[:8]):
        if line == celex and i + 1 < len(lines):
            title = lines[i + 1]
            break
    found = OJ_DATE.search(reference[:3000])
    date = f"{found.group(3)}-{found.group(2)}-{found.group(1)}" if found else None
    source = "first Official Journal date in reference text" if date else None
    first = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", lines[0]) if lines else None
    if not title and first and len(lines) > 4 and lines[2].startswith("Official Journal"):
        date = f"{first.group(3)}-{int(first.group(2)):02d}-{int(first.group(1)):02d}"
        source = "Official Journal publication date (first line of reference text)"
        parts = []
        for line in lines[4:20]:
            if line.startswith(("Having regard", "(Text with", "Whereas")) or (
                line.isupper() and line.endswith(",")
            ):
                break
            parts.append(line)
        title = " ".join(parts)
    return title, date, source


def act_line(path: str, doc: dict, mapping: Mapping) -> tuple[bool, str]:
    """One act as the shared file writes it, and whether it is in social protection."""
    ids, unmapped = [], []
    for tag in doc.get("tags") or []:
        cid = mapping.concept(tag)
        (ids if cid else unmapped).append(cid or tag)
    fields: set[str] = set()
    for cid in ids:
        fields |= mapping.microthesauri(cid)
    title, date, date_source = title_and_date(doc["reference"], doc["celex_id"])
    row = {
        "id": doc["celex_id"], "celex": doc["celex_id"], "lang": "en", "title": title,
        "text": doc["summary"][:1500], "text_source": "EUR-Lex summary (first 1500 chars)",
        "date": date, "date_source": date_source,
        "eurovoc_ids": ids, "eurovoc_labels_en": doc.get("tags"), "eurovoc_unmapped": unmapped,
        "eurlex_subjects": doc.get("subjects"), "split": doc.get("split"),
        "socprot_match": sorted(fields & (CORE | NEAR)), "core_2836": bool(fields & CORE),
        "source": "NihedB/EUR-Lex-Triples@c280d4da Dataset/Annotated_Documents/" + Path(path).name,
        "license": LICENSE,
    }  # fmt: skip
    return bool(fields & CORE), json.dumps(row, ensure_ascii=False) + "\n"


def acts(git_dir: Path, mapping: Mapping) -> dict[str, list[tuple[bool, str, str]]]:
    """Per split: (core, id, line) of every annotated document at the pinned commit."""

    def git(*args: str) -> bytes:
        return subprocess.run(
            ["git", "--git-dir", str(git_dir), *args], capture_output=True, check=True
        ).stdout

    names = git("ls-tree", "-r", "--name-only", COMMIT, "Dataset/Annotated_Documents/")
    out: dict[str, list[tuple[bool, str, str]]] = {}
    for path in names.decode().split("\n"):
        if path.endswith(".json"):
            doc = json.loads(git("show", f"{COMMIT}:{path}"))
            core, line = act_line(path, doc, mapping)
            out.setdefault(doc["split"], []).append((core, doc["celex_id"], line))
    return out


def ordered(rows: list[tuple[bool, str, str]]) -> str:
    """The shared file's order: social protection acts first, then by id."""
    return "".join(line for _core, _id, line in sorted(rows, key=lambda r: (not r[0], r[1])))


def main() -> None:
    """Write the test part; with --check, first remake the shared file and compare."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--git-dir", type=Path, required=True)
    parser.add_argument("--check", action="store_true", help="remake the shared file first")
    args = parser.parse_args()
    by_split = acts(args.git_dir, Mapping())
    if args.check:
        remade = ordered(by_split["train"] + by_split["validation"])
        if remade != SHARED_FILE.read_text(encoding="utf-8"):
            raise SystemExit(f"{SHARED_FILE}: not remade byte for byte; mapping differs")
        print(f"{SHARED_FILE.name}: remade byte for byte ({remade.count(chr(10))} acts)")
    TARGET.write_text(ordered(by_split["test"]), encoding="utf-8")
    print(f"{TARGET.name}: {len(by_split['test'])} acts")


if __name__ == "__main__":
    main()
