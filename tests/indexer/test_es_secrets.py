"""A password written inside elasticsearch.url is never shown (issue 15, Secrets).

Every output of a run with a known password is collected: CLI stdout and stderr (config show,
search, write warnings, index status/rebuild, config errors), HTTP bodies and the server log.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tcp_relay import Relay
from typer.testing import CliRunner

from socsec.cli.app import app

pytestmark = pytest.mark.elastic
PASSWORD = "Kn0wn-Pa55w0rd-4711"
runner = CliRunner()


@pytest.fixture
def relay(es_url: str) -> Iterator[Relay]:
    r = Relay(es_url)
    yield r
    r.down()


def test_redact_url() -> None:
    from socsec.config import redact_url

    assert redact_url("http://elastic:pw@h:9200") == "http://elastic:****@h:9200"
    assert (
        redact_url("http://a:x@h1:1,https://b:y@h2:2") == "http://a:****@h1:1,https://b:****@h2:2"
    )
    assert redact_url("http://h:9200") == "http://h:9200"
    assert redact_url("http://user@h") == "http://user@h"


def test_password_in_url_is_never_shown(
    relay: Relay, workspace: object, caplog: pytest.LogCaptureFixture
) -> None:
    from socsec.config import Settings
    from socsec.web.app import create_app
    from socsec.workspace import Workspace

    assert isinstance(workspace, Workspace)
    root = workspace.root
    index = f"test-{uuid.uuid4().hex[:12]}"
    url = f"http://elastic:{PASSWORD}@127.0.0.1:{relay.port}"
    (root / "config.toml").write_text(
        f'backend = "elasticsearch"\n[elasticsearch]\nurl = "{url}"\nindex = "{index}"\n',
        encoding="utf-8",
    )
    outputs: list[str] = []

    def run(*args: str, env: dict[str, str] | None = None, code: int | None = None) -> None:
        result = runner.invoke(app, ["--data-dir", str(root), *args], env=env or {})
        outputs.extend([result.stdout, result.stderr])
        if code is not None:
            assert result.exit_code == code, (args, result.stdout, result.stderr)

    caplog.set_level(logging.DEBUG)
    relay.down()
    run("config", "show", code=0)
    run("config", "show", "--json", code=0)
    run("search", "pension", code=7)
    run("search", "pension", "--json", code=7)
    run("index", "status", "--json", code=7)
    run("index", "rebuild", code=7)
    run("bib", "tag", "nber-w0107", "retraite anticipée", code=0)  # kept, index stale
    bad = f"ftp://elastic:{PASSWORD}@127.0.0.1:1"
    run("config", "set", "elasticsearch.url", bad, code=6)
    run("search", "x", env={"SOCSEC_ELASTICSEARCH_URL": bad}, code=6)
    run(
        "search",
        "x",
        env={"SOCSEC_ELASTICSEARCH_URL": url.replace(str(relay.port), "99999")},
        code=6,
    )
    served = Workspace(root=root, settings=Settings.load(data_dir=root, env={}))
    with TestClient(create_app(served, warm_up=True)) as client:
        for path in ("/api/search?q=pension", "/search?q=pension", "/api/health"):
            response = client.get(path)
            outputs.append(response.text)
        assert client.get("/api/search?q=pension").status_code == 503
        relay.up()
        run("index", "rebuild", code=0)
        run("index", "status", "--json", code=0)
        run("search", "pension", "--json", code=0)
        outputs.append(client.get("/api/health").text)
    outputs.extend(r.getMessage() for r in caplog.records)
    outputs.extend(str(r.args) for r in caplog.records)
    joined = "\n".join(outputs)
    assert "elastic:****@" in joined  # the URL is named, redacted
    assert PASSWORD not in joined
    from socsec.indexer.base import BackendConfig
    from socsec.indexer.elastic import ElasticBackend

    b = ElasticBackend(BackendConfig(url=relay.url, index=index))
    b.drop()
    b.close()
