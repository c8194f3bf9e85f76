"""A working copy of the thesaurus of record: an indexed view of the store, changed, committed.

Curation (:mod:`socsec.thesaurus.curation`) opens a :class:`WorkingCopy`, which reads only
the triples it asks about from the quad index (:mod:`socsec.thesaurus.quadindex`), adds and
removes triples (each remembers its file), and :func:`commit` writes the change: journal
first (:mod:`socsec.thesaurus.journal`), then the changed files, the index and the changed
concepts' cache rows (:mod:`socsec.thesaurus.incremental`), then the history.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import pyoxigraph as ox

from socsec.errors import NotFoundError, ValidationFailed
from socsec.fileutil import exclusive_lock
from socsec.thesaurus import history
from socsec.thesaurus.history import HistoryEntry
from socsec.thesaurus.journal import needs_recovery, recover
from socsec.thesaurus.model import DCT, OWL_DEPRECATED, RDF_TYPE, SKOS, SKOSXL_LABEL
from socsec.thesaurus.quadindex import QuadIndex, label_key, scoped, unscoped
from socsec.thesaurus.rdfio import RdfFormat, parse_bytes
from socsec.thesaurus.store import Manifest, render_part, store_files

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
        affected: concepts whose labels or ancestors the change altered (the records
            tagged with them need re-enriching).
        cache_rows: lookup-cache rows written per table (the update is incremental).
    """

    entry: HistoryEntry
    cache_version: str
    uri: str | None = None
    affected: frozenset[str] = frozenset()
    cache_rows: dict[str, int] = field(default_factory=dict)


# ---------------------------------------------------------------- the working copy


def parse_scoped(data: bytes, name: str) -> list[ox.Triple]:
    """Triples of one store file, blank nodes renamed into the scope of file ``name``."""
    return scoped(parse_bytes(data, RdfFormat.ttl), name)


def _nt(t: ox.Triple) -> str:
    return f"{t.subject} {t.predicate} {t.object} ."


Node = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


class WorkingCopy:
    """The store files as an indexed view, and the changes made to it in memory.

    Reads go to the quad index (:mod:`socsec.thesaurus.quadindex`, brought in step with the
    files first), so a change reads only the triples it asks about; the changes are an
    overlay (``added``/``removed``) until :func:`commit`.
    """

    def __init__(self, ws: Workspace) -> None:
        """Read the store of ``ws`` (its file bytes, and the index in step with them)."""
        self.ws = ws
        if needs_recovery(ws):
            recover(ws)
        self.manifest = Manifest.load(ws.thesaurus_dir)
        self.paths = store_files(ws.thesaurus_dir)
        if not self.paths:
            raise NotFoundError(
                f"no thesaurus files in {ws.thesaurus_dir}",
                hint="import one with: socsec thesaurus import FILE",
            )
        # Stat before reading: a file replaced in between then fails the check at commit.
        self.signature = _signature(ws)
        self.data: dict[str, bytes] = {path.name: path.read_bytes() for path in self.paths}
        self.index = QuadIndex.of(ws)
        self.index.sync(ws.thesaurus_dir, self.data)
        self.added: dict[ox.Triple, str] = {}
        self.removed: dict[ox.Triple, set[str]] = {}
        self.touched: set[str] = set()
        self.stamped: set[str] = set()
        self._s: dict[Node, dict[ox.Triple, set[str]]] = {}
        self._o: dict[Node, dict[ox.Triple, set[str]]] = {}

    # -- the stored state and the overlay

    @staticmethod
    def _group(rows: list[tuple[ox.Triple, str]]) -> dict[ox.Triple, set[str]]:
        out: dict[ox.Triple, set[str]] = {}
        for t, name in rows:
            out.setdefault(t, set()).add(name)
        return out

    def _base_s(self, node: Node) -> dict[ox.Triple, set[str]]:
        if node not in self._s:
            self._s[node] = self._group(self.index.about(str(node)))
        return self._s[node]

    def _base_o(self, node: Node) -> dict[ox.Triple, set[str]]:
        if node not in self._o:
            self._o[node] = self._group(self.index.pointing(str(node)))
        return self._o[node]

    def stored(self, t: ox.Triple) -> bool:
        """Whether ``t`` was in the store before this change."""
        return t in self._base_s(t.subject)

    def has(self, t: ox.Triple) -> bool:
        """Whether ``t`` holds after the changes made so far."""
        return t in self.added or (self.stored(t) and t not in self.removed)

    def by_s(self, node: Node) -> set[ox.Triple]:
        """Triples with subject ``node``, as changed."""
        base = {t for t in self._base_s(node) if t not in self.removed}
        return base | {t for t in self.added if t.subject == node}

    def by_o(self, node: Node) -> set[ox.Triple]:
        """Triples with object ``node``, as changed."""
        base = {t for t in self._base_o(node) if t not in self.removed}
        return base | {t for t in self.added if t.object == node}

    def mentions(self, uri: str) -> bool:
        """Whether ``uri`` is used in the store (as changed)."""
        node = iri(uri)
        return bool(self.by_s(node) or self.by_o(node))

    # -- reading

    def objects(self, s: str, p: ox.NamedNode) -> list[ox.NamedNode | ox.BlankNode | ox.Literal]:
        """Objects of (s, p), sorted."""
        return sorted((t.object for t in self.by_s(iri(s)) if t.predicate == p), key=str)  # type: ignore[misc]

    def uris(self, s: str, p: ox.NamedNode) -> list[str]:
        """IRI objects of (s, p)."""
        return [o.value for o in self.objects(s, p) if isinstance(o, ox.NamedNode)]

    def subjects(self, p: ox.NamedNode, o: str | ox.NamedNode) -> list[str]:
        """IRI subjects of (?, p, o)."""
        node = iri(o) if isinstance(o, str) else o
        return sorted(
            t.subject.value
            for t in self.by_o(node)
            if t.predicate == p and isinstance(t.subject, ox.NamedNode)
        )

    def with_literal(self, p: ox.NamedNode, value: ox.Literal) -> list[str]:
        """IRI subjects of (?, p, value)."""
        rows = self.index.query("o = ? AND p = ?", (str(value), p.value))
        found = {t for t, _f in rows if t not in self.removed}
        found |= {t for t in self.added if t.predicate == p and t.object == value}
        return sorted(t.subject.value for t in found if isinstance(t.subject, ox.NamedNode))

    def literals(self, s: str, p: ox.NamedNode) -> list[ox.Literal]:
        """Literal objects of (s, p)."""
        return [o for o in self.objects(s, p) if isinstance(o, ox.Literal)]

    def is_concept(self, uri: str) -> bool:
        """Typed skos:Concept, or in a scheme and not a SKOS-XL label (YSO puts those in one)."""
        if self.has(ox.Triple(iri(uri), TYPE, CONCEPT)):
            return True
        return bool(self.uris(uri, IN_SCHEME)) and not self.has(
            ox.Triple(iri(uri), TYPE, iri(SKOSXL_LABEL))
        )

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
        node = iri(uri)
        for t, names in self._base_s(node).items():
            if t not in self.removed:
                for name in names:
                    counts[name] = counts.get(name, 0) + 1
        for t, name in self.added.items():
            if t.subject == node:
                counts[name] = counts.get(name, 0) + 1
        if counts:
            return max(sorted(counts), key=lambda n: counts[n])
        raise NotFoundError(f"{uri} is not in the thesaurus files")

    def scheme_file(self, scheme: str) -> str:
        """The store file of a scheme."""
        named = sorted(n for n, s in self.manifest.files.items() if s == scheme)
        existing = [n for n in named if n in self.data]
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
        """Concepts with a prefLabel of this folded ``key`` in ``lang`` (as changed)."""
        pref = iri(SKOS + "prefLabel")
        found = {t for t, _f in self.index.label_owners(pref.value, key) if t not in self.removed}
        found |= {
            t
            for t in self.added
            if t.predicate == pref
            and isinstance(t.object, ox.Literal)
            and label_key(t.object.value) == key
        }
        return sorted(
            t.subject.value
            for t in found
            if isinstance(t.subject, ox.NamedNode)
            and isinstance(t.object, ox.Literal)
            and (t.object.language or "") == lang
        )

    # -- changing

    def add(self, t: ox.Triple, name: str) -> None:
        """Add a triple to the file ``name`` (nothing if it is already stored)."""
        if self.has(t):
            return
        if t in self.removed and name in self.removed[t]:
            self.removed.pop(t)  # put back where it was
            return
        self.added[t] = name
        self.touched.add(name)

    def remove(self, t: ox.Triple) -> bool:
        """Remove a triple from every file holding it; False if it was not stored."""
        found = False
        if t in self.added:
            self.touched.add(self.added.pop(t))
            found = True
        names = self._base_s(t.subject).get(t)
        if names and t not in self.removed:
            self.removed[t] = set(names)
            self.touched |= names
            found = True
        return found

    def remove_all(self, s: str, p: ox.NamedNode) -> int:
        """Remove every (s, p, *) triple; returns how many."""
        return sum(self.remove(t) for t in sorted(self.by_s(iri(s)), key=str) if t.predicate == p)

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

    def file_triples(self, name: str) -> list[ox.Triple]:
        """The (scoped) triples of one file as changed."""
        kept = [
            t
            for t in self.index.of_file(name)
            if not (t in self.removed and name in self.removed[t])
        ]
        return kept + [t for t, n in self.added.items() if n == name]

    def payloads(self) -> dict[str, bytes]:
        """The new bytes of every changed file."""
        out = {}
        for name in sorted(self.touched):
            out[name] = render_part(unscoped(self.file_triples(name), name), self.manifest.prefixes)
        return out

    def parsed(self) -> dict[str, list[ox.Triple]]:
        """The (scoped) triples of every changed file, as in :meth:`payloads`."""
        return {name: self.file_triples(name) for name in self.touched}

    def union(self) -> list[ox.Triple]:
        """Every triple of the store as changed (reads the whole index: for bulk checks)."""
        base = [t for t, _f in self.index.query("1", ()) if t not in self.removed]
        return list(dict.fromkeys([*base, *self.added]))


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
    """Write a validated change (store files, index, cache, history); re-tag ``records`` if asked.

    Raises:
        ValidationFailed: the store files changed since ``work`` read them (another editor or
            an import committed first); nothing is written.
    """
    from socsec.thesaurus import journal
    from socsec.thesaurus.incremental import commit_files

    with exclusive_lock(work.ws.thesaurus_lock):
        ws = work.ws
        if journal.needs_recovery(ws):
            journal.recover(ws, locked=True, records=records)  # then the check refuses: rerun
        else:
            journal.remove_stale_temp_files(ws)
        _check_unchanged(work)
        net_added = [t for t in work.added if not work.stored(t)]
        net_removed = list(work.removed)
        if not net_added and not net_removed:
            raise ValidationFailed(f"nothing to change: {summary}")
        payloads = work.payloads()
        files: dict[str, list[str | None]] = {}
        for name, data in payloads.items():
            before = work.data.get(name)
            if before is not None:
                history.save_blob(ws, before)
            files[name] = [history.sha256(before), history.sha256(data)]
        moved: list[str] = []
        had_new: list[str] = []
        if retag is not None and records is not None:
            moved = records.tagged_with(retag[0])
            had_new = records.tagged_with(retag[1]) if retag[1] else []
        else:
            retag = None  # nothing to re-tag without the records
        entry = HistoryEntry(
            id=history.next_id(history.read_log(ws)),
            when=when,
            who=history.current_user(ws),
            action=action,
            concepts=list(concepts),
            summary=summary,
            before=sorted(_nt(t) for t in set(net_removed)),
            after=sorted(_nt(t) for t in set(net_added)),
            files=files,
            retagged=len(moved),
            retag_moved=moved,
            retag_had_new=sorted(set(had_new) & set(moved)),
            notes=list(notes),
        )
        journal.begin(ws, entry, payloads, [], retag=retag)  # the commit point
        update = commit_files(
            ws, work.index, work.manifest, work.data, payloads, parsed=work.parsed()
        )
        if retag is not None and records is not None:
            records.retag(retag[0], retag[1])
        journal.finish(ws, entry, known=False)
        return ChangeResult(
            entry=entry,
            cache_version=update.build_id,
            uri=concepts[0] if concepts else None,
            affected=frozenset(update.affected),
            cache_rows=update.rows,
        )


def _signature(ws: Workspace) -> dict[str, tuple[int, int, int]]:
    """(inode, mtime, size) of each store file: every write replaces a file by a new one."""
    out = {}
    for path in store_files(ws.thesaurus_dir):
        st = path.stat()
        out[path.name] = (st.st_ino, st.st_mtime_ns, st.st_size)
    return out


def _check_unchanged(work: WorkingCopy) -> None:
    """Refuse to write over a change committed after ``work`` was read (a lost update)."""
    if _signature(work.ws) != work.signature:
        raise ValidationFailed(
            "the thesaurus changed while this change was being prepared "
            "(another editor or an import); nothing was written",
            hint="run the command again",
        )
