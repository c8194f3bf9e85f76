"""Write side of the thesaurus: import into the store (and recompile), export, info."""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import replace as with_fields
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from socsec.analysis import SUPPORTED_LANGUAGES
from socsec.errors import InputDataError, NotFoundError, ValidationFailed
from socsec.fileutil import atomic_write_bytes, exclusive_lock
from socsec.thesaurus import history, journal
from socsec.thesaurus.compile import build_cache
from socsec.thesaurus.history import HistoryEntry
from socsec.thesaurus.lookup import ThesaurusCache, get_cache
from socsec.thesaurus.model import (
    RDF_TYPE,
    SKOS,
    SKOSXL_LABEL,
    ImportRecord,
    ImportReport,
    ThesaurusInfo,
)
from socsec.thesaurus.partition import SHARED, partition, scheme_uris
from socsec.thesaurus.quadindex import sha256 as file_sha256
from socsec.thesaurus.rdfio import (
    guess_format,
    parse_file,
    serialize,
)
from socsec.thesaurus.store import (
    MANIFEST,
    Manifest,
    part_file,
    read_all,
    render_part,
    store_files,
)

if TYPE_CHECKING:
    from socsec.workspace import Workspace

ProgressFn = Callable[[str], None]


def import_file(
    ws: Workspace,
    path: Path,
    *,
    fmt: str | None = None,
    scheme: str | None = None,
    replace: bool = False,
    source_name: str | None = None,
    on_progress: ProgressFn | None = None,
    confirm: Callable[[int], bool] | None = None,
    base: str | None = None,
    first_run: bool = False,
) -> ImportReport:
    """Import an RDF file into the thesaurus of record and rebuild the lookup cache.

    Each concept scheme of the file replaces the stored scheme of the same URI; other
    stored schemes are kept (``replace=True`` drops them). Nothing is changed if the file
    cannot be read.

    Args:
        ws: the data dir.
        path: the RDF file.
        fmt: "ttl", "xml", "nt" or "jsonld"; default from the extension.
        scheme: import only this scheme (its concepts and the file's shared triples).
        replace: replace the whole thesaurus by this file.
        source_name: name recorded as the source (default: the file name).
        first_run: part of setting up a new data dir (the bundle): no history entry.
        on_progress: called with a short step name ("parse", "store", "compile").
        confirm: asked with the number of concepts the import would remove from the
            thesaurus; without it (or if it answers False) such an import is refused.
        base: the IRI relative IRIs of the file resolve against (default: the file's URI;
            N-Triples takes absolute IRIs only).

    An import into a store that has files is recorded in the curation history and can be
    undone like an edit.

    Raises:
        InputDataError: unknown format, syntax error (with line/column), unsafe XML, a file
            with no triples.
        ValidationFailed: the import would remove concepts and was not confirmed.
        NotFoundError: ``scheme`` is not in the file.
    """
    step = on_progress or (lambda _s: None)
    started = time.perf_counter()
    rdf_format = guess_format(path, fmt)
    step("parse")
    triples, prefixes = parse_file(path, rdf_format, base=base)
    if not triples:
        raise InputDataError(
            "the file holds no triples: nothing to import", path=path,
            hint="an import never empties the thesaurus; check the file",
        )  # fmt: skip
    parts = partition(triples)
    if scheme is not None:
        if scheme not in parts:
            raise NotFoundError(
                f"Scheme {scheme!r} is not in {path}", suggestions=scheme_uris(triples)
            )
        parts = {k: v for k, v in parts.items() if k in (scheme, SHARED)}
    source = source_name or path.name
    # One writer at a time: what is read of the store below is still current at the commit.
    with exclusive_lock(ws.thesaurus_lock):
        journal.recover(ws, locked=True)
        directory = ws.thesaurus_dir
        manifest = Manifest.load(directory)
        manifest.prefixes = {**manifest.prefixes, **prefixes}
        new_files = {part_file(key, source): key for key in parts}
        old_files = {p.name for p in store_files(directory)}
        removed = sorted(old_files - set(new_files)) if replace else []
        kept = sorted(old_files - set(new_files) - set(removed))
        step("store")
        payloads = {
            name: render_part(parts[key], manifest.prefixes) for name, key in new_files.items()
        }
        manifest.files = {name: manifest.files.get(name) for name in kept}
        manifest.files.update({name: key or None for name, key in new_files.items()})
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        record = ImportRecord(
            source=source,
            sha256=digest,
            format=rdf_format.value,
            imported_at=datetime.now(UTC).isoformat(timespec="seconds"),
            triples=sum(len(v) for v in parts.values()),
            schemes=sorted(k for k in parts if k),
            files=sorted(new_files),
        )
        previous = [] if replace else [r for r in manifest.imports if r.source != source]
        manifest.imports = [*previous, record]
        step("compile")
        union = list(
            dict.fromkeys([*read_all(directory, kept), *(t for v in parts.values() for t in v)])
        )
        lost = removed_concepts(ws, union)
        if lost and not (confirm is not None and confirm(len(lost))):
            raise ValidationFailed(
                f"this import would remove {len(lost)} concept(s) from the thesaurus "
                f"(e.g. {lost[0]}); nothing was written",
                hint="pass --yes to import anyway (socsec thesaurus undo reverts it)",
            )
        entry = HistoryEntry(
            id=history.next_id(history.read_log(ws)),
            when=history.now(),
            who=history.current_user(ws),
            action="replace" if replace else "import",
            concepts=[],
            summary=f"{'replaced the thesaurus with' if replace else 'imported'} {source} "
            f"({record.triples} triples" + (f"; {len(lost)} concept(s) removed)" if lost else ")"),
        )
        # The first run's imports (into an empty store, or completing the bundle) are the
        # start of the history, not changes in it.
        recorded = entry if old_files and not first_run else None
        build_id = commit_store(ws, manifest, payloads, union, removed=removed, entry=recorded)
    with ThesaurusCache.open(ws.thesaurus_cache) as cache:
        concepts = cache.count()
    return ImportReport(
        source=source,
        format=rdf_format.value,
        triples=record.triples,
        concepts=concepts,
        schemes=record.schemes,
        files_written=sorted(payloads),
        files_removed=removed,
        seconds=round(time.perf_counter() - started, 3),
        cache_version=build_id,
    )


def removed_concepts(ws: Workspace, union: list[ox.Triple]) -> list[str]:
    """Concepts of the current thesaurus (its cache) that ``union`` no longer has, sorted."""
    import sqlite3

    if not ws.thesaurus_cache.is_file():
        return []
    conn = sqlite3.connect(f"file:{ws.thesaurus_cache}?mode=ro", uri=True)
    try:
        old = {uri for (uri,) in conn.execute("SELECT uri FROM concepts")}
    except sqlite3.Error:
        return []
    finally:
        conn.close()
    return sorted(old - concept_subjects(union))


_TYPE = RDF_TYPE
_NOT_CONCEPTS = {SKOS + "ConceptScheme", SKOS + "Collection", SKOSXL_LABEL}
_HINTS = {SKOS + p for p in ("inScheme", "topConceptOf", "broader", "narrower")}


def concept_subjects(triples: list[ox.Triple]) -> set[str]:
    """The concepts of ``triples`` as the cache compiles them (compile.concept_uris), in one
    light pass: typed skos:Concept or used as one, and not a scheme, collection or XL label.
    """
    found: set[str] = set()
    other: set[str] = set()
    for t in triples:
        s = t.subject
        if not isinstance(s, ox.NamedNode):
            continue
        p = t.predicate.value
        if p == _TYPE and isinstance(t.object, ox.NamedNode):
            o = t.object.value
            if o == SKOS + "Concept":
                found.add(s.value)
            elif o in _NOT_CONCEPTS:
                other.add(s.value)
        elif p in _HINTS and isinstance(t.object, ox.NamedNode):
            found.add(s.value)
    return found - other


def commit_store(
    ws: Workspace,
    manifest: Manifest,
    payloads: dict[str, bytes],
    union: list[ox.Triple],
    *,
    removed: list[str] | None = None,
    entry: HistoryEntry | None = None,
) -> str:
    """Write store files and the manifest, and swap in a cache compiled from ``union``.

    The write path of imports (curation goes through :mod:`socsec.thesaurus.incremental`):
    the new cache is compiled to a staging file first, so a failure there changes nothing;
    then the journal is written (the commit point, see :mod:`socsec.thesaurus.journal`),
    the files are replaced, the cache swapped in and the history entry recorded. Call with
    the writer lock held. Returns the build id.

    Args:
        ws: the data dir.
        manifest: the manifest to save (its ``files`` must list the files after the commit).
        payloads: file name -> new bytes, for the files that change.
        union: every triple of the store after the commit (compiled into the cache).
        removed: store files to delete.
        entry: the history entry of the change (its ``files`` are filled in here).
    """
    directory = ws.thesaurus_dir
    removed = removed or []
    staging = ws.thesaurus_cache.with_name(ws.thesaurus_cache.name + ".staging")
    digests = {
        p.name: file_sha256(p.read_bytes())
        for p in store_files(directory)
        if p.name not in payloads and p.name not in removed
    }
    digests.update({name: file_sha256(data) for name, data in payloads.items()})
    build_id = build_cache(union, manifest, staging, digests=digests)
    written = {**payloads, MANIFEST: manifest.to_json().encode("utf-8")}
    files: dict[str, list[str | None]] = {}
    for name in [*written, *removed]:
        path = directory / name
        before = history.save_blob(ws, path.read_bytes()) if path.is_file() else None
        files[name] = [before, history.sha256(written.get(name))]
    if entry is not None:
        entry = with_fields(entry, files=files)
        journal.begin(ws, entry, written, removed)  # the commit point
    for name, data in written.items():
        atomic_write_bytes(directory / name, data)
    for name in removed:
        (directory / name).unlink(missing_ok=True)
    os.replace(staging, ws.thesaurus_cache)
    if entry is not None:
        journal.finish(ws, entry)
    return build_id


GLOSSARY_FORMATS = ("tbx", "tbx2008", "csv")


def export(
    ws: Workspace,
    fmt: str = "ttl",
    *,
    scheme: str | None = None,
    langs: Sequence[str] | None = None,
) -> bytes:
    """The thesaurus (or one scheme of it) as RDF ("ttl", "xml", "nt", "jsonld") or as a
    translators' glossary ("tbx": TBX-Basic 2019, "tbx2008": the older edition many CAT
    tools read, "csv": UTF-8 spreadsheet).

    Args:
        ws: the data dir.
        fmt: the format.
        scheme: only this scheme (URI).
        langs: glossary languages (default en, fr, es); ignored for RDF.

    Raises:
        InputDataError: unknown format.
        NotFoundError: ``scheme`` is not stored.
    """
    glossary = fmt.lower() in GLOSSARY_FORMATS
    rdf_format = None if glossary else guess_format(Path("-"), fmt)
    manifest = Manifest.load(ws.thesaurus_dir)
    names = None
    if scheme is not None:
        names = [n for n, s in manifest.files.items() if s == scheme]
        if not names:
            stored = sorted(s for s in manifest.files.values() if s)
            raise NotFoundError(f"Scheme {scheme!r} is not in the thesaurus", suggestions=stored)
    triples = list(dict.fromkeys(read_all(ws.thesaurus_dir, names)))
    if rdf_format is None:
        return _glossary(triples, fmt.lower(), langs or SUPPORTED_LANGUAGES)
    return serialize(triples, rdf_format, manifest.prefixes)


def _glossary(triples: list[ox.Triple], fmt: str, langs: Sequence[str]) -> bytes:
    import io

    from socsec.thesaurus.checks_io import snapshot_from_triples

    snap = snapshot_from_triples(triples, source="store")
    buffer = io.BytesIO()
    if fmt in ("tbx", "tbx2008"):
        from socsec.thesaurus.export_tbx import write_tbx

        write_tbx(snap, buffer, list(langs), version="2008" if fmt == "tbx2008" else "2019")
    else:
        from socsec.thesaurus.export_csv import write_csv

        write_csv(snap, buffer, list(langs))
    return buffer.getvalue()


def info(ws: Workspace) -> ThesaurusInfo:
    """Schemes, counts per language, sources, versions, licences and attributions."""
    cache = get_cache(ws)
    meta = cache.meta()
    manifest = json.loads(meta["manifest"])
    return ThesaurusInfo(
        concepts=cache.count(),
        schemes=cache.schemes(),
        labels=json.loads(meta["label_counts"]),
        triples=int(meta["triples"]),
        cache_version=meta["build_id"],
        built_at=meta["built_at"],
        imports=[ImportRecord(**r) for r in manifest.get("imports", [])],
        sources=json.loads(meta.get("sources", "[]")),
    )
