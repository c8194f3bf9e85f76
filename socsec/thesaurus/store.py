"""The thesaurus of record: one Turtle file per concept scheme in the data dir.

Layout of ``ws.thesaurus_dir``::

    <scheme-slug>.ttl          every triple about one scheme and its concepts
    _shared-<source>.ttl       the triples of one import that belong to no single scheme
    manifest.json              the imports (source, sha256, date) and the prefixes to write

The union of the files is the thesaurus. Files are written atomically (temp file + rename).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict
from pathlib import Path

import pyoxigraph as ox

from socsec.fileutil import atomic_write_text
from socsec.thesaurus.model import ImportRecord
from socsec.thesaurus.partition import SHARED
from socsec.thesaurus.rdfio import RdfFormat, parse_bytes, serialize

MANIFEST = "manifest.json"
SHARED_PREFIX = "_shared-"


def slug(text: str) -> str:
    """A file-name-safe, readable and collision-free name for a URI or file stem."""
    readable = re.sub(r"[^A-Za-z0-9.]+", "_", re.sub(r"^[a-z]+://", "", text)).strip("_.")
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
    return f"{readable[:60]}-{digest}"


def part_file(scheme: str, source: str) -> str:
    """The file name of one partition key (a scheme URI, or ``SHARED`` for an import's rest)."""
    if scheme == SHARED:
        return f"{SHARED_PREFIX}{slug(Path(source).stem)}.ttl"
    return f"{slug(scheme)}.ttl"


class Manifest:
    """What is in the store: files (with the scheme each holds), imports, prefixes."""

    def __init__(
        self, files: dict[str, str | None], imports: list[ImportRecord], prefixes: dict[str, str]
    ) -> None:
        self.files = files
        self.imports = imports
        self.prefixes = prefixes

    @classmethod
    def load(cls, directory: Path) -> Manifest:
        """Read ``manifest.json`` (an empty manifest if the store is new)."""
        path = directory / MANIFEST
        if not path.is_file():
            return cls({}, [], {})
        data = json.loads(path.read_text(encoding="utf-8"))
        imports = [ImportRecord(**r) for r in data.get("imports", [])]
        return cls(dict(data.get("files", {})), imports, dict(data.get("prefixes", {})))

    def to_json(self) -> str:
        """The manifest as stable, indented JSON."""
        payload = {
            "files": dict(sorted(self.files.items())),
            "imports": [asdict(r) for r in self.imports],
            "prefixes": dict(sorted(self.prefixes.items())),
        }
        return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"

    def save(self, directory: Path) -> None:
        """Write the manifest atomically."""
        atomic_write_text(directory / MANIFEST, self.to_json())


def render_part(triples: list[ox.Triple], prefixes: dict[str, str]) -> bytes:
    """One store file: its triples as Turtle, in a stable order."""
    return serialize(triples, RdfFormat.ttl, prefixes)


def store_files(directory: Path) -> list[Path]:
    """The Turtle files of the store, sorted by name."""
    return sorted(directory.glob("*.ttl")) if directory.is_dir() else []


def read_file(path: Path, scope: str) -> list[ox.Triple]:
    """Triples of one store file; its blank nodes are renamed into ``scope``.

    Oxigraph keeps blank node labels as written, and each file is its own blank-node scope,
    so ``_:b0`` in two files must become two nodes when the files are read together.
    """
    triples = parse_bytes(path.read_bytes(), RdfFormat.ttl)
    if not any(
        isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in triples
    ):
        return triples

    def rename(node: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> object:
        return ox.BlankNode(f"{scope}x{node.value}") if isinstance(node, ox.BlankNode) else node

    return [ox.Triple(rename(t.subject), t.predicate, rename(t.object)) for t in triples]  # type: ignore[arg-type]


def read_all(directory: Path, names: list[str] | None = None) -> list[ox.Triple]:
    """The union of the store files (or of the named ones)."""
    out: list[ox.Triple] = []
    for i, path in enumerate(store_files(directory)):
        if names is None or path.name in names:
            out.extend(read_file(path, f"f{i}"))
    return out
