"""The bibliography seen from a thesaurus change: the records tagged with its concepts.

The thesaurus owns no records, so a merge or deprecation is given this object
(:class:`~socsec.thesaurus.working.TaggedRecords`) to re-tag them within the same change, and
an undo to tag them back.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

from socsec.app.stores import bibliography, thesaurus_checker
from socsec.errors import NotFoundError

if TYPE_CHECKING:
    from socsec.workspace import Workspace


class BibliographyTags:
    """:class:`~socsec.thesaurus.working.TaggedRecords` backed by the data dir's bibliography."""

    def __init__(self, ws: Workspace) -> None:
        """Serve the records of ``ws`` (none while it has no bibliography)."""
        self.ws = ws

    def tagged_with(self, uri: str) -> list[str]:
        """Ids of the records tagged with ``uri``."""
        if not self.ws.bibliography_db.exists():
            return []
        with bibliography(self.ws) as store:
            return store.ids_tagged_with(uri)

    def retag(self, old_uri: str, new_uri: str | None) -> int:
        """Move tags from ``old_uri`` to ``new_uri`` (None removes them); returns the count."""
        if not self.ws.bibliography_db.exists():
            return 0
        with bibliography(self.ws) as store:
            return store.retag(old_uri, new_uri)

    def tag_back(
        self, ids: Sequence[str], old_uri: str, new_uri: str, had_new: Collection[str]
    ) -> int:
        """Undo a re-tagging: ``ids`` get ``old_uri`` back and lose ``new_uri`` unless they
        had it before; returns the records changed (deleted ones are skipped).
        """
        changed = 0
        with bibliography(self.ws) as store, thesaurus_checker(self.ws) as checker:
            for rid in ids:
                try:
                    record = store.get(rid)
                    moved = next((s for s in record.subjects if s.uri == new_uri), None)
                    if moved is None and rid not in had_new:
                        continue  # untagged since
                    if rid in had_new or moved is None:
                        store.tag(rid, [old_uri], checker=checker)
                    else:  # the tag goes back in place, with its provenance and score
                        subjects = tuple(
                            dataclasses.replace(s, uri=old_uri) if s.uri == new_uri else s
                            for s in record.subjects
                        )
                        store.replace(dataclasses.replace(record, subjects=subjects), checker)
                except NotFoundError:
                    continue  # deleted or untagged since
                changed += 1
        return changed
