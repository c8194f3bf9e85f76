"""Size limits on RDF input: exit 5 with the position, never a traceback or a memory blow-up.

The inputs are hostile files built here (as the hardening probe built them): a huge
skos:definition in each syntax, and a file over the size limit.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from socsec.thesaurus import rdfio
from socsec.workspace import Workspace

from .test_cli import run

SKOS = "http://www.w3.org/2004/02/skos/core#"
HEAD = (
    f"<http://e.org/s> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{SKOS}ConceptScheme> .\n"
)


def _definition_file(tmp: Path, fmt: str, chars: int) -> Path:
    text = "pension " * (chars // 8)
    if fmt == "jsonld":
        doc = {"@id": "http://e.org/c", f"{SKOS}definition": {"@value": text, "@language": "en"}}
        path = tmp / "big.jsonld"
        path.write_text(json.dumps(doc), encoding="utf-8")
        return path
    path = tmp / f"big.{fmt}"
    path.write_text(HEAD + f'<http://e.org/c> <{SKOS}definition> "{text}"@en .\n', encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", ["ttl", "nt", "jsonld"])
@pytest.mark.parametrize("mib", [2, 20])  # over socsec's limit; over Oxigraph's 16 MiB buffer
def test_a_huge_literal_is_refused_with_its_line(
    ws: Workspace, tmp_path: Path, fmt: str, mib: int
) -> None:
    path = _definition_file(tmp_path, fmt, mib * 1024 * 1024)
    for command in (["import", str(path)], ["check", str(path)]):
        code, _out, err = run(ws, *command)
        assert code == 5, err
        assert "literal is longer than 1 MiB" in err
        if fmt != "jsonld":  # one line holds the whole document there
            assert "line 2" in err


def test_a_file_over_the_limit_is_refused_before_parsing(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(ws, "info")[0] == 0  # first run: the bundled extract, under the real limit
    monkeypatch.setattr(rdfio, "MAX_FILE_BYTES", 200)  # the same check, on a small file
    path = tmp_path / "big.ttl"
    path.write_text(HEAD * 4, encoding="utf-8")  # 4 lines of ~120 bytes
    code, _out, err = run(ws, "import", str(path))
    assert code == 5 and "RDF files are read up to" in err and "line 2" in err
