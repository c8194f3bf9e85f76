"""Copy the Reconciliation API 0.2 JSON Schemas from a clone of reconciliation-api/specs.

Usage (from the repository root):

    git clone https://github.com/reconciliation-api/specs /tmp/specs
    git -C /tmp/specs checkout 8d66bdba2e351a890a1126f2a8f139c9afd47553
    python tests/data/reconciliation/copy_schemas.py /tmp/specs

The files are copied unchanged into schemas-0.2/ beside this script; SHA256SUMS lists
their digests so a later copy can be compared. Licence: see README.md here.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).parent
SCHEMAS = (
    "manifest.json",
    "type.json",
    "reconciliation-query-batch.json",
    "reconciliation-result-batch.json",
    "suggest-entities-response.json",
    "suggest-properties-response.json",
    "suggest-types-response.json",
    "data-extension-property-proposal.json",
    "data-extension-query.json",
    "data-extension-response.json",
)


def main(clone: str) -> int:
    source = Path(clone) / "0.2" / "schemas"
    target = HERE / "schemas-0.2"
    target.mkdir(exist_ok=True)
    sums = []
    for name in SCHEMAS:
        shutil.copyfile(source / name, target / name)
        digest = hashlib.sha256((target / name).read_bytes()).hexdigest()
        sums.append(f"{digest}  {name}\n")
    (target / "SHA256SUMS").write_text("".join(sums), encoding="utf-8")
    print(f"copied {len(SCHEMAS)} schemas from {source}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
