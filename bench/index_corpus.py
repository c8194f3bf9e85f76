"""The 100,000-record benchmark corpus, shared by bench/index_throughput.py and search_latency.py.

Real records only: the 30,083 NBER working papers (bldavies/nberwp, CC0) with their
authors, and the 1,316 EUR-Lex acts (CC BY 4.0) with their gold EuroVoc subjects, repeated
with new ids ("<id>~<n>") until 100,000 records. The thesaurus is the full EuroVoc en/fr/es
extract (7,317 concepts), imported once into a cached bench data dir.
"""

from __future__ import annotations

import csv
import json
import os
import resource
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from socsec.bibliography.codec import parse_name
from socsec.bibliography.model import Person, Record, RecordType, Subject
from socsec.config import Settings
from socsec.workspace import Workspace

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
BENCH_DIR = Path(os.environ.get("SOCSEC_BENCH_DIR", "/tmp/socsec-bench"))
N_RECORDS = 100_000


def nber_records() -> list[Record]:
    """The NBER papers with their authors, as records."""
    names = {
        r["author"]: r["name"]
        for r in csv.DictReader(open(SHARED / "nber/authors.csv", encoding="utf-8"))
    }
    by_paper: dict[str, list[Person]] = {}
    for r in csv.DictReader(open(SHARED / "nber/paper_authors.csv", encoding="utf-8")):
        if r["author"] in names:
            by_paper.setdefault(r["paper"], []).append(parse_name(names[r["author"]]))
    out = []
    for r in csv.DictReader(open(SHARED / "nber/papers.csv", encoding="utf-8")):
        year = int(r["year"]) if r["year"].isdigit() else None
        out.append(
            Record(
                id=f"nber-{r['paper']}",
                type=RecordType.report,
                title=r["title"],
                language="en",
                year=year,
                authors=tuple(by_paper.get(r["paper"], ())),
                container_title="NBER Working Paper",
            )
        )
    return out


def eurlex_records() -> list[Record]:
    """The EUR-Lex acts with their gold EuroVoc subjects and summary start as abstract."""
    out = []
    for line in open(SHARED / "eurlex/eurlex-train-validation.jsonl", encoding="utf-8"):
        d = json.loads(line)
        text = d["text"]
        out.append(
            Record(
                id=f"celex-{d['celex']}",
                type=RecordType.legislation,
                title=d["title"] or text.split("\n", 1)[0],
                language="en",
                year=int(d["date"][:4]) if d.get("date") else None,
                abstract=" ".join(text.split())[:1500],
                subjects=tuple(Subject(f"http://eurovoc.europa.eu/{i}") for i in d["eurovoc_ids"]),
            )
        )
    return out


def corpus(n: int = N_RECORDS) -> Iterator[Record]:
    """``n`` records: the real ones, then repeats of them with new ids."""
    base = nber_records() + eurlex_records()
    for i in range(n):
        record = base[i % len(base)]
        rep = i // len(base)
        yield record if rep == 0 else replace(record, id=f"{record.id}~{rep}")


def workspace() -> Workspace:
    """The bench data dir with the full EuroVoc (imported on first use)."""
    root = BENCH_DIR / "data"
    settings = Settings.load(data_dir=root, env={})
    ws = Workspace(root=root, settings=settings)
    if not ws.thesaurus_cache.exists():
        from socsec.thesaurus.manage import import_file

        root.mkdir(parents=True, exist_ok=True)
        import_file(ws, SHARED / "eurovoc/eurovoc-en-fr-es.ttl", replace=True)
    return ws


def peak_rss_mb() -> float:
    """Peak resident set size of this process, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
