"""The backend registry: entry points, lazy loading, fix-it message for a missing extra."""

from __future__ import annotations

import sys

import pytest

from socsec.errors import ConfigError
from socsec.indexer import registry
from socsec.indexer.base import SearchBackend


def test_names_and_classes() -> None:
    assert registry.names()[:2] == ["sqlite", "elasticsearch"]
    for name in registry.names():
        cls = registry.load(name)
        assert cls.name == name
        assert isinstance(cls.capabilities.highlight, bool)


def test_unknown_backend() -> None:
    with pytest.raises(ConfigError, match="Unknown search backend 'solr'"):
        registry.load("solr")


def test_missing_client_gives_fix_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "socsec.indexer.elastic", raising=False)
    monkeypatch.setitem(sys.modules, "elasticsearch", None)  # as if not installed
    with pytest.raises(ConfigError) as info:
        registry.load("elasticsearch")
    assert str(info.value) == "elasticsearch backend needs: pip install 'socsec[elasticsearch]'"


def test_sqlite_backend_satisfies_protocol(tmp_path: object) -> None:
    from pathlib import Path

    from socsec.indexer.base import BackendConfig

    backend = registry.create("sqlite", BackendConfig(index_path=Path(str(tmp_path)) / "i.sqlite"))
    assert isinstance(backend, SearchBackend)
    backend.close()


def test_search_path_does_not_import_elasticsearch_or_rdflib() -> None:
    import subprocess

    code = (
        "import sys; import socsec.indexer.service, socsec.indexer.sqlite_fts, socsec.cli.search; "
        "bad = [m for m in ('elasticsearch', 'rdflib') if m in sys.modules]; print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
