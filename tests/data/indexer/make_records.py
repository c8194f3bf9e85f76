"""Make records.jsonl: real NBER and EUR-Lex records for the indexer tests (run from the repo root).

Mechanical extract, nothing hand-written: NBER papers chosen by fixed title patterns and
every 100th paper of the social-security subset; EUR-Lex acts in the social field with their
gold EuroVoc subjects kept when the bundled EuroVoc extract has them.
"""

import csv
import json
import re
from pathlib import Path

SHARED = Path(__file__).resolve().parents[4] / "shared" / "data"
BUNDLED = Path("socsec/data/eurovoc-social-protection.ttl").read_text()
IN_BUNDLE = set(re.findall(r"^ev:(\d+) a skos:Concept", BUNDLED, re.M))
PATTERNS = [
    "pension plan",
    "early retirement",
    "disability insurance",
    "unemployment insurance",
    "social security",
]

out = []
rows = list(csv.DictReader(open(SHARED / "nber/nberwp-socsec-subset.csv", encoding="utf-8")))
chosen = []
for pattern in PATTERNS:
    chosen += [r for r in rows if pattern in r["title"].lower()][:4]
chosen += rows[::100]
seen = set()
for r in chosen:
    if r["paper"] in seen:
        continue
    seen.add(r["paper"])
    out.append(
        {
            "id": f"nber-{r['paper']}",
            "type": "report",
            "title": r["title"],
            "language": "en",
            "year": int(r["year"]),
            "authors": [a.strip() for a in r["authors"].split(";") if a.strip()],
            "container_title": "NBER Working Paper",
            "url": r["url"],
            "subjects": [],
            "source": "bldavies/nberwp d57fbc5e (CC0)",
        }
    )
n = 0
for line in open(SHARED / "eurlex/eurlex-train-validation.jsonl", encoding="utf-8"):
    d = json.loads(line)
    subjects = [f"http://eurovoc.europa.eu/{i}" for i in d["eurovoc_ids"] if i in IN_BUNDLE]
    if not (d["core_2836"] or d["socprot_match"]) or not subjects:
        continue
    text = d["text"]
    title = d["title"] or text.split("\n", 1)[0]
    out.append(
        {
            "id": f"celex-{d['celex']}",
            "type": "legislation",
            "title": title,
            "language": "en",
            "year": int(d["date"][:4]) if d.get("date") else None,
            "authors": [],
            "abstract": " ".join(text.split())[:600],
            "subjects": subjects,
            "source": "NihedB/EUR-Lex-Triples c280d4da (CC BY 4.0)",
        }
    )
    n += 1
    if n >= 25:
        break
with open("tests/data/indexer/records.jsonl", "w", encoding="utf-8") as fh:
    for rec in out:
        fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
print(len(out), "records")
