"""Validation and normalisation of identifiers, dates, languages and subjects."""

from __future__ import annotations

import pytest

from socsec.bibliography.model import Record, RecordType, Subject
from socsec.bibliography.validate import (
    normalize_doi,
    normalize_isbn,
    normalize_issn,
    normalize_language,
    normalize_url,
    validate,
)
from socsec.errors import ValidationFailed
from socsec.thesaurus.lookup import ThesaurusCache

from .conftest import EARLY_RETIREMENT


def test_doi_lowercased_without_resolver() -> None:
    assert normalize_doi("https://doi.org/10.3386/W0107") == "10.3386/w0107"
    assert normalize_doi("doi:10.1016/J.JPUBECO.2004.01.002") == "10.1016/j.jpubeco.2004.01.002"
    with pytest.raises(ValueError, match="invalid DOI"):
        normalize_doi("11.1/x")


def test_isbn10_converted_and_check_digits() -> None:
    assert normalize_isbn("0-306-40615-2") == "9780306406157"
    assert normalize_isbn("978-0-306-40615-7") == "9780306406157"
    assert normalize_isbn("ISBN 0-8044-2957-X") == "9780804429573"
    with pytest.raises(ValueError, match="check digit"):
        normalize_isbn("978-0-306-40615-8")
    with pytest.raises(ValueError, match="check digit"):
        normalize_isbn("0-306-40615-3")


def test_issn_checksum() -> None:
    assert normalize_issn("00472727") == "0047-2727"  # Journal of Public Economics
    assert normalize_issn("1531-4650") == "1531-4650"
    with pytest.raises(ValueError, match="check digit"):
        normalize_issn("0047-2728")


def test_url_and_language() -> None:
    assert normalize_url("https://www.nber.org/papers/w0107") == "https://www.nber.org/papers/w0107"
    with pytest.raises(ValueError):
        normalize_url("www.nber.org")
    for code, expected in [("eng", "en"), ("fre", "fr"), ("fra", "fr"), ("spa", "es"),
                           ("en-GB", "en"), ("FR", "fr"), ("French", "fr")]:  # fmt: skip
        assert normalize_language(code) == expected
    with pytest.raises(ValueError, match="unknown language"):
        normalize_language("xx-nope")


def test_record_rules(cache: ThesaurusCache) -> None:
    base = Record(id="r1", type=RecordType.report, title="  Social Security and  Retirement ")
    ok = validate(
        Record(id="r1", type=RecordType.report, title="T", issued="1975-10", language="eng",
               doi="https://doi.org/10.3386/W0107", subjects=(Subject(EARLY_RETIREMENT),)),
        cache,
    )  # fmt: skip
    assert (ok.year, ok.language, ok.doi) == (1975, "en", "10.3386/w0107")
    assert validate(base).title == "Social Security and Retirement"
    with pytest.raises(ValidationFailed, match="title is required"):
        validate(Record(id="r", type=RecordType.report, title=" "))
    with pytest.raises(ValidationFailed, match="implausible year"):
        validate(Record(id="r", type=RecordType.report, title="T", year=19750))
    with pytest.raises(ValidationFailed, match="differs"):
        validate(Record(id="r", type=RecordType.report, title="T", year=1975, issued="1976"))


def test_unknown_subject_refused(cache: ThesaurusCache) -> None:
    record = Record(id="r", type=RecordType.report, title="T",
                    subjects=(Subject("http://eurovoc.europa.eu/999999999"),))  # fmt: skip
    with pytest.raises(ValidationFailed, match="unknown subject concept"):
        validate(record, cache)
    with pytest.raises(ValidationFailed, match="no thesaurus"):
        validate(record, None)
