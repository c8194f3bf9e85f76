"""Thesaurus use cases: curation, label import and file import, with the records they touch.

Each change is committed by the thesaurus (files, cache, history); a merge or deprecation
re-tags the bibliography's records within that change (:class:`BibliographyTags`); then the
search index is brought up to date with the new labels and hierarchy.
"""

from __future__ import annotations

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


def _changed(ws: Workspace, result: ChangeResult) -> Outcome[ChangeResult]:
    uow = UnitOfWork(ws, thesaurus_changed=True)
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

    result = run(
        ws, labels, scheme=scheme, broader=broader, notation=notation, definitions=definitions
    )
    return _changed(ws, result)


def edit_concept(ws: Workspace, ref: str, edits: Sequence[LabelEdit]) -> Outcome[ChangeResult]:
    """Change labels, notes or the notation of a concept."""
    from socsec.thesaurus.curation import edit_concept as run

    return _changed(ws, run(ws, ref, edits))


def link(ws: Workspace, ref: str, relation: str, target: str) -> Outcome[ChangeResult]:
    """Add a broader/narrower/related link (cycles refused)."""
    from socsec.thesaurus.curation import link as run

    return _changed(ws, run(ws, ref, relation, target))


def unlink(ws: Workspace, ref: str, relation: str, target: str) -> Outcome[ChangeResult]:
    """Remove a broader/narrower/related link."""
    from socsec.thesaurus.curation import unlink as run

    return _changed(ws, run(ws, ref, relation, target))


def deprecate(ws: Workspace, ref: str, *, replaced_by: str | None = None) -> Outcome[ChangeResult]:
    """Deprecate a concept; with a replacement its records are re-tagged with it."""
    from socsec.thesaurus.curation import deprecate as run

    return _changed(ws, run(ws, ref, replaced_by=replaced_by, records=BibliographyTags(ws)))


def merge(ws: Workspace, ref: str, *, into: str) -> Outcome[ChangeResult]:
    """Merge a concept into another; its records are re-tagged with ``into``."""
    from socsec.thesaurus.curation import merge as run

    return _changed(ws, run(ws, ref, into=into, records=BibliographyTags(ws)))


def undo(ws: Workspace) -> Outcome[ChangeResult]:
    """Revert the last change; records a merge re-tagged get their old tag back."""
    from socsec.thesaurus.curation import undo as run

    return _changed(ws, run(ws, records=BibliographyTags(ws)))


def add_labels(ws: Workspace, additions: Sequence[LabelAddition]) -> Outcome[ChangeResult | None]:
    """Add validated labels (from `import-labels`) in one recorded change."""
    from socsec.thesaurus.curation import add_labels as run

    result = run(ws, additions)
    return UnitOfWork(ws, thesaurus_changed=result is not None).outcome(result)


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
