"""Fixtures for bibliography tests: a real data dir (bundled EuroVoc extract + sample) made once
per session and copied for each test, and the real fixture records of tests/data/bibliography."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from socsec.bibliography.store import BibliographyStore, get_store
from socsec.config import Settings
from socsec.thesaurus.lookup import ThesaurusCache, get_cache
from socsec.workspace import Workspace

DATA = Path(__file__).parent.parent / "data" / "bibliography"
EUROVOC = "http://eurovoc.europa.eu/"
EARLY_RETIREMENT = EUROVOC + "3626"
SOCIAL_SECURITY = EUROVOC + "4050"


@pytest.fixture
def data_dir(bundled_data_dir: Path) -> Path:
    """A private copy of the initialised data dir (tests/conftest.py)."""
    return bundled_data_dir


@pytest.fixture
def ws(data_dir: Path) -> Workspace:
    """The workspace of :func:`data_dir`."""
    return Workspace(root=data_dir, settings=Settings.load(data_dir=data_dir))


@pytest.fixture
def cache(ws: Workspace) -> Iterator[ThesaurusCache]:
    """The thesaurus cache (bundled EuroVoc social-protection extract)."""
    with get_cache(ws) as checker:
        yield checker


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
