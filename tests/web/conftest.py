"""Web fixtures: a served data dir (bundled thesaurus + the 60 fixture records) per backend.

The app runs over a copy of the session workspace template from tests/conftest.py; the
Elasticsearch variant points the same data dir at a ``test-*`` index on SOCSEC_TEST_ES_URL
(the ``es_url`` fixture skips locally and fails under CI=true without a server).
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from socsec.config import Settings
from socsec.indexer.service import SearchService
from socsec.web.app import create_app
from socsec.workspace import Workspace
from tests.backends import backend_params


def served_workspace(root: Path, template: Path, config: str = "") -> Workspace:
    """A copy of the template data dir; ``config`` is its config.toml (read by app and CLI)."""
    shutil.copytree(template, root)
    if config:
        (root / "config.toml").write_text(config, encoding="utf-8")
    return Workspace(root=root, settings=Settings.load(data_dir=root, env={}))


@pytest.fixture(scope="module", params=backend_params())
def web_ws(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    _workspace_template: Path,
) -> Iterator[Workspace]:
    """A data dir served with each registered backend, its index built."""
    config = ""
    if request.param == "elasticsearch":
        url = request.getfixturevalue("es_url")
        index = f"test-{uuid.uuid4().hex[:12]}"
        config = f'backend = "elasticsearch"\n[elasticsearch]\nurl = "{url}"\nindex = "{index}"\n'
    ws = served_workspace(tmp_path_factory.mktemp("web") / "data", _workspace_template, config)
    with SearchService.open(ws) as svc:
        svc.rebuild()
    yield ws
    with SearchService.open(ws) as svc:
        svc.backend.drop()


@pytest.fixture(scope="module")
def client(web_ws: Workspace) -> Iterator[TestClient]:
    """An ASGI test client of the app over ``web_ws`` (shared by a module's read-only tests)."""
    with TestClient(create_app(web_ws), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="module")
def sqlite_ws(tmp_path_factory: pytest.TempPathFactory, _workspace_template: Path) -> Workspace:
    """A data dir on the sqlite backend (its index is built on the first search)."""
    return served_workspace(tmp_path_factory.mktemp("web-sqlite") / "data", _workspace_template)


@pytest.fixture(scope="module")
def sqlite_client(sqlite_ws: Workspace) -> Iterator[TestClient]:
    """A client over the sqlite backend only (for pages and checks that need no server)."""
    with TestClient(create_app(sqlite_ws), raise_server_exceptions=False) as c:
        yield c
