"""Fixtures for thesaurus tests: data dirs built from real EuroVoc data."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from socsec.config import Settings
from socsec.thesaurus.bundle import bundled_path, initialize_thesaurus
from socsec.thesaurus.lookup import ThesaurusCache
from socsec.thesaurus.manage import import_file
from socsec.workspace import Workspace
from tests.shared import shared_dir

DATA = Path(__file__).parent.parent / "data" / "thesaurus"
MINI = DATA / "eurovoc-socprot-mini.ttl"
# shared/ sits beside the repository (CI lays a copy there; developers have it at /work/shared).
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
EUROVOC_FULL = SHARED / "eurovoc" / "eurovoc-en-fr-es.ttl"
UNESCO = SHARED / "unesco" / "unesco-thesaurus-2024-10-08.ttl"
BUNDLED = bundled_path()


def make_ws(root: Path) -> Workspace:
    """A workspace whose bibliography is not initialised by these tests."""
    root.mkdir(parents=True, exist_ok=True)
    ws = Workspace(root=root, settings=Settings.load(data_dir=root))
    if importlib.util.find_spec("socsec.bibliography.bundle") is None:
        # Until the bibliography helper ships its bundle, keep Workspace.open from needing it.
        ws.bibliography_db.touch()
    return ws


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    """An empty data dir."""
    return make_ws(tmp_path / "data")


@pytest.fixture
def mini_ws(ws: Workspace) -> Workspace:
    """A data dir holding the 88-concept test fixture."""
    import_file(ws, MINI, replace=True)
    return ws


@pytest.fixture(scope="session")
def bundled_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir initialised from the bundled thesaurus, shared read-only by tests."""
    return shared_dir(
        tmp_path_factory, "thesaurus-bundled", lambda r: initialize_thesaurus(make_ws(r))
    )


@pytest.fixture
def bundled_ws(bundled_root: Path, tmp_path: Path) -> Workspace:
    """A private copy of the bundled data dir (tests may change it)."""
    root = tmp_path / "bundled"
    shutil.copytree(bundled_root, root)
    return make_ws(root)


@pytest.fixture(scope="session")
def bundled_cache(bundled_root: Path) -> ThesaurusCache:
    """The lookup cache of the bundled thesaurus."""
    return ThesaurusCache.open(bundled_root / "thesaurus.sqlite")
