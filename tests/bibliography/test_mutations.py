"""Property tests: valid files of every format, mutated (truncated, bytes flipped, re-encoded,
a huge field, deep nesting), are imported or refused with InputDataError (exit 5), never an
other exception (exit 1); after a refusal the store is byte for byte what it was."""

from __future__ import annotations

import gzip
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socsec.bibliography.service import import_file
from socsec.bibliography.store import BibliographyStore
from socsec.errors import InputDataError
from socsec.thesaurus.lookup import ThesaurusCache

from .conftest import DATA


def _head(ext: str, records: int = 4) -> bytes:
    """The first records of a real fixture file, still a valid file."""
    text = (DATA / f"sample.{ext}").read_text(encoding="utf-8")
    if ext == "bib":
        return "\n\n".join(text.split("\n\n")[:records]).encode() + b"\n"
    if ext == "ris":
        return "".join(text.split("ER  - \n")[i] + "ER  - \n" for i in range(records)).encode()
    if ext in ("csv", "jsonl"):
        return "\n".join(text.splitlines()[: records + (ext == "csv")]).encode() + b"\n"
    if ext == "json":
        lines = text.splitlines()  # one item a line between "[" and "]"
        return ("\n".join(lines[: records + 1]).rstrip(",") + "\n]\n").encode()
    lines = text.splitlines()  # xml: declaration, <collection>, one record a line
    return ("\n".join(lines[: records + 2]) + "\n</collection>\n").encode()


FORMATS = ("bib", "ris", "json", "xml", "csv")


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    ext = draw(st.sampled_from(FORMATS))
    data = bytearray(_head(ext))
    kind = draw(st.sampled_from(["truncate", "flip", "encoding", "huge", "nesting", "insert"]))
    if kind == "truncate":
        data = data[: draw(st.integers(0, len(data)))]
    elif kind == "flip":
        for _ in range(draw(st.integers(1, 8))):
            i = draw(st.integers(0, len(data) - 1))
            data[i] = draw(st.integers(0, 255))
    elif kind == "encoding":
        codec = draw(st.sampled_from(["latin-1", "utf-16", "utf-16-be", "cp1252", "utf-32"]))
        data = bytearray(data.decode("utf-8").encode(codec, errors="replace"))
    elif kind == "huge":
        i = draw(st.integers(0, len(data)))
        size = draw(st.sampled_from([2**17, 2**20 + 1, 17 * 2**20]))
        data[i:i] = draw(st.sampled_from([b"a", b"{", b'"', b"\n", b"<"])) * size
    elif kind == "nesting":
        i = draw(st.integers(0, len(data)))
        opener = draw(st.sampled_from([b"[", b"{", b"<a>", b"(("]))
        data[i:i] = opener * draw(st.integers(1, 100_000))
    else:
        i = draw(st.integers(0, len(data)))
        data[i:i] = draw(st.binary(min_size=1, max_size=40))
    if draw(st.booleans()) and kind != "huge":
        return ext + ".gz", gzip.compress(bytes(data))
    return ext, bytes(data)


def _dump(path: Path) -> str:
    db = sqlite3.connect(path)
    try:
        return "\n".join(db.iterdump())
    finally:
        db.close()


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large],
)  # fmt: skip
@given(case=mutated())
def test_mutated_files_import_or_exit_5(
    case: tuple[str, bytes], tmp_path: Path, cache: ThesaurusCache
) -> None:
    ext, data = case
    src = tmp_path / f"mutated.{ext}"
    src.write_bytes(data)
    db = tmp_path / "store.sqlite"
    with BibliographyStore.open(db) as store:
        before = _dump(db)
        try:
            import_file(store, src, checker=cache)
        except InputDataError as exc:
            assert str(src) in str(exc)  # the file is named
            assert _dump(db) == before
    src.unlink()


@pytest.mark.parametrize("ext", FORMATS)
def test_unmutated_heads_import(ext: str, tmp_path: Path, cache: ThesaurusCache) -> None:
    """The property's starting points are valid: the mutations are what fails."""
    src = tmp_path / f"head.{ext}"
    src.write_bytes(_head(ext))
    with BibliographyStore.open(tmp_path / "s.sqlite") as store:
        assert import_file(store, src, checker=cache).created == 4
