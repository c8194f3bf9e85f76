"""Every file of the real-world corpus (tests/data/realworld, see its README) is imported
(warnings allowed) or refused with exit 5 naming a position, never exit 1; the records an
import counts agree with a count made without socsec's parsers."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest

from .test_cli import bib

CORPUS = Path(__file__).parent.parent / "data" / "realworld"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
SHARED_CSV = Path(__file__).resolve().parents[3] / "shared" / "data" / "nber"
_BIB_ENTRY = re.compile(r"^\s*@\s*(\w+)\s*[{(]", re.MULTILINE)
_NOT_ENTRIES = {"string", "comment", "preamble", "set", "xdata"}  # biblatex containers too
_MARC_RECORD = re.compile(r"<(?:\w+:)?record[\s>]")


def independent_count(path: Path) -> int:
    """Records in a file, counted by its syntax alone: ``@`` entries, ``TY  -`` lines,
    MARC ``<record>`` elements, CSL-JSON array items, CSV data lines."""
    text = path.read_bytes().decode("utf-8", errors="replace").lstrip("\ufeff")
    suffix = path.suffix
    if suffix == ".bib":
        return sum(1 for m in _BIB_ENTRY.finditer(text) if m.group(1).lower() not in _NOT_ENTRIES)
    if suffix == ".ris":
        return sum(1 for line in text.splitlines() if line.lstrip("\ufeff").startswith("TY  -"))
    if suffix == ".xml":
        return len(_MARC_RECORD.findall(text))
    if suffix == ".json":
        data = json.loads(text)
        return len(data) if isinstance(data, list) else 1
    return len(text.splitlines()) - 1  # csv: the header, then one record a line


def _files() -> list[Path]:
    files = [CORPUS / m["file"] for m in MANIFEST]
    if (SHARED_CSV / "nberwp-socsec-subset.csv").is_file():
        files.append(SHARED_CSV / "nberwp-socsec-subset.csv")  # a spreadsheet, CC0
    return files


def test_corpus_is_as_fetched() -> None:
    assert len(MANIFEST) >= 30
    for m in MANIFEST:
        data = (CORPUS / m["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == m["sha256"], m["file"]
        assert m["licence"] and m["repo"] and len(m["commit"]) == 40


@pytest.mark.parametrize("path", _files(), ids=lambda p: p.name)
def test_corpus_file_imports_or_exits_5(path: Path, data_dir: Path, tmp_path: Path) -> None:
    src = tmp_path / path.name  # a copy: nothing may be written beside it
    shutil.copy(path, src)
    expected = independent_count(src)
    result = bib(data_dir, "import", str(src), "--json")
    assert result.exit_code in (0, 5), (result.exit_code, result.stderr[-400:])
    if result.exit_code == 0:
        summary = json.loads(result.stdout)
        read = summary["created"] + summary["updated"] + summary["unchanged"]
        assert read + summary["conflicted"] == expected
    else:
        assert str(src) in result.stderr
        assert re.search(r", (line|record) \d+", result.stderr), result.stderr
        # The valid records of a refused file still go in with --skip-invalid, the others
        # are listed: together they are every record (unless the file as a whole is unread).
        again = bib(data_dir, "import", str(src), "--skip-invalid", "--json")
        assert again.exit_code in (0, 5), again.stderr[-400:]
        if again.exit_code == 0:
            summary = json.loads(again.stdout)
            taken = sum(summary[k] for k in ("created", "updated", "unchanged", "conflicted"))
            assert taken + summary["rejected"] == expected
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "data") == [src.name]
