"""Fixtures for bibliography tests: a real data dir (bundled EuroVoc extract + sample) made once
per session and copied for each test, and the real fixture records of tests/data/bibliography."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from socsec.bibliography.store import BibliographyStore, get_checker, get_store
from socsec.config import Settings
from socsec.thesaurus.lookup import ThesaurusCache
from socsec.workspace import Workspace

DATA = Path(__file__).parent.parent / "data" / "bibliography"
EUROVOC = "http://eurovoc.europa.eu/"
EARLY_RETIREMENT = EUROVOC + "3626"
SOCIAL_SECURITY = EUROVOC + "4050"


@pytest.fixture(scope="session")
def template_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir initialised once from the bundled thesaurus and sample bibliography."""
    root = tmp_path_factory.mktemp("template") / "data"
    Workspace.open(Settings.load(data_dir=root))
    return root


@pytest.fixture
def data_dir(template_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the initialised data dir."""
    root = tmp_path / "data"
    shutil.copytree(template_dir, root)
    return root


@pytest.fixture
def ws(data_dir: Path) -> Workspace:
    """The workspace of :func:`data_dir`."""
    return Workspace(root=data_dir, settings=Settings.load(data_dir=data_dir))


@pytest.fixture
def cache(ws: Workspace) -> Iterator[ThesaurusCache]:
    """The thesaurus cache (bundled EuroVoc social-protection extract)."""
    checker = get_checker(ws)
    assert isinstance(checker, ThesaurusCache)
    yield checker
    checker.close()


@pytest.fixture
def store(ws: Workspace) -> Iterator[BibliographyStore]:
    """The sample bibliography (1,802 records)."""
    s = get_store(ws)
    yield s
    s.close()


@pytest.fixture
def empty_store(tmp_path: Path) -> Iterator[BibliographyStore]:
    """A new, empty store."""
    s = BibliographyStore.open(tmp_path / "empty.sqlite")
    yield s
    s.close()
