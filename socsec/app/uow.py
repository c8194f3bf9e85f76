"""A small unit of work: the follow-up operations of a write, run after it is committed.

After InvenioRDM's unit of work (``invenio_db/uow.py``): a use case commits its store's
transaction first, then registers what must follow (index upkeep); :meth:`UnitOfWork.finish`
runs it. A write that raised registers nothing, so nothing is indexed for it. The write is
never undone by a failing follow-up: an unreachable search server becomes a warning that the
index is stale, with the command that fixes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from socsec.workspace import Workspace

T = TypeVar("T")


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What a use case returns: its result, and warnings for the face to show.

    Attributes:
        value: the use case's result (a record, a report, a change...).
        warnings: one-line messages (e.g. the search index is stale and why).
    """

    value: T
    warnings: tuple[str, ...] = ()


@dataclass
class UnitOfWork:
    """Collects what a write changed, and brings the search index up to date after it.

    Attributes:
        ws: the data dir.
        records_changed: bibliography records were written (added, edited, tagged...).
        thesaurus_changed: the thesaurus of record changed (labels, hierarchy, merges).
        concepts: the concepts whose labels or ancestors a thesaurus change altered (None:
            unknown, e.g. an import).
        labels: (label, language) added or removed by the change.
        previous_version: the lookup cache's version before the change.
        warnings: messages collected while finishing.
    """

    ws: Workspace
    records_changed: bool = False
    thesaurus_changed: bool = False
    concepts: frozenset[str] | None = None
    labels: frozenset[tuple[str, str]] = frozenset()
    previous_version: str | None = None
    warnings: list[str] = field(default_factory=list)

    def finish(self) -> tuple[str, ...]:
        """Run the post-commit operations; returns the warnings for the face.

        A thesaurus change that names the concepts it altered re-enriches only the records
        holding them (or whose text has a changed label); anything else brings the index up
        to date with everything changed since its last update.
        """
        stale = None
        if self.thesaurus_changed and self.concepts is not None:
            from socsec.indexer.upkeep import sync_after_thesaurus_change

            stale = sync_after_thesaurus_change(
                self.ws, self.concepts, self.labels, self.previous_version
            )
        elif self.records_changed or self.thesaurus_changed:
            from socsec.indexer.upkeep import sync_index

            stale = sync_index(self.ws)
        if stale:
            self.warnings.append(stale)
        return tuple(self.warnings)

    def outcome(self, value: T) -> Outcome[T]:
        """Finish, and wrap ``value`` with the warnings."""
        return Outcome(value, self.finish())
