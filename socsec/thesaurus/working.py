"""A working copy of the thesaurus of record: the store files in memory, changed, committed.

Curation (:mod:`socsec.thesaurus.curation`) reads every store file into a
:class:`WorkingCopy`, adds and removes triples (each remembers its file), and
:func:`commit` writes the changed files through the store's one write path
(:func:`socsec.thesaurus.manage.commit_store`: cache compiled first, files replaced atomically)
and records the change in the history.
"""

from __future__ import annotations

import unicodedata
from collections import deque
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import pyoxigraph as ox

from socsec.errors import NotFoundError, ValidationFailed
from socsec.fileutil import exclusive_lock
from socsec.thesaurus import history
from socsec.thesaurus.history import HistoryEntry
from socsec.thesaurus.model import DCT, OWL_DEPRECATED, RDF_TYPE, SKOS
from socsec.thesaurus.rdfio import RdfFormat, parse_bytes
from socsec.thesaurus.store import Manifest, read_originals, render_part, store_files

if TYPE_CHECKING:
    from socsec.workspace import Workspace

XSD = "http://www.w3.org/2001/XMLSchema#"


def iri(uri: str) -> ox.NamedNode:
    """An IRI node."""
    return ox.NamedNode(uri)


TYPE = iri(RDF_TYPE)
CONCEPT = iri(SKOS + "Concept")
IN_SCHEME = iri(SKOS + "inScheme")
TOP_OF = iri(SKOS + "topConceptOf")
HAS_TOP = iri(SKOS + "hasTopConcept")
BROADER = iri(SKOS + "broader")
NARROWER = iri(SKOS + "narrower")
RELATED = iri(SKOS + "related")
NOTATION = iri(SKOS + "notation")
DEPRECATED = iri(OWL_DEPRECATED)
REPLACED_BY = iri(DCT + "isReplacedBy")
MODIFIED = iri(DCT + "modified")
CREATED = iri(DCT + "created")


@dataclass(frozen=True)
class ChangeResult:
    """What a curation call did.

    Attributes:
        entry: the history entry recorded for the change.
        cache_version: the build id of the rebuilt lookup cache.
        uri: the concept the change is about (the new URI for `add`).
    """

    entry: HistoryEntry
    cache_version: str
    uri: str | None = None


def label_key(text: str) -> str:
    """Comparison key of a label: NFC, case-folded, inner whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


# ---------------------------------------------------------------- the working copy


def parse_scoped(data: bytes, scope: str) -> list[ox.Triple]:
    """Triples of one store file, blank nodes renamed into ``scope`` (as store.read_file does)."""
    triples = parse_bytes(data, RdfFormat.ttl)

    def rename(node: object) -> object:
        return ox.BlankNode(f"{scope}x{node.value}") if isinstance(node, ox.BlankNode) else node

    if not any(
        isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in triples
    ):
        return triples
    return [ox.Triple(rename(t.subject), t.predicate, rename(t.object)) for t in triples]  # type: ignore[arg-type]


def _unscope(triples: Iterable[ox.Triple], scope: str) -> list[ox.Triple]:
    """Undo :func:`parse_scoped` renaming, so blank-node labels do not grow on every write."""
    prefix = f"{scope}x"

    def back(node: object) -> object:
        if isinstance(node, ox.BlankNode) and node.value.startswith(prefix):
            return ox.BlankNode(node.value[len(prefix) :])
        return node

    return [ox.Triple(back(t.subject), t.predicate, back(t.object)) for t in triples]  # type: ignore[arg-type]


def _originals(path: Path) -> dict[ox.Triple, str]:
    """The statements a store file keeps as written, keyed by their normalised triple."""
    out: dict[ox.Triple, str] = {}
    for block in read_originals(path):
        for line in block.splitlines():
            if line.strip():
                for triple in parse_bytes(line.encode("utf-8"), RdfFormat.ttl):
                    out[triple] = line + "\n"
    return out


def _nt(t: ox.Triple) -> str:
    return f"{t.subject} {t.predicate} {t.object} ."


class WorkingCopy:
    """The store files in memory, with indexes, and the changes made to them."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.manifest = Manifest.load(ws.thesaurus_dir)
        self.paths = store_files(ws.thesaurus_dir)
        if not self.paths:
            raise NotFoundError(
                f"no thesaurus files in {ws.thesaurus_dir}",
                hint="import one with: socsec thesaurus import FILE",
            )
        self.scope: dict[str, str] = {}
        self.data: dict[str, bytes] = {}
        self.where: dict[ox.Triple, set[str]] = {}
        self.by_s: dict[object, set[ox.Triple]] = {}
        self.by_o: dict[object, set[ox.Triple]] = {}
        for i, path in enumerate(self.paths):
            self.scope[path.name] = f"f{i}"
            self.data[path.name] = path.read_bytes()
            for t in parse_scoped(self.data[path.name], f"f{i}"):
                self._index(t, path.name)
        self.added: list[ox.Triple] = []
        self.removed: list[ox.Triple] = []
        self.touched: set[str] = set()
        self.stamped: set[str] = set()
        self._prefs: dict[tuple[str, str], set[str]] | None = None

    def _index(self, t: ox.Triple, name: str) -> None:
        self.where.setdefault(t, set()).add(name)
        self.by_s.setdefault(t.subject, set()).add(t)
        if isinstance(t.object, ox.NamedNode):
            self.by_o.setdefault(t.object, set()).add(t)

    # -- reading

    def objects(self, s: str, p: ox.NamedNode) -> list[ox.NamedNode | ox.BlankNode | ox.Literal]:
        """Objects of (s, p), sorted."""
        return sorted(
            (t.object for t in self.by_s.get(iri(s), ()) if t.predicate == p),  # type: ignore[misc]
            key=str,
        )

    def uris(self, s: str, p: ox.NamedNode) -> list[str]:
        """IRI objects of (s, p)."""
        return [o.value for o in self.objects(s, p) if isinstance(o, ox.NamedNode)]

    def subjects(self, p: ox.NamedNode, o: str) -> list[str]:
        """IRI subjects of (?, p, o)."""
        return sorted(
            t.subject.value
            for t in self.by_o.get(iri(o), ())
            if t.predicate == p and isinstance(t.subject, ox.NamedNode)
        )

    def literals(self, s: str, p: ox.NamedNode) -> list[ox.Literal]:
        """Literal objects of (s, p)."""
        return [o for o in self.objects(s, p) if isinstance(o, ox.Literal)]

    def is_concept(self, uri: str) -> bool:
        """Typed skos:Concept, or in a scheme."""
        return ox.Triple(iri(uri), TYPE, CONCEPT) in self.where or bool(self.uris(uri, IN_SCHEME))

    def is_deprecated(self, uri: str) -> bool:
        """owl:deprecated true."""
        return any(o.value.lower() in ("true", "1") for o in self.literals(uri, DEPRECATED))

    def parents(self, uri: str) -> set[str]:
        """Broader concepts, with the inverse of skos:narrower."""
        return set(self.uris(uri, BROADER)) | set(self.subjects(NARROWER, uri))

    def children(self, uri: str) -> set[str]:
        """Narrower concepts, with the inverse of skos:broader."""
        return set(self.uris(uri, NARROWER)) | set(self.subjects(BROADER, uri))

    def related(self, uri: str) -> set[str]:
        """Related concepts, both directions."""
        return set(self.uris(uri, RELATED)) | set(self.subjects(RELATED, uri))

    def schemes_of(self, uri: str) -> list[str]:
        """Schemes a concept is in or top of."""
        return sorted(set(self.uris(uri, IN_SCHEME)) | set(self.uris(uri, TOP_OF)))

    def file_of(self, uri: str) -> str:
        """The store file holding a resource (the one with most of its statements)."""
        counts: dict[str, int] = {}
        for t in self.by_s.get(iri(uri), ()):
            for name in self.where.get(t, ()):
                counts[name] = counts.get(name, 0) + 1
        if counts:
            return max(sorted(counts), key=lambda n: counts[n])
        raise NotFoundError(f"{uri} is not in the thesaurus files")

    def scheme_file(self, scheme: str) -> str:
        """The store file of a scheme."""
        named = sorted(n for n, s in self.manifest.files.items() if s == scheme)
        existing = [n for n in named if n in self.scope]
        return existing[0] if existing else self.file_of(scheme)

    def path(self, start: str, goal: str, step: Callable[[str], set[str]]) -> list[str] | None:
        """Shortest path start..goal following ``step`` (None when there is none)."""
        previous: dict[str, str | None] = {start: None}
        queue = deque([start])
        while queue:
            node = queue.popleft()
            if node == goal:
                out = [node]
                while (back := previous[out[-1]]) is not None:
                    out.append(back)
                return list(reversed(out))
            for nxt in sorted(step(node)):
                if nxt not in previous:
                    previous[nxt] = node
                    queue.append(nxt)
        return None

    def closure(self, start: str, step: Callable[[str], set[str]]) -> set[str]:
        """Every node reachable from ``start`` by ``step`` (``start`` included)."""
        seen = {start}
        queue = deque([start])
        while queue:
            for nxt in step(queue.popleft()):
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append(nxt)
        return seen

    def pref_owners(self, lang: str, key: str) -> list[str]:
        """Concepts with a prefLabel of this folded ``key`` in ``lang`` (call after changing)."""
        if self._prefs is None:
            pref = iri(SKOS + "prefLabel")
            self._prefs = {}
            for t in self.where:
                if t.predicate == pref and isinstance(t.object, ox.Literal):
                    if isinstance(t.subject, ox.NamedNode):
                        k = (t.object.language or "", label_key(t.object.value))
                        self._prefs.setdefault(k, set()).add(t.subject.value)
        return sorted(self._prefs.get((lang, key), ()))

    # -- changing

    def add(self, t: ox.Triple, name: str) -> None:
        """Add a triple to the file ``name`` (nothing if it is already stored)."""
        if t in self.where:
            return
        self._index(t, name)
        self.added.append(t)
        self.touched.add(name)
        self._prefs = None

    def remove(self, t: ox.Triple) -> bool:
        """Remove a triple from every file holding it; False if it was not stored."""
        names = self.where.pop(t, None)
        if names is None:
            return False
        self.by_s.get(t.subject, set()).discard(t)
        self.by_o.get(t.object, set()).discard(t)
        self.removed.append(t)
        self.touched |= names
        self._prefs = None
        return True

    def remove_all(self, s: str, p: ox.NamedNode) -> int:
        """Remove every (s, p, *) triple; returns how many."""
        return sum(self.remove(t) for t in list(self.by_s.get(iri(s), ())) if t.predicate == p)

    def link(self, s: str, p: ox.NamedNode, o: str) -> None:
        """Add (s, p, o) to the file of ``s``."""
        self.add(ox.Triple(iri(s), p, iri(o)), self.file_of(s))

    def unlink(self, s: str, p: ox.NamedNode, o: str) -> bool:
        """Remove (s, p, o); False if it was not stored."""
        return self.remove(ox.Triple(iri(s), p, iri(o)))

    def stamp(self, uri: str, when: str) -> None:
        """Set dct:modified on a concept (once per change)."""
        if uri in self.stamped:
            return
        self.stamped.add(uri)
        name = self.file_of(uri)
        self.remove_all(uri, MODIFIED)
        self.add(
            ox.Triple(iri(uri), MODIFIED, ox.Literal(when, datatype=iri(XSD + "dateTime"))), name
        )

    # -- committing

    def payloads(self) -> dict[str, bytes]:
        """The new bytes of every changed file."""
        out = {}
        for name in sorted(self.touched):
            triples = [t for t, names in self.where.items() if name in names]
            path = self.ws.thesaurus_dir / name
            out[name] = render_part(
                _unscope(triples, self.scope[name]), _originals(path), self.manifest.prefixes
            )
        return out

    def union(self) -> list[ox.Triple]:
        """Every triple of the store as changed."""
        return list(self.where)


class TaggedRecords(Protocol):
    """The records tagged with concepts, as a merge, deprecation or undo needs them.

    The thesaurus owns no records: the application layer passes an implementation backed by
    the bibliography (``socsec.app.retagging.BibliographyTags``), so the thesaurus never
    imports it.
    """

    def tagged_with(self, uri: str) -> list[str]:
        """Ids of the records tagged with ``uri``."""
        ...

    def retag(self, old_uri: str, new_uri: str | None) -> int:
        """Move the tags of ``old_uri`` to ``new_uri`` (None removes them); the count."""
        ...

    def tag_back(
        self, ids: Sequence[str], old_uri: str, new_uri: str, had_new: Collection[str]
    ) -> int:
        """Undo a re-tagging of ``ids``; the count of records changed."""
        ...


def commit(
    work: WorkingCopy,
    *,
    action: str,
    concepts: Sequence[str],
    summary: str,
    when: str,
    notes: Sequence[str] = (),
    retag: tuple[str, str | None] | None = None,
    records: TaggedRecords | None = None,
) -> ChangeResult:
    """Write a validated change (store files, cache, history); re-tag ``records`` if asked.

    Raises:
        ValidationFailed: the store files changed since ``work`` read them (another editor or
            an import committed first); nothing is written.
    """
    from socsec.thesaurus.manage import commit_store

    with exclusive_lock(work.ws.thesaurus_lock):
        _check_unchanged(work)
        ws = work.ws
        net_added = [t for t in work.added if t in work.where]
        net_removed = [t for t in work.removed if t not in work.where]
        if not net_added and not net_removed:
            raise ValidationFailed(f"nothing to change: {summary}")
        payloads = work.payloads()
        files: dict[str, list[str | None]] = {}
        for name, data in payloads.items():
            before = work.data.get(name)
            if before is not None:
                history.save_blob(ws, before)
            files[name] = [history.sha256(before), history.sha256(data)]
        build_id = commit_store(ws, work.manifest, payloads, work.union())
        retagged, moved, had_new = 0, [], []
        if retag is not None and records is not None:
            old, new = retag
            moved = records.tagged_with(old)
            had_new = records.tagged_with(new) if new else []
            retagged = records.retag(old, new)
        entries = history.read_log(ws)
        entry = HistoryEntry(
            id=history.next_id(entries),
            when=when,
            who=history.current_user(ws),
            action=action,
            concepts=list(concepts),
            summary=summary,
            before=sorted(_nt(t) for t in set(net_removed)),
            after=sorted(_nt(t) for t in set(net_added)),
            files=files,
            retagged=retagged,
            retag_moved=moved,
            retag_had_new=sorted(set(had_new) & set(moved)),
            notes=list(notes),
        )
        history.append(ws, entry)
        return ChangeResult(
            entry=entry, cache_version=build_id, uri=concepts[0] if concepts else None
        )


def _check_unchanged(work: WorkingCopy) -> None:
    """Refuse to write over a change committed after ``work`` was read (a lost update)."""
    current = {p.name: p.read_bytes() for p in store_files(work.ws.thesaurus_dir)}
    if current != work.data:
        raise ValidationFailed(
            "the thesaurus changed while this change was being prepared "
            "(another editor or an import); nothing was written",
            hint="run the command again",
        )
