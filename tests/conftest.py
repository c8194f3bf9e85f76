"""Shared fixtures: the bundled thesaurus, real fixture records, and a real Elasticsearch.

Elasticsearch tests use the server at SOCSEC_TEST_ES_URL (start one with
``export SOCSEC_TEST_ES_URL=$(scripts/elasticsearch start | tail -1)``; a cluster's node URLs
comma-separated; SOCSEC_TEST_ES_REPLICAS and SOCSEC_TEST_ES_SHARDS set the contract suite's
index settings, see scripts/es-cluster-faults). Without it they are
skipped locally and fail when CI=true. Their indices are named ``test-*`` and deleted after.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from socsec.bibliography.codec import parse_name
from socsec.bibliography.model import Record, RecordType, Subject
from tests.backends import backend_params
from tests.shared import shared_dir

DATA = Path(__file__).parent / "data" / "indexer"


@pytest.fixture(scope="session")
def es_url() -> str:
    """URL of a reachable Elasticsearch; skip (locally) or fail (CI=true) without one."""
    url = os.environ.get("SOCSEC_TEST_ES_URL", "").rstrip("/")
    in_ci = os.environ.get("CI") == "true"
    if not url:
        if in_ci:
            pytest.fail("CI=true but SOCSEC_TEST_ES_URL is not set")
        pytest.skip("SOCSEC_TEST_ES_URL is not set (scripts/elasticsearch start)")
    try:
        # A cluster is given as its nodes' URLs, comma-separated; the first one is asked.
        first = url.split(",")[0]
        health = f"{first}/_cluster/health?wait_for_status=yellow&timeout=30s"
        with urllib.request.urlopen(health, timeout=40) as resp:
            resp.read()
    except (urllib.error.URLError, OSError) as exc:
        if in_ci:
            pytest.fail(f"Elasticsearch at {url} is unreachable: {exc}")
        pytest.skip(f"Elasticsearch at {url} is unreachable: {exc}")
    return url


@pytest.fixture
def es_index() -> str:
    """A fresh ``test-*`` alias name (the test deletes its indices)."""
    return f"test-{uuid.uuid4().hex[:12]}"


def load_records(path: Path = DATA / "records.jsonl") -> list[Record]:
    """The real NBER and EUR-Lex fixture records as :class:`Record` objects."""
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        records.append(
            Record(
                id=d["id"],
                type=RecordType(d["type"]),
                title=d["title"],
                language=d.get("language"),
                year=d.get("year"),
                issued=str(d["year"]) if d.get("year") else None,
                authors=tuple(parse_name(a) for a in d.get("authors", [])),
                container_title=d.get("container_title"),
                url=d.get("url"),
                abstract=d.get("abstract"),
                subjects=tuple(Subject(u) for u in d.get("subjects", [])),
            )
        )
    return records


@pytest.fixture(scope="session")
def records() -> list[Record]:
    """The fixture records (60: 35 NBER papers, 25 EUR-Lex acts)."""
    return load_records()


def make_workspace(root: Path, records: list[Record] | None = None) -> object:
    """A data dir with the bundled thesaurus and (optionally) the given records."""
    from socsec.bibliography.store import BibliographyStore
    from socsec.config import Settings
    from socsec.thesaurus.bundle import initialize_thesaurus
    from socsec.workspace import Workspace

    settings = Settings.load(data_dir=root, env={})
    ws = Workspace(root=root, settings=settings)
    root.mkdir(parents=True, exist_ok=True)
    initialize_thesaurus(ws)
    from socsec.thesaurus.lookup import get_cache

    with BibliographyStore.open(ws.bibliography_db) as store, get_cache(ws) as cache:
        for record in records or []:
            store.add(record, cache)
    return ws


@pytest.fixture(scope="session")
def thesaurus_ws(tmp_path_factory: pytest.TempPathFactory) -> object:
    """A data dir holding only the bundled thesaurus, shared by the run's tests (read-only)."""
    from socsec.config import Settings
    from socsec.workspace import Workspace

    root = shared_dir(tmp_path_factory, "thesaurus", make_workspace)
    return Workspace(root=root, settings=Settings.load(data_dir=root, env={}))


@pytest.fixture(scope="session")
def thesaurus(thesaurus_ws: object) -> Iterator[object]:
    """The compiled cache of the bundled EuroVoc extract."""
    from socsec.thesaurus.lookup import get_cache

    cache = get_cache(thesaurus_ws)  # type: ignore[arg-type]
    yield cache
    cache.close()


@pytest.fixture(scope="session")
def _workspace_template(tmp_path_factory: pytest.TempPathFactory, records: list[Record]) -> Path:
    return shared_dir(tmp_path_factory, "template", lambda root: make_workspace(root, records))


@pytest.fixture
def workspace(tmp_path: Path, _workspace_template: Path) -> object:
    """A fresh data dir: the bundled thesaurus and the 60 fixture records, index not built."""
    import shutil

    from socsec.config import Settings
    from socsec.workspace import Workspace

    root = tmp_path / "data"
    shutil.copytree(_workspace_template, root)
    return Workspace(root=root, settings=Settings.load(data_dir=root, env={}))


@pytest.fixture(scope="session")
def bundled_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir initialised as a first run does: bundled thesaurus and sample, and the
    suggestion model its first import would train (read-only).

    The model is trained here once instead of by the first import in each test's copy (seconds
    per test): the same training on the same records.
    """
    return shared_dir(tmp_path_factory, "bundled-template", _first_run)


def _first_run(root: Path) -> None:
    from socsec.app.setup import open_workspace
    from socsec.config import Settings
    from socsec.suggest.service import train

    train(open_workspace(Settings.load(data_dir=root, env={})))


@pytest.fixture
def bundled_data_dir(bundled_template: Path, tmp_path: Path) -> Path:
    """A private copy of :func:`bundled_template` (tests may change it)."""
    import shutil

    root = tmp_path / "data"
    shutil.copytree(bundled_template, root)
    return root


def _indexed(request: pytest.FixtureRequest, root: Path) -> Iterator[Path]:
    """``root`` on the backend of ``request.param``, its index built (and dropped after)."""
    from socsec.config import Settings
    from socsec.indexer.service import SearchService
    from socsec.workspace import Workspace

    if request.param == "elasticsearch":
        url = request.getfixturevalue("es_url")
        index = f"test-{uuid.uuid4().hex[:12]}"
        (root / "config.toml").write_text(
            f'backend = "elasticsearch"\n[elasticsearch]\nurl = "{url}"\nindex = "{index}"\n',
            encoding="utf-8",
        )
    ws = Workspace(root=root, settings=Settings.load(data_dir=root, env={}))
    with SearchService.open(ws) as svc:
        svc.rebuild()
    yield root
    with SearchService.open(ws) as svc:
        svc.backend.drop()


@pytest.fixture(params=backend_params())
def indexed_data_dir(request: pytest.FixtureRequest, bundled_data_dir: Path) -> Iterator[Path]:
    """:func:`bundled_data_dir` on each backend in turn, its index built (and dropped after)."""
    yield from _indexed(request, bundled_data_dir)


@pytest.fixture(scope="module", params=backend_params())
def indexed_read_only(
    request: pytest.FixtureRequest, bundled_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """:func:`indexed_data_dir` built once per module and backend, for tests that only read it."""
    import shutil

    root = tmp_path_factory.mktemp("indexed") / "data"
    shutil.copytree(bundled_template, root)
    yield from _indexed(request, root)


@pytest.fixture
def start_socsec() -> Callable[..., subprocess.Popen[str]]:
    """Start ``socsec --data-dir DIR -q ARGS...`` as a real process (for kill and race tests).

    The environment's SOCSEC_* variables are dropped, so only the data dir's config counts.
    """

    def start(data_dir: Path, *args: str) -> subprocess.Popen[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SOCSEC_")}
        return subprocess.Popen(
            [sys.executable, "-m", "socsec", "--data-dir", str(data_dir), "-q", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )

    return start


@pytest.fixture
def model_loads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The paths the suggestion model is loaded from, one entry per load (to count loads)."""
    from socsec.suggest import service

    seen: list[Path] = []
    real = service.SuggestModel.load

    def counted(path: Path) -> service.SuggestModel | None:
        seen.append(path)
        return real(path)

    monkeypatch.setattr(service.SuggestModel, "load", staticmethod(counted))
    return seen


@pytest.fixture
def provenance_trio() -> Callable[[Path], tuple[str, str, str]]:
    """Three records of a built data dir whose only subject is disability insurance, held
    automatically: the first tagged by a librarian (manual), the second accepted in review,
    the third left automatic. Returns their ids in that order.
    """
    from typer.testing import CliRunner

    from socsec.app.suggestions import review
    from socsec.bibliography.store import get_store
    from socsec.cli.app import app
    from socsec.config import Settings
    from socsec.workspace import Workspace

    uri = "http://eurovoc.europa.eu/3412"

    def make(data_dir: Path) -> tuple[str, str, str]:
        ws = Workspace(root=data_dir, settings=Settings.load(data_dir=data_dir, env={}))
        with get_store(ws) as store:
            alike = [
                r.id
                for r in store.iter_records()
                if [(s.uri, s.provenance) for s in r.subjects] == [(uri, "automatic")]
            ]
        manual, accepted, automatic = alike[:3]
        tagged = CliRunner().invoke(app, ["--data-dir", str(data_dir), "bib", "tag", manual, uri])
        assert tagged.exit_code == 0, tagged.stderr
        review(ws, accepted, accept=[uri])
        return manual, accepted, automatic

    return make
