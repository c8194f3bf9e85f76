"""Thesaurus use cases: curation, label import and file import, with the records they touch.

Each change is committed by the thesaurus (files, cache, history); a merge or deprecation
re-tags the bibliography's records within that change (:class:`BibliographyTags`); then the
search index is brought up to date with the new labels and hierarchy.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from socsec.app.retagging import BibliographyTags
from socsec.app.uow import Outcome, UnitOfWork

if TYPE_CHECKING:
    from socsec.thesaurus.curation import LabelEdit
    from socsec.thesaurus.gaps import LabelAddition
    from socsec.thesaurus.manage import ProgressFn
    from socsec.thesaurus.model import ImportReport
    from socsec.thesaurus.working import ChangeResult
    from socsec.workspace import Workspace


_LABEL = re.compile(
    r"^<[^>]*> <http://www\.w3\.org/2004/02/skos/core#(?:pref|alt|hidden)Label> "
    r'"((?:[^"\\]|\\.)*)"@([A-Za-z0-9-]+) \.$'
)


def changed_labels(result: ChangeResult) -> frozenset[tuple[str, str]]:
    """(label, language) of the SKOS labels a change added or removed."""
    found = set()
    for line in (*result.entry.before, *result.entry.after):
        m = _LABEL.match(line)
        if m:
            found.add((json.loads(f'"{m.group(1)}"'), m.group(2).lower()))
    return frozenset(found)


def _version(ws: Workspace) -> str | None:
    """The lookup cache's version, before a change (None without a cache)."""
    if not ws.thesaurus_cache.exists():
        return None
    from socsec.thesaurus.lookup import ThesaurusCache

    with ThesaurusCache.open(ws.thesaurus_cache) as cache:
        return cache.version()


def _changed(ws: Workspace, result: ChangeResult, before: str | None) -> Outcome[ChangeResult]:
    uow = UnitOfWork(
        ws,
        thesaurus_changed=True,
        concepts=frozenset(result.affected),
        labels=changed_labels(result),
        previous_version=before,
    )
    return uow.outcome(result)


def add_concept(
    ws: Workspace,
    labels: Sequence[tuple[str, str]],
    *,
    scheme: str | None = None,
    broader: Sequence[str] = (),
    notation: str | None = None,
    definitions: Sequence[tuple[str, str]] = (),
) -> Outcome[ChangeResult]:
    """Add a concept (see :func:`socsec.thesaurus.curation.add_concept`)."""
    from socsec.thesaurus.curation import add_concept as run

    before = _version(ws)
    result = run(
        ws, labels, scheme=scheme, broader=broader, notation=notation, definitions=definitions
    )
    return _changed(ws, result, before)


def edit_concept(ws: Workspace, ref: str, edits: Sequence[LabelEdit]) -> Outcome[ChangeResult]:
    """Change labels, notes or the notation of a concept."""
    from socsec.thesaurus.curation import edit_concept as run

    before = _version(ws)
    return _changed(ws, run(ws, ref, edits), before)


def link(ws: Workspace, ref: str, relation: str, target: str) -> Outcome[ChangeResult]:
    """Add a broader/narrower/related link (cycles refused)."""
    from socsec.thesaurus.curation import link as run

    before = _version(ws)
    return _changed(ws, run(ws, ref, relation, target), before)


def unlink(ws: Workspace, ref: str, relation: str, target: str) -> Outcome[ChangeResult]:
    """Remove a broader/narrower/related link."""
    from socsec.thesaurus.curation import unlink as run

    before = _version(ws)
    return _changed(ws, run(ws, ref, relation, target), before)


def deprecate(ws: Workspace, ref: str, *, replaced_by: str | None = None) -> Outcome[ChangeResult]:
    """Deprecate a concept; with a replacement its records are re-tagged with it."""
    from socsec.thesaurus.curation import deprecate as run

    before = _version(ws)
    return _changed(ws, run(ws, ref, replaced_by=replaced_by, records=BibliographyTags(ws)), before)


def merge(ws: Workspace, ref: str, *, into: str) -> Outcome[ChangeResult]:
    """Merge a concept into another; its records are re-tagged with ``into``."""
    from socsec.thesaurus.curation import merge as run

    before = _version(ws)
    return _changed(ws, run(ws, ref, into=into, records=BibliographyTags(ws)), before)


def undo(ws: Workspace) -> Outcome[ChangeResult]:
    """Revert the last change; records a merge re-tagged get their old tag back."""
    from socsec.thesaurus.curation import undo as run

    before = _version(ws)
    return _changed(ws, run(ws, records=BibliographyTags(ws)), before)


def add_labels(ws: Workspace, additions: Sequence[LabelAddition]) -> Outcome[ChangeResult | None]:
    """Add validated labels (from `import-labels`) in one recorded change."""
    from socsec.thesaurus.curation import add_labels as run

    before = _version(ws)
    result = run(ws, additions)
    if result is None:
        return Outcome(None)
    return UnitOfWork(
        ws,
        thesaurus_changed=True,
        concepts=frozenset(result.affected),
        labels=changed_labels(result),
        previous_version=before,
    ).outcome(result)


def import_file(
    ws: Workspace,
    path: Path,
    *,
    fmt: str | None = None,
    scheme: str | None = None,
    replace: bool = False,
    on_progress: ProgressFn | None = None,
    confirm: Callable[[int], bool] | None = None,
    base: str | None = None,
) -> Outcome[ImportReport]:
    """Import a SKOS file into the thesaurus of record, then refresh the index.

    ``confirm`` is asked with the number of concepts an import would remove (None refuses
    such an import); ``base`` resolves relative IRIs (default: the file's own URI).
    """
    from socsec.thesaurus.manage import import_file as run

    report = run(
        ws,
        path,
        fmt=fmt,
        scheme=scheme,
        replace=replace,
        on_progress=on_progress,
        confirm=confirm,
        base=base,
    )
    return UnitOfWork(ws, thesaurus_changed=True).outcome(report)
