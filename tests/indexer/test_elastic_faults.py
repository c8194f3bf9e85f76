"""Elasticsearch faults (issue 15/20): a hung or lost server, failed rebuilds, index settings.

A real server is reached through a TCP relay (tests/indexer/tcp_relay.py) that can refuse,
hang or drop connections, so each fault is a real socket condition, not a mocked client.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tcp_relay import Relay

from socsec.bibliography.model import Record
from socsec.errors import IndexingError
from socsec.indexer.base import BackendConfig, IndexDoc
from socsec.indexer.documents import Enricher

pytestmark = pytest.mark.elastic


@pytest.fixture(scope="module")
def docs(records: list[Record], thesaurus: object) -> list[IndexDoc]:
    return list(Enricher(thesaurus).enrich_all(records))  # type: ignore[arg-type]


@pytest.fixture
def relay(es_url: str) -> Iterator[Relay]:
    r = Relay(es_url)
    yield r
    r.down()


def backend(url: str, index: str, **kw: object) -> object:
    from socsec.indexer.elastic import ElasticBackend

    return ElasticBackend(BackendConfig(url=url, index=index, **kw))  # type: ignore[arg-type]


def socsec(data_dir: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The real CLI in a process; a hang beyond 60 s fails the test (it took 120 s before)."""
    return subprocess.run(
        [sys.executable, "-m", "socsec", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env},
    )


def test_hung_server_search_exits_7_within_the_timeout(
    relay: Relay, workspace: object, tmp_path: Path
) -> None:
    relay.hang()
    env = {
        "SOCSEC_BACKEND": "elasticsearch",
        "SOCSEC_ELASTICSEARCH_URL": relay.url,
        "SOCSEC_ELASTICSEARCH_TIMEOUT": "2",
    }
    root = str(workspace.root)  # type: ignore[attr-defined]
    result = socsec(Path(root), "search", "pension", env=env)
    assert result.returncode == 7, result.stderr
    assert relay.url in result.stderr
    added = socsec(
        Path(root),
        "bib",
        "add",
        "--title",
        "Hung server write",
        "--author",
        "Doe, J",
        "--year",
        "2020",
        "--type",
        "report",
        env=env,
    )
    assert added.returncode == 0, added.stderr


def test_bulk_survives_dropped_connections(
    relay: Relay, es_index: str, docs: list[IndexDoc], monkeypatch: pytest.MonkeyPatch
) -> None:
    from socsec.indexer import elastic

    monkeypatch.setattr(elastic, "CHUNK_SIZE", 10)  # several bulk requests
    relay.up()
    b = backend(relay.url, es_index)
    dropped: list[int] = []

    def progress(n: int) -> None:
        if not dropped:  # after the first chunk: cut the connections, refuse the next 8
            dropped.append(n)
            relay.drop(8)  # more than the transport's own retries: our backoff must carry it

    try:
        b.ensure_schema()  # type: ignore[attr-defined]
        report = b.rebuild(docs, {"last_build": "x"}, progress)  # type: ignore[attr-defined]
        assert dropped and relay.drop_next == 0  # the drops really happened
        assert report.indexed == len(docs)
        assert b.count() == len(docs)  # type: ignore[attr-defined]
    finally:
        relay.up()
        b.drop()  # type: ignore[attr-defined]
        b.close()  # type: ignore[attr-defined]


def test_failed_rebuild_keeps_alias_and_leaves_no_index(
    es_url: str, es_index: str, docs: list[IndexDoc]
) -> None:
    b = backend(es_url, es_index)
    client = b.client  # type: ignore[attr-defined]
    try:
        b.rebuild(docs[:10], {"last_build": "first"})  # type: ignore[attr-defined]
        live = b.info().physical  # type: ignore[attr-defined]
        bad = replace(docs[20], id="bad-year", year=10**12)
        with pytest.raises(IndexingError) as info:
            b.rebuild([*docs[:15], bad, *docs[15:]], {"last_build": "second"})  # type: ignore[attr-defined]
        assert [i for i, _ in info.value.failures] == ["bad-year"]

        def broken() -> Iterator[IndexDoc]:
            yield from docs[:5]
            raise OSError("store went away")

        with pytest.raises(OSError):
            b.rebuild(broken(), {"last_build": "third"})  # type: ignore[attr-defined]
        assert b.info().physical == live  # type: ignore[attr-defined]
        assert b.count() == 10  # type: ignore[attr-defined]
        assert sorted(client.indices.get(index=f"{es_index}-*").body) == [live]
    finally:
        b.drop()  # type: ignore[attr-defined]
        b.close()  # type: ignore[attr-defined]


def test_rebuild_removes_orphans_of_its_own_pattern(
    es_url: str, es_index: str, docs: list[IndexDoc]
) -> None:
    b = backend(es_url, es_index)
    client = b.client  # type: ignore[attr-defined]
    orphan = f"{es_index}-20200101000000000000"  # as a killed rebuild leaves it
    other = f"{es_index}-keep"  # not of socsec's naming pattern: never touched
    try:
        client.indices.create(index=orphan)
        client.indices.create(index=other)
        b.rebuild(docs, {"last_build": "x"})  # type: ignore[attr-defined]
        names = set(client.indices.get(index=f"{es_index}-*").body)
        assert orphan not in names and other in names
        assert len(names) == 2
    finally:
        client.indices.delete(index=other, ignore_unavailable=True)
        b.drop()  # type: ignore[attr-defined]
        b.close()  # type: ignore[attr-defined]


def test_index_settings_from_config_and_restored_after_load(
    es_url: str, es_index: str, docs: list[IndexDoc]
) -> None:
    b = backend(es_url, es_index, shards=2, replicas=1, bulk_threads=2)
    client = b.client  # type: ignore[attr-defined]
    try:
        b.rebuild(docs, {"last_build": "x"})  # type: ignore[attr-defined]
        name = b.info().physical  # type: ignore[attr-defined]
        settings = client.indices.get_settings(index=name).body[name]["settings"]["index"]
        assert settings["number_of_shards"] == "2"
        assert settings["number_of_replicas"] == "1"  # added after the load
        assert "refresh_interval" not in settings  # -1 during the load, default again after
        assert b.count() == len(docs)  # type: ignore[attr-defined]
    finally:
        b.drop()  # type: ignore[attr-defined]
        b.close()  # type: ignore[attr-defined]


def test_serve_starts_without_the_server_reports_it_and_recovers(
    relay: Relay, tmp_path: Path, _workspace_template: Path, es_url: str
) -> None:
    import shutil

    from socsec.config import Settings
    from socsec.web.app import create_app
    from socsec.workspace import Workspace

    index = f"test-{uuid.uuid4().hex[:12]}"
    config = f'backend = "elasticsearch"\n[elasticsearch]\nurl = "{relay.url}"\nindex = "{index}"\n'
    root = tmp_path / "data"
    shutil.copytree(_workspace_template, root)
    (root / "config.toml").write_text(config, encoding="utf-8")
    ws = Workspace(root=root, settings=Settings.load(data_dir=root, env={}))
    relay.down()
    with TestClient(create_app(ws, warm_up=True)) as client:  # starts: no exception
        health = client.get("/api/health").json()
        assert health["status"] == "degraded"
        assert health["search"] == {"backend": "elasticsearch", "available": False}
        down = client.get("/api/search", params={"q": "pension"})
        assert down.status_code == 503
        assert "127.0.0.1" not in down.text and str(relay.port) not in down.text
        page = client.get("/search", params={"q": "pension"}, headers={"accept": "text/html"})
        assert page.status_code == 503 and "127.0.0.1" not in page.text
        relay.up()
        from socsec.indexer.service import SearchService

        with SearchService.open(ws) as svc:
            svc.rebuild()
        assert client.get("/api/health").json()["status"] == "ok"
        assert client.get("/api/search", params={"q": "pension"}).status_code == 200
    b = backend(es_url, index)
    b.drop()  # type: ignore[attr-defined]
    b.close()  # type: ignore[attr-defined]
