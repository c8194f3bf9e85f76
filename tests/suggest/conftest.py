"""Fixtures for suggestion tests: a data dir with the bundled EuroVoc extract and 99 real
EUR-Lex acts (tests/data/suggest), its model trained once per session and copied per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from socsec.bibliography.service import import_file
from socsec.bibliography.store import get_store
from socsec.config import Settings
from socsec.suggest.vocabulary import Vocabulary
from socsec.thesaurus.bundle import initialize_thesaurus
from socsec.thesaurus.lookup import get_cache
from socsec.workspace import Workspace
from tests.shared import shared_dir

DATA = Path(__file__).parent.parent / "data" / "suggest"
ACTS = DATA / "eurlex-social-100.jsonl"
NEWER_ACTS = DATA / "eurlex-test-part.jsonl"  # EUR-Lex-Sum's third part: newer acts
EUROVOC = "http://eurovoc.europa.eu/"


def _workspace(root: Path) -> Workspace:
    return Workspace(root=root, settings=Settings.load(data_dir=root))


@pytest.fixture(scope="session")
def template_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Bundled thesaurus + the 99 acts (subjects outside the extract dropped), model trained."""
    return shared_dir(tmp_path_factory, "suggest", _build_template)


def _build_template(root: Path) -> None:
    from socsec.suggest.service import train

    root.mkdir(parents=True)
    ws = _workspace(root)
    initialize_thesaurus(ws)
    with get_store(ws) as store, get_cache(ws) as checker:
        import_file(store, ACTS, fmt="eurlex-jsonl", checker=checker, drop_unknown_subjects=True)
    train(ws, folds=0)  # default weights: the tuning is exercised by the CV test


@pytest.fixture
def data_dir(template_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the trained data dir."""
    root = tmp_path / "data"
    shutil.copytree(template_dir, root)
    return root


@pytest.fixture
def ws(data_dir: Path) -> Workspace:
    """The workspace of the private copy."""
    return _workspace(data_dir)


@pytest.fixture(scope="session")
def vocab(template_dir: Path) -> Vocabulary:
    """The bundled extract as a matching vocabulary."""
    with get_cache(_workspace(template_dir)) as cache:
        return Vocabulary.from_cache(cache)
