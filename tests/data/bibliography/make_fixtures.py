"""Cut the bibliography test fixtures from the bundled sample (real NBER and EUR-Lex records).

Run from the repository root: .venv/bin/python tests/data/bibliography/make_fixtures.py
Writes sample.{bib,ris,json,xml,csv} (the same 30 records in each format, written by socsec's
own writers from socsec/data/sample-bibliography.csljson.gz) and eurlex-10.jsonl (10 verbatim
lines of shared/data/eurlex/eurlex-train-validation.jsonl). The known-bad files beside them are
small edits of these, described in README.md.
"""

from __future__ import annotations

import json
from pathlib import Path

from socsec.bibliography.bundle import sample_path
from socsec.bibliography.formats import csljson, get_format

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[2].parent / "shared/data"


def main() -> None:
    """Write the fixtures."""
    records = list(csljson.read(sample_path()))
    nber = [r for r in records if r.id.startswith("nber-")][::80][:20]
    acts = [r for r in records if not r.id.startswith("nber-") and r.subjects][:10]
    chosen = nber + acts
    for name, ext in (("bibtex", "bib"), ("ris", "ris"), ("csljson", "json"),
                      ("marcxml", "xml"), ("csv", "csv")):  # fmt: skip
        with (HERE / f"sample.{ext}").open("w", encoding="utf-8", newline="") as fh:
            get_format(name).write(chosen, fh)
    lines = (
        (SHARED / "eurlex/eurlex-train-validation.jsonl").read_text(encoding="utf-8").splitlines()
    )
    social = [line for line in lines if json.loads(line)["socprot_match"]][:10]
    (HERE / "eurlex-10.jsonl").write_text("\n".join(social) + "\n", encoding="utf-8")
    print(f"{len(chosen)} records")


if __name__ == "__main__":
    main()
