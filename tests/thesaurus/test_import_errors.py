"""Malformed, unknown and unsafe input: a clear error, and nothing changed."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socsec.errors import InputDataError, NotFoundError, ValidationFailed
from socsec.thesaurus.lookup import ThesaurusCache
from socsec.thesaurus.manage import import_file
from socsec.workspace import Workspace

from .conftest import MINI, make_ws


def snapshot(ws: Workspace) -> dict[str, bytes]:
    files = {p.name: p.read_bytes() for p in sorted(ws.thesaurus_dir.iterdir())}
    files["<cache>"] = ws.thesaurus_cache.read_bytes()
    return files


BAD_TURTLE = """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<http://x/a> a skos:Concept ;
    skos:prefLabel "ok"@en .
<http://x/b> skos:prefLabel "missing dot"@en
<http://x/c> skos:prefLabel "c"@en .
"""

BROKEN_XML = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="http://x/a">
</rdf:RDF>
"""

XXE = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY xxe SYSTEM "file://{secret}"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:skos="http://www.w3.org/2004/02/skos/core#">
  <rdf:Description rdf:about="http://x/a"><skos:prefLabel>&xxe;</skos:prefLabel></rdf:Description>
</rdf:RDF>
"""


def test_bad_turtle_reports_line_and_column_and_changes_nothing(
    mini_ws: Workspace, tmp_path: Path
) -> None:
    before = snapshot(mini_ws)
    bad = tmp_path / "bad.ttl"
    bad.write_text(BAD_TURTLE, encoding="utf-8")
    with pytest.raises(InputDataError) as info:
        import_file(mini_ws, bad, replace=True)
    assert info.value.path == str(bad)
    assert info.value.line == 5 and info.value.column is not None
    assert "bad.ttl, line 5, column" in str(info.value)
    assert snapshot(mini_ws) == before


def test_broken_xml_reports_position_and_changes_nothing(
    mini_ws: Workspace, tmp_path: Path
) -> None:
    before = snapshot(mini_ws)
    bad = tmp_path / "bad.rdf"
    bad.write_text(BROKEN_XML, encoding="utf-8")
    with pytest.raises(InputDataError) as info:
        import_file(mini_ws, bad)
    assert (info.value.line, info.value.column) == (4, 3)
    assert "malformed XML" in info.value.reason
    assert snapshot(mini_ws) == before


def test_xxe_payload_is_refused_without_reading_the_file(
    mini_ws: Workspace, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE", encoding="utf-8")
    payload = tmp_path / "xxe.rdf"
    payload.write_text(XXE.format(secret=secret), encoding="utf-8")
    before = snapshot(mini_ws)
    atime = secret.stat().st_atime_ns
    with pytest.raises(InputDataError) as info:
        import_file(mini_ws, payload)
    assert "entity" in info.value.reason.lower() and "not allowed" in info.value.reason
    assert snapshot(mini_ws) == before
    assert secret.stat().st_atime_ns == atime
    assert all(b"TOP-SECRET" not in data for data in snapshot(mini_ws).values())


def test_oxigraph_alone_does_not_expand_entities(tmp_path: Path) -> None:
    """Defence in depth: even without the defusedxml check, the parser refuses the DTD."""
    from socsec.thesaurus.rdfio import RdfFormat, parse_bytes

    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE", encoding="utf-8")
    with pytest.raises(SyntaxError):
        parse_bytes(XXE.format(secret=secret).encode(), RdfFormat.xml)


def test_unknown_format_and_missing_file(mini_ws: Workspace, tmp_path: Path) -> None:
    before = snapshot(mini_ws)
    odd = tmp_path / "thesaurus.docx"
    odd.write_bytes(b"PK")
    with pytest.raises(InputDataError, match="cannot tell the RDF format") as info:
        import_file(mini_ws, odd)
    assert "--format" in (info.value.hint or "")
    with pytest.raises(InputDataError, match="unknown RDF format"):
        import_file(mini_ws, MINI, fmt="rdfa")
    with pytest.raises(InputDataError, match="no such file"):
        import_file(mini_ws, tmp_path / "absent.ttl")
    with pytest.raises(NotFoundError):
        import_file(mini_ws, MINI, scheme="http://example.org/not-there")
    assert snapshot(mini_ws) == before


def test_wrong_format_given_is_a_syntax_error(mini_ws: Workspace) -> None:
    with pytest.raises(InputDataError) as info:
        import_file(mini_ws, MINI, fmt="jsonld")
    assert info.value.line == 1


def test_import_replaces_schemes_and_bumps_the_version(ws: Workspace, tmp_path: Path) -> None:
    import_file(ws, MINI)
    with ThesaurusCache.open(ws.thesaurus_cache) as cache:
        first = cache.version()
        assert cache.count() == 88
    extra = tmp_path / "extra.ttl"
    extra.write_text(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "<http://example.org/s> a skos:ConceptScheme .\n"
        "<http://example.org/c> a skos:Concept ; skos:inScheme <http://example.org/s> ;\n"
        '  skos:prefLabel "prestation de test"@fr .\n',
        encoding="utf-8",
    )
    report = import_file(ws, extra)
    assert report.concepts == 89 and report.schemes == ["http://example.org/s"]
    with ThesaurusCache.open(ws.thesaurus_cache) as cache:
        assert cache.version() != first
        assert cache.lookup("prestation de test")[0].uri == "http://example.org/c"
    with pytest.raises(ValidationFailed, match="would remove 88 concept"):
        import_file(ws, extra, replace=True)
    asked: list[int] = []
    report = import_file(ws, extra, replace=True, confirm=lambda n: asked.append(n) or True)
    assert asked == [88] and report.concepts == 1 and len(report.files_removed) == 24


def test_import_one_scheme_only(ws: Workspace) -> None:
    report = import_file(ws, MINI, scheme="http://eurovoc.europa.eu/100214")
    assert report.schemes == ["http://eurovoc.europa.eu/100214"]
    with ThesaurusCache.open(ws.thesaurus_cache) as cache:
        with_concepts = [s.uri for s in cache.schemes() if s.concepts]
        assert with_concepts == ["http://eurovoc.europa.eu/100214"]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.text(max_size=200) | st.sampled_from([BAD_TURTLE, BROKEN_XML, "<a:b> <a:c> <a:d> ."]),
    fmt=st.sampled_from(["ttl", "xml", "nt", "jsonld"]),
)
def test_any_text_imports_or_raises_input_data_error(
    tmp_path_factory: pytest.TempPathFactory, text: str, fmt: str
) -> None:
    root = tmp_path_factory.mktemp("any")
    path = root / f"input.{fmt}"
    path.write_text(text, encoding="utf-8")
    ws = make_ws(root / "data")
    try:
        import_file(ws, path)
    except InputDataError:
        assert not ws.thesaurus_cache.exists()
