"""Real-world files in, nothing lost (issue 14) and input limits (issue 15), end to end.

The messy inputs are the sample's real NBER records (tests/data/bibliography/sample.bib) with
their values written the ways other tools write them.
"""

from __future__ import annotations

import gzip
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from .conftest import DATA
from .test_cli import bib, count


def _dump(data_dir: Path) -> bytes:
    """The store's content, byte for byte (every table, in order)."""
    db = sqlite3.connect(data_dir / "bibliography.sqlite")
    try:
        return "\n".join(db.iterdump()).encode()
    finally:
        db.close()


MESSY_BIB = r"""@techreport{nber-h0055,
  title = {Agricultural Decline and the Secular Rise in Male Retirement Rates},
  author = {Costa, Dora L},
  year = {1994b},
  month = apr,
  series = {NBER Working Paper Series},
  publisher = {National Bureau of Economic Research},
  number = {h0055},
  url = {https://www.nber.org/papers/h0055},
  langid = {en}
}

@techreport{costa-range,
  title = {The Evolution of Retirement: {An} {A}merican Economic History, 1880--1990},
  author = {Costa, Dora L},
  year = {1950-51},
  doi = {https://doi.org/10.7208/chicago/9780226116198.001.0001},
  isbn = {0 226 11608 5},
  abstract = {<p>Retirement &amp; the <i>elderly</i>.</p>}
}

@misc{undated,
  title = {Caf\'{e} et retraite},
  author = {M{\"u}ller, J{\"o}rg},
  year = {n.d.},
  month = {janvier}
}
"""


def test_messy_values_are_normalised_with_a_warning_per_record(
    data_dir: Path, tmp_path: Path
) -> None:
    src = tmp_path / "messy.bib"
    src.write_text(MESSY_BIB, encoding="utf-8")
    result = bib(data_dir, "import", str(src), "--json")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    warnings = {(w["line"], w["field"]): w for w in summary["warning_list"]}
    assert warnings[(1, "year")]["message"] == "year '1994b' read as 1994 (letter suffix kept)"
    assert warnings[(13, "year")]["original"] == "1950-51"
    assert (13, "doi") in warnings and (13, "isbn") in warnings and (13, "abstract") in warnings
    assert "no date" in warnings[(22, "year")]["message"]
    assert all(w["source"] == str(src) for w in summary["warning_list"])
    shown = json.loads(bib(data_dir, "show", "costa-range", "--json").stdout)
    assert (shown["year"], shown["extra"]["original.year"]) == (1950, "1950-51")
    assert shown["doi"] == "10.7208/chicago/9780226116198.001.0001"
    assert shown["isbn"] == "9780226116082"
    assert shown["abstract"] == "Retirement & the elderly."
    assert shown["title"] == "The Evolution of Retirement: An American Economic History, 1880–1990"
    undated = json.loads(bib(data_dir, "show", "undated", "--json").stdout)
    assert undated["title"] == "Café et retraite" and "year" not in undated
    assert undated["authors"] == [{"family": "Müller", "given": "Jörg"}]
    # The stored record's suffix: a conflict on nothing but the kept original value.
    stored = json.loads(bib(data_dir, "show", "nber-h0055", "--json").stdout)
    assert stored["issued"] == "1994-04"


def test_strict_refuses_what_needs_normalising(data_dir: Path, tmp_path: Path) -> None:
    src = tmp_path / "messy.bib"
    src.write_text(MESSY_BIB, encoding="utf-8")
    before = _dump(data_dir)
    result = bib(data_dir, "import", str(src), "--strict")
    assert result.exit_code == 5
    assert f"{src}, line 1" in result.stderr and "--strict" in result.stderr
    assert _dump(data_dir) == before


@pytest.mark.parametrize(
    ("text", "date"),
    [("PY  - 2017b", "2017"), ("PY  - 1950-51", "1950"), ("DA  - 2004/03/15/", "2004-03-15"),
     ("PY  - s.d.", None), ("PY  - 2004///", "2004")],
)  # fmt: skip
def test_ris_dates(data_dir: Path, tmp_path: Path, text: str, date: str | None) -> None:
    src = tmp_path / "one.ris"
    src.write_text(
        f"TY  - RPRT\nID  - nber-h0055x\nTI  - Agricultural Decline\nAU  - Costa, Dora L\n"
        f"{text}\nER  - \n",
        encoding="utf-8",
    )
    result = bib(data_dir, "import", str(src), "--json")
    assert result.exit_code == 0, result.stderr
    shown = json.loads(bib(data_dir, "show", "nber-h0055x", "--json").stdout)
    assert shown.get("issued", str(shown.get("year")) if shown.get("year") else None) == date


def test_marcxml_with_an_invalid_leader_exits_5_with_its_line(
    data_dir: Path, tmp_path: Path
) -> None:
    text = (DATA / "sample.xml").read_text(encoding="utf-8")
    src = tmp_path / "bad-leader.xml"
    # The second record's leader cut short, as a broken catalogue export has it.
    good, bad = "<leader>00000nam a22000007i 4500</leader>", "<leader>00</leader>"
    src.write_text(text.replace(good, bad, 2).replace(bad, good, 1), encoding="utf-8")
    before = _dump(data_dir)
    result = bib(data_dir, "import", str(src))
    assert result.exit_code == 5, result.stderr
    assert f"{src}, line 4" in result.stderr and "record 2" in result.stderr  # its own line
    assert _dump(data_dir) == before


def test_reimport_through_an_alias_never_overwrites_the_survivor(
    data_dir: Path, tmp_path: Path
) -> None:
    """The issue's case: nber-w0654 survived a merge with bulow1981; refs.bib comes again."""
    refs = tmp_path / "refs.bib"
    refs.write_text(
        "@techreport{bulow1981,\n  title = {Early Retirement Pension Benefits},\n"
        "  author = {Bulow, Jeremy I.},\n  year = {1981},\n  number = {654},\n"
        "  institution = {National Bureau of Economic Research}\n}\n",
        encoding="utf-8",
    )
    survivor = json.loads(bib(data_dir, "show", "nber-w0654", "--json").stdout)
    assert bib(data_dir, "import", str(refs)).exit_code == 0
    assert bib(data_dir, "merge", "nber-w0654", "bulow1981", "--keep", "nber-w0654").exit_code == 0
    merged = json.loads(bib(data_dir, "show", "nber-w0654", "--json").stdout)
    for policy in ("report", "incoming", "keep"):
        result = bib(data_dir, "import", str(refs), "--on-conflict", policy, "--json")
        assert result.exit_code == 0, result.stderr
        summary = json.loads(result.stdout)
        assert summary["created"] == summary["updated"] == 0
        conflicts = {c["field"]: c for c in summary["conflict_list"]}
        assert conflicts["issue"]["stored"] == "w0654" and conflicts["issue"]["incoming"] == "654"
        assert conflicts["issue"]["id"] == "nber-w0654"
        after = json.loads(bib(data_dir, "show", "nber-w0654", "--json").stdout)
        assert after == merged
    for key in ("issued", "container_title", "language", "issue", "publisher", "url"):
        assert merged[key] == survivor[key]


def test_reimport_fills_empty_fields_and_resolves_conflicts(data_dir: Path, tmp_path: Path) -> None:
    src = tmp_path / "w0654.bib"
    entry = (
        "@techreport{nber-w0654,\n  title = {Early Retirement Pension Benefits},\n"
        "  author = {Bulow, Jeremy I},\n  year = {1981},\n  number = {%s},\n"
        "  doi = {10.3386/w0654}\n}\n"
    )
    src.write_text(entry % "654", encoding="utf-8")
    report = json.loads(bib(data_dir, "import", str(src), "--json").stdout)
    assert (report["conflicted"], report["updated"]) == (1, 0)  # default: report, nothing done
    assert "doi" not in json.loads(bib(data_dir, "show", "nber-w0654", "--json").stdout)
    report = json.loads(bib(data_dir, "import", str(src), "--on-conflict", "keep", "--json").stdout)
    assert report["updated"] == 1
    shown = json.loads(bib(data_dir, "show", "nber-w0654", "--json").stdout)
    assert (shown["doi"], shown["issue"]) == ("10.3386/w0654", "w0654")  # filled; kept
    report = json.loads(
        bib(data_dir, "import", str(src), "--on-conflict", "incoming", "--json").stdout
    )
    assert report["updated"] == 1
    assert json.loads(bib(data_dir, "show", "nber-w0654", "--json").stdout)["issue"] == "654"
    history = json.loads(bib(data_dir, "history", "nber-w0654", "--json").stdout)
    changed = [(h["kind"], h["field"], h["before"], h["after"]) for h in history[1:]]
    assert changed == [
        ("import", "doi", None, "10.3386/w0654"),
        ("import", "issue", "w0654", "654"),
    ]
    assert all(h["user"] and h["at"] and h["source"] == str(src) for h in history[1:])


def test_undo_of_a_whole_import(data_dir: Path, tmp_path: Path) -> None:
    before = count(data_dir)
    src = tmp_path / "messy.bib"
    src.write_text(MESSY_BIB, encoding="utf-8")
    assert bib(data_dir, "import", str(src), "--on-conflict", "incoming").exit_code == 0
    assert count(data_dir) == before + 2
    assert json.loads(bib(data_dir, "show", "nber-h0055", "--json").stdout)["extra"]
    result = bib(data_dir, "import", "--undo", str(src), "--json")
    assert result.exit_code == 0, result.stderr
    assert count(data_dir) == before
    assert "extra" not in json.loads(bib(data_dir, "show", "nber-h0055", "--json").stdout)
    assert bib(data_dir, "import", "--undo", str(src)).exit_code == 4  # nothing left of it
    assert bib(data_dir, "show", "costa-range").exit_code == 4


def test_undo_refuses_when_a_record_changed_since(data_dir: Path, tmp_path: Path) -> None:
    src = tmp_path / "messy.bib"
    src.write_text(MESSY_BIB, encoding="utf-8")
    assert bib(data_dir, "import", str(src)).exit_code == 0
    assert bib(data_dir, "edit", "undated", "--set", "notes=checked").exit_code == 0
    result = bib(data_dir, "import", "--undo")
    assert result.exit_code == 5 and "undated" in result.stderr
    assert bib(data_dir, "show", "undated").exit_code == 0


# -- limits (issue 15) ------------------------------------------------------------------------
def _exit5(data_dir: Path, path: Path, *needles: str) -> Any:
    before = _dump(data_dir)
    result = bib(data_dir, "import", str(path))
    assert result.exit_code == 5, (result.exit_code, result.stderr[-500:])
    for needle in needles:
        assert needle in result.stderr, result.stderr
    assert _dump(data_dir) == before
    return result


def test_csljson_nested_200000_deep(data_dir: Path, tmp_path: Path) -> None:
    src = tmp_path / "deep.json"
    src.write_text('[{"id": "x", "type": "book", "title": ' + "[" * 200_000 + "]" * 200_000
                   + "}]")  # fmt: skip
    _exit5(data_dir, src, f"{src}, line 1", "nested too deeply")


def test_csljson_5000_digit_date_part(data_dir: Path, tmp_path: Path) -> None:
    src = tmp_path / "digits.json"
    src.write_text('[\n{"id": "x", "type": "book", "title": "T", "issued": {"date-parts": [['
                   + "9" * 5000 + "]]}}\n]")  # fmt: skip
    _exit5(data_dir, src, f"{src}, line 2", "too many digits")


def test_csljson_5000_digit_date_string(data_dir: Path, tmp_path: Path) -> None:
    src = tmp_path / "digits.json"
    src.write_text('[\n{"id": "x", "type": "book", "title": "T", "issued": {"date-parts": [["'
                   + "9" * 5000 + '"]]}}\n]')  # fmt: skip
    _exit5(data_dir, src, f"{src}, line 2", "invalid year")


@pytest.mark.parametrize("fmt", ["bib", "json"])
def test_gzip_bomb_of_one_huge_title(data_dir: Path, tmp_path: Path, fmt: str) -> None:
    src = tmp_path / f"bomb.{fmt}.gz"
    head = b"@book{x, title = {" if fmt == "bib" else b'[{"id": "x", "type": "book", "title": "'
    with gzip.open(src, "wb", compresslevel=9) as fh:
        fh.write(head)
        block = b"a" * 2**20
        for _ in range(1024):  # a 1 GiB title
            fh.write(block)
        fh.write(b"}}\n" if fmt == "bib" else b'"}]\n')
    assert src.stat().st_size < 2 * 2**20
    # Refused by the record limit after 16 MiB of it, not after 1 GiB.
    _exit5(data_dir, src, f"{src}, line 1", "longer than 16,777,216")


def test_gzip_bomb_of_many_records_refused_by_its_ratio(data_dir: Path, tmp_path: Path) -> None:
    src = tmp_path / "bomb.bib.gz"
    with gzip.open(src, "wb", compresslevel=9) as fh:
        for n in range(400):  # 400 entries of 100 kB: 40 MB, each under every record limit
            fh.write(b"@book{x%d,\n  title = {" % n + b"a" * 100_000 + b"}\n}\n\n")
    assert src.stat().st_size * 400 < 40 * 10**6
    _exit5(data_dir, src, str(src), "expand to more than", "ratio 200")


@pytest.mark.parametrize("fmt", ["bib", "ris", "json", "xml"])
def test_huge_field_refused_with_position(data_dir: Path, tmp_path: Path, fmt: str) -> None:
    big = "a" * (17 * 2**20)
    text = {
        "bib": "@book{x,\n  title = {" + big + "}\n}\n",
        "ris": "TY  - BOOK\nTI  - " + big + "\nER  - \n",
        "json": '[\n{"id": "x", "type": "book", "title": "' + big + '"}\n]',
        "xml": '<collection xmlns="http://www.loc.gov/MARC21/slim"><record>'
        '<datafield tag="245" ind1="0" ind2="0"><subfield code="a">' + big
        + "</subfield></datafield></record></collection>",
    }[fmt]  # fmt: skip
    src = tmp_path / f"huge.{fmt}"
    src.write_text(text)
    _exit5(data_dir, src, str(src), "longer than")


def test_field_over_the_value_limit_refused(data_dir: Path, tmp_path: Path) -> None:
    src = tmp_path / "long.bib"
    src.write_text("@book{x,\n  title = {" + "a" * (2**20 + 1) + "}\n}\n")
    _exit5(data_dir, src, f"{src}, line 1", "field 'title' is longer than")


def test_fields_within_the_limit_that_add_up_to_more_are_imported(
    data_dir: Path, tmp_path: Path
) -> None:
    # Each value is under the limit; together they pass it (the check's quick bound).
    title, abstract = "t" * (2**20 - 10), "a" * 2**20
    src = tmp_path / "long.json"
    src.write_text(
        json.dumps([{"id": "long", "type": "book", "title": title, "abstract": abstract}])
    )
    result = bib(data_dir, "import", str(src))
    assert result.exit_code == 0, result.stderr
    shown = json.loads(bib(data_dir, "show", "long", "--json").stdout)
    assert (shown["title"], shown["abstract"]) == (title, abstract)


def test_csv_unbalanced_quote_does_not_swallow_rows(data_dir: Path, tmp_path: Path) -> None:
    rows = (DATA / "sample.csv").read_text(encoding="utf-8").splitlines()
    header, body = rows[0], rows[1:]
    # Row 6's title opens a quote that is never closed on its line.
    body[5] = body[5].replace(",", ',"', 2).replace(',"', ",", 1)
    src = tmp_path / "quote.csv"
    src.write_text("\n".join([header, *body]) + "\n", encoding="utf-8")
    result = _exit5(data_dir, src, str(src))
    assert f"{src}, line 7" in result.stderr  # the row with the stray quote


def test_csv_value_spanning_rows_is_refused(data_dir: Path, tmp_path: Path) -> None:
    lines = (DATA / "sample.csv").read_text(encoding="utf-8").splitlines()
    # A title quoted and broken over two lines, as a spreadsheet with a stray line break
    # writes it: CSV allows it, a one-line column does not.
    broken = lines[1].replace(",Agricultural Decline and ", ',"Agricultural Decline\nand ', 1)
    broken = broken.replace(" Retirement Rates,", ' Retirement Rates",', 1)
    src = tmp_path / "span.csv"
    src.write_text("\n".join([lines[0], broken, *lines[2:5]]) + "\n", encoding="utf-8")
    _exit5(data_dir, src, f"{src}, line 2", "row 1: the value of column 'title' spans lines 2-3")


def test_history_of_edits_merges_and_a_deleted_record(data_dir: Path) -> None:
    assert bib(data_dir, "edit", "nber-w0107", "--set", "notes=checked").exit_code == 0
    assert bib(data_dir, "merge", "nber-w0654", "nber-w0107", "--keep", "nber-w0654").exit_code == 0
    rows = json.loads(bib(data_dir, "history", "nber-w0654", "--json").stdout)
    kinds = [(r["kind"], r["record"], r["field"]) for r in rows]
    assert ("edit", "nber-w0107", "notes") in kinds  # the merged record's history comes along
    assert ("merge", "nber-w0107", "(deleted)") in kinds
    assert ("merge", "nber-w0654", "notes") in kinds  # filled from the merged record
    assert bib(data_dir, "delete", "nber-w0654", "--yes").exit_code == 0
    rows = json.loads(bib(data_dir, "history", "nber-w0654", "--json").stdout)
    assert (rows[-1]["kind"], rows[-1]["field"]) == ("delete", "(deleted)")
    assert rows[-1]["before"]["title"] == "Early Retirement Pension Benefits"
    assert bib(data_dir, "history", "no-such-record").exit_code == 4
