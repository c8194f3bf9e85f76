"""Shared helpers for the quality gate, exports, gaps and diff tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from socsec.thesaurus.checks_io import SkosSnapshot, snapshot_from_graph

HERE = Path(__file__).parent
REPO = HERE.parents[1]
BUNDLED = REPO / "socsec" / "data" / "eurovoc-social-protection.ttl"


def _shared() -> Path:
    # CI lays shared/ beside the clone; the developers' machines keep it at /work/shared.
    for candidate in (REPO.parent / "shared" / "data", Path("/work/shared/data")):
        if candidate.is_dir():
            return candidate
    return REPO.parent / "shared" / "data"


SHARED = _shared()
EUROVOC_FULL = SHARED / "eurovoc" / "eurovoc-en-fr-es.ttl"
UNESCO_2019 = SHARED / "unesco" / "unesco-thesaurus-2019-10-15.ttl"
UNESCO_2024 = SHARED / "unesco" / "unesco-thesaurus-2024-10-08.ttl"

PREFIXES = """\
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .
"""


def graph(turtle: str) -> Graph:
    """An rdflib graph from a Turtle snippet (the prefixes above are added)."""
    return Graph().parse(data=PREFIXES + turtle, format="turtle")


def snap(turtle: str) -> SkosSnapshot:
    """A snapshot from a Turtle snippet."""
    return snapshot_from_graph(graph(turtle), source="inline")


def need(path: Path) -> Path:
    """The path of a shared real data file; skip when shared/ is not laid out here."""
    if not path.is_file():
        pytest.skip(f"{path} is not available")
    return path
