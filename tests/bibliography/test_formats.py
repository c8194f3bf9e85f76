"""Formats: reading real records, round trips (with the fields each format loses listed and
checked), bad input with line numbers, unsafe XML refused."""

from __future__ import annotations

import dataclasses
import io
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socsec.bibliography.codec import record_to_dict
from socsec.bibliography.formats import WRITABLE, get_format, guess_format, to_string
from socsec.bibliography.formats import eurlex as eurlex_format
from socsec.bibliography.model import Person, Record, RecordType, Subject
from socsec.bibliography.validate import validate
from socsec.errors import InputDataError
from socsec.thesaurus.lookup import ThesaurusCache

from .conftest import DATA, EARLY_RETIREMENT, SOCIAL_SECURITY

EXT = {"bibtex": "bib", "ris": "ris", "csljson": "json", "marcxml": "xml", "csv": "csv"}

FULL = Record(
    id="doe2004pension", type=RecordType.article,
    title="Pension reform & retirement: 50% of cases, {braces}, “quotes” (2004).",
    title_language="en",
    authors=(Person("Doe", "Jane"), Person(literal="World Bank"), Person("Boskin", "Michael J.")),
    editors=(Person("Roe", "Richard"),), year=2004, issued="2004-03-15",
    container_title="Journal of Public Economics", publisher="Elsevier Inc.", place="Amsterdam",
    volume="88", issue="3", pages="12-34", edition="2", doi="10.1016/j.jpubeco.2004.01.002",
    isbn="9780306406157", issn="0047-2727", url="https://example.org/a?b=1&c=2", language="fr",
    abstract="Line one.\nLine two: café, año, Müller.", keywords=("pensions", "retirement age"),
    subjects=(
        Subject(EARLY_RETIREMENT),
        Subject(SOCIAL_SECURITY, "automatic", 0.4321, "ensemble", "0123456789ab"),
    ),
    notes="A note.\nSecond line.", aliases=("old1",), extra={"celex": "X"},
)  # fmt: skip
# Synthetic record with every field set: edge values inline, as the style guide asks.


def _comparable(record: Record, lost: dict[str, str]) -> dict[str, Any]:
    data = record_to_dict(record, with_empty=True)
    for key in lost:
        base, _, detail = key.partition(".")
        if not detail:
            data.pop(base, None)
        elif detail == "provenance":  # every subject reads back as manual
            data[base] = [{"uri": s["uri"], "provenance": "manual"} for s in data[base]]
        elif detail == "accepted":  # accepted reads back as manual; automatic stays, bare
            data[base] = [
                {"uri": s["uri"], "provenance": "automatic" if s["provenance"] == "automatic"
                 else "manual"}
                for s in data[base]
            ]  # fmt: skip
        elif detail == "line_breaks" and data.get(base):
            data[base] = " ".join(data[base].split())
        elif detail == "literal":
            data[base] = [p.get("literal") or p.get("family") for p in data[base]]
    return data


def _read_valid(module: ModuleType, text: str, cache: ThesaurusCache) -> list[Record]:
    return [validate(r, cache) for r in module.read(io.StringIO(text))]


@pytest.mark.parametrize("name", WRITABLE)
def test_real_records_read_like_csljson(name: str, cache: ThesaurusCache) -> None:
    module = get_format(name)
    reference = [validate(r, cache) for r in get_format("csljson").read(DATA / "sample.json")]
    records = [validate(r, cache) for r in module.read(DATA / f"sample.{EXT[name]}")]
    assert len(records) == 30
    lost = module.LOST_FIELDS | get_format("csljson").LOST_FIELDS
    assert [_comparable(r, lost) for r in records] == [_comparable(r, lost) for r in reference]
    assert any(r.subjects for r in records) and any(r.abstract for r in records)


@pytest.mark.parametrize("name", WRITABLE)
def test_round_trip_real_records(name: str, cache: ThesaurusCache) -> None:
    module = get_format(name)
    records = [validate(r, cache) for r in module.read(DATA / f"sample.{EXT[name]}")]
    again = _read_valid(module, to_string(module.write, records), cache)
    lost = module.LOST_FIELDS
    assert [_comparable(r, lost) for r in again] == [_comparable(r, lost) for r in records]


@pytest.mark.parametrize("name", WRITABLE)
def test_lost_fields_are_exactly_listed(name: str, cache: ThesaurusCache) -> None:
    module = get_format(name)
    differing: set[str] = set()
    for rtype in (RecordType.article, RecordType.report, RecordType.book, RecordType.legislation):
        record = validate(dataclasses.replace(FULL, type=rtype), cache)
        (back,) = _read_valid(module, to_string(module.write, [record]), cache)
        a, b = record_to_dict(record, with_empty=True), record_to_dict(back, with_empty=True)
        differing |= {k for k in a if a[k] != b[k]}
        assert _comparable(back, module.LOST_FIELDS) == _comparable(record, module.LOST_FIELDS)
    listed = {k.partition(".")[0] for k in module.LOST_FIELDS} - {"created", "modified"}
    assert differing == listed


def test_csljson_subjects_exactly_custom(cache: ThesaurusCache) -> None:
    import json

    record = validate(FULL, cache)
    (item,) = json.loads(to_string(get_format("csljson").write, [record]))
    assert item["custom"] == {
        "subjects": [EARLY_RETIREMENT, SOCIAL_SECURITY],
        "subject_provenance": [
            {"uri": EARLY_RETIREMENT, "provenance": "manual"},
            {
                "uri": SOCIAL_SECURITY, "provenance": "automatic", "score": 0.4321,
                "method": "ensemble", "model": "0123456789ab",
            },
        ],
    }  # fmt: skip


def test_exports_carry_subject_labels(cache: ThesaurusCache) -> None:
    record = validate(FULL, cache)
    for name in ("bibtex", "ris", "marcxml", "csv"):
        text = to_string(get_format(name).write, [record], subject_lang="fr", labels=cache)
        assert "retraite anticipée" in text, name
    marc = to_string(get_format("marcxml").write, [record], subject_lang="es", labels=cache)
    assert "jubilación anticipada" in marc and f'<subfield code="0">{EARLY_RETIREMENT}' in marc


@pytest.mark.parametrize(
    ("fname", "fmt", "where", "reason"),
    [
        ("bad-truncated.bib", "bibtex", "line 13", "end of file"),
        ("bad-no-er.ris", "ris", "line 14", "no ER"),
        ("bad-invalid.xml", "marcxml", "line 4", "malformed XML"),
        ("bad-missing-column.csv", "csv", "line 1", "missing column(s) title"),
        ("bad-xxe.xml", "marcxml", "", "refused unsafe XML"),
        ("bad-billion-laughs.xml", "marcxml", "", "refused unsafe XML"),
    ],
)
def test_bad_input_names_file_and_line(fname: str, fmt: str, where: str, reason: str) -> None:
    with pytest.raises(InputDataError) as info:
        list(get_format(fmt).read(DATA / fname))
    message = str(info.value)
    assert fname in message and where in message and reason in message


def test_truncated_bibtex_line_is_the_entry_start() -> None:
    text = (DATA / "bad-truncated.bib").read_text()
    second = text.splitlines().index(next(ln for ln in text.splitlines()[1:] if ln.startswith("@")))
    with pytest.raises(InputDataError) as info:
        list(get_format("bibtex").read(DATA / "bad-truncated.bib"))
    assert info.value.line == second + 1


def test_skip_invalid_collects_parse_errors() -> None:
    errors: list[InputDataError] = []
    records = list(get_format("bibtex").read(DATA / "bad-truncated.bib", on_error=errors.append))
    assert len(records) == 1 and len(errors) == 1


def test_eurlex_jsonl(cache: ThesaurusCache) -> None:
    records = list(eurlex_format.read(DATA / "eurlex-10.jsonl"))
    assert len(records) == 10 and records[0].id == "31979L0007"
    assert records[0].type is RecordType.legislation and records[0].issued == "1979-01-10"
    assert {s.uri for s in records[0].subjects} == {
        "http://eurovoc.europa.eu/3913", "http://eurovoc.europa.eu/4050",
        "http://eurovoc.europa.eu/688",
    }  # fmt: skip


def test_guess_format() -> None:
    assert guess_format("a.bib") == "bibtex" and guess_format("a.csljson.gz") == "csljson"
    with pytest.raises(InputDataError, match="cannot tell the format"):
        guess_format("a.txt")


@pytest.mark.parametrize("name", [*WRITABLE, "eurlex-jsonl"])
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=200))
def test_any_text_parses_or_raises_input_data_error(name: str, text: str) -> None:
    try:
        list(get_format(name).read(io.StringIO(text)))
    except InputDataError:
        pass


def test_bibtex_worker_processes_give_the_same_records(monkeypatch: pytest.MonkeyPatch) -> None:
    from socsec.bibliography.formats import bibtex

    monkeypatch.setattr(bibtex, "CHUNK", 4)  # 30 entries -> 8 chunks, enough for the pool
    text = (DATA / "sample.bib").read_text()
    # A macro defined in the middle applies to the entries after it.
    cut = text.index("@techreport{nber-w2")
    text = text[:cut] + '@string{nber = "NBER"}\n\n' + text[cut:]
    text += "@misc{macro-user,\n  title = {Uses a macro},\n  publisher = nber,\n  year = 2001\n}\n"
    serial = list(bibtex.read_located(io.StringIO(text), workers=0))
    pooled = list(bibtex.read_located(io.StringIO(text), workers=1))
    assert pooled == serial and len(pooled) == 31
    assert pooled[-1].record.publisher == "NBER" and pooled[-1].line == text.count("\n") - 4


# Values the fast path must leave to bibtexparser: quotes, nested and escaped braces, macros,
# concatenations, empty and bare values (edge values inline, as the style guide asks).
EDGE_BIB = r"""@string{pub = {Crafted {Press}}}
@article{edge,
  Title = {Upper {Case} key and \{escaped\} braces},
  author = "Doe, Jane and {World Bank} and M{\"u}ller, J{\"o}rg",
  journal = pub,
  year = 2001,
  month = jan,
  abstract = "quoted {with "inner"} quotes",
  note = {ends with backslash\\ },
  series = {x} # pub # {y},
  edition = {},
  volume = "",
  pages = {{1}--{10}}
}
"""


def test_bibtex_values_as_bibtexparsers_default_stack() -> None:
    from bibtexparser.entrypoint import parse_string

    from socsec.bibliography.formats import bibtex

    text = EDGE_BIB + (DATA / "sample.bib").read_text()
    expected = [
        (e.key, e.entry_type, {f.key.lower(): f.value for f in e.fields})
        for e in parse_string(text).entries
    ]
    parsed, added = bibtex._parse_chunk(1, text, {})
    assert [raw for _, raw, _ in parsed] == expected and added == {"pub": "Crafted {Press}"}


def test_every_broken_bibtex_entry_is_reported() -> None:
    # Two broken entries on one line, and a file with CR line breaks (bibtexparser counts
    # lines by LF): each is its own error, none hides another.
    text = "@misc{a, title={A}}\n@misc{x title={B}} @misc{y title={C}}\n@misc{b, title={D}}\n"
    for source in (text, text.replace("\n", "\r")):
        errors: list[InputDataError] = []
        records = list(get_format("bibtex").read(io.StringIO(source), on_error=errors.append))
        assert [r.id for r in records] == ["a", "b"] and len(errors) == 2


def test_a_key_repeated_in_a_file_is_read_twice() -> None:
    # As across chunks: the import then matches the second to the first (fill or conflict).
    text = "@misc{a, title={A}}\n@misc{a, title={A}, note={n}}\n"
    records = list(get_format("bibtex").read(io.StringIO(text)))
    assert [(r.id, r.notes) for r in records] == [("a", None), ("a", "n")]


@pytest.mark.parametrize("record", [FULL, Record(id="", type=RecordType.other, title="")])
def test_store_data_is_record_to_dict_less_the_store_fields(record: Record) -> None:
    from socsec.bibliography.codec import record_to_data

    kept = {k: v for k, v in record_to_dict(record).items()
            if k not in ("id", "subjects", "aliases", "created", "modified")}  # fmt: skip
    assert list(record_to_data(record).items()) == list(kept.items())  # same order too


def test_ris_text_outside_records_is_skipped_with_a_note_on_a_record() -> None:
    """Exporters write text around records; text after the last ER has no next record to
    carry its note, so the last record carries it."""
    from socsec.bibliography.formats import ris

    records = (DATA / "sample.ris").read_text(encoding="utf-8").split("ER  - \n")[:3]
    first, second, third = (r.strip("\n") + "\nER  - \n" for r in records)
    text = (
        "Provider: an exporter\n" + first + "\n1.\n" + second
        + "\nRecord 3 of 3\n" + third + "\nExported by an exporter\nEnd of file\n"
    )  # fmt: skip
    line_of = {line: n for n, line in enumerate(text.split("\n"), start=1)}
    located = list(ris.read_located(io.StringIO(text)))
    assert [r.record.id for r in located] == ["nber-h0055", "nber-w10007", "nber-w11454"]
    notes = [[f.message for f in r.fixes if f.field == "(file)"] for r in located]
    skipped = "line(s) outside any record skipped, from line"
    assert notes[0] == [f"1 {skipped} 1: 'Provider: an exporter'"]
    assert notes[1] == []  # a record number line is not text
    assert notes[2] == [
        f"1 {skipped} {line_of['Record 3 of 3']}: 'Record 3 of 3'",
        f"2 {skipped} {line_of['Exported by an exporter']}: 'Exported by an exporter'",
    ]
