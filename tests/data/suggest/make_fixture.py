"""Cut the suggestion test fixture from the shared EUR-Lex file (run once; output committed).

Takes, in file order, the first 80 train and (up to) 20 validation acts (19 exist) whose
gold descriptors touch social protection, social affairs or employment (non-empty
``socprot_match``), so that most of their subjects are in the bundled EuroVoc extract.
Lines are copied verbatim.
"""

from __future__ import annotations

import json
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[4] / "shared/data/eurlex/eurlex-train-validation.jsonl"
TARGET = Path(__file__).with_name("eurlex-social-100.jsonl")
WANT = {"train": 80, "validation": 20}


def main() -> None:
    """Write the fixture."""
    taken = {"train": 0, "validation": 0}
    out = []
    for line in SOURCE.read_text(encoding="utf-8").splitlines():
        act = json.loads(line)
        split = act["split"]
        if act["socprot_match"] and taken[split] < WANT[split]:
            taken[split] += 1
            out.append(line + "\n")
    TARGET.write_text("".join(out), encoding="utf-8")


if __name__ == "__main__":
    main()
