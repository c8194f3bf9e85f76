"""Settings precedence (flags > env > file > defaults), validation and redaction."""

from __future__ import annotations

from pathlib import Path

import pytest

from socsec.config import Settings, read_config_file, set_config_value
from socsec.errors import ConfigError


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_file_or_env(tmp_path: Path) -> None:
    s = Settings.load(data_dir=tmp_path, env={})
    assert s.backend == "sqlite"
    assert s.sources["backend"] == "default"
    assert s.config_file == tmp_path / "config.toml"


def test_precedence_flag_over_env_over_file_over_default(tmp_path: Path) -> None:
    write(
        tmp_path / "config.toml", '[elasticsearch]\nurl = "http://file:9200"\nindex = "fromfile"\n'
    )
    env = {"SOCSEC_ELASTICSEARCH_URL": "http://env:9200"}
    s = Settings.load(
        data_dir=tmp_path, env=env, overrides={"elasticsearch.url": "http://flag:9200"}
    )
    assert s.get("elasticsearch.url") == "http://flag:9200"
    assert s.sources["elasticsearch.url"] == "flag"
    s = Settings.load(data_dir=tmp_path, env=env)
    assert (s.get("elasticsearch.url"), s.sources["elasticsearch.url"]) == (
        "http://env:9200",
        "env SOCSEC_ELASTICSEARCH_URL",
    )
    s = Settings.load(data_dir=tmp_path, env={})
    assert s.get("elasticsearch.url") == "http://file:9200"
    assert s.get("elasticsearch.index") == "fromfile"
    assert s.get("backend") == "sqlite"


def test_data_dir_from_env_and_flag(tmp_path: Path) -> None:
    env = {"SOCSEC_HOME": str(tmp_path / "env")}
    assert Settings.load(env=env).data_dir == tmp_path / "env"
    assert Settings.load(data_dir=tmp_path / "flag", env=env).data_dir == tmp_path / "flag"


def test_config_file_env_overrides_data_dir_file(tmp_path: Path) -> None:
    other = write(tmp_path / "other.toml", 'backend = "elasticsearch"\n')
    s = Settings.load(data_dir=tmp_path, env={"SOCSEC_CONFIG": str(other)})
    assert s.config_file == other
    assert s.backend == "elasticsearch"


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('backend = "solr"\n', "unknown backend 'solr'"),
        ('[elasticsearch]\nurl = "localhost:9200"\n', "not an http(s) URL"),
        ('bakend = "sqlite"\n', "Unknown key 'bakend'"),
        ("backend = \n", "Parsing TOML file"),
        ('[elasticsearch]\nindex = "Bad Name"\n', "not a valid index name"),
    ],
)
def test_bad_file_values_raise_config_error_naming_the_file(
    tmp_path: Path, text: str, needle: str
) -> None:
    cfg = write(tmp_path / "config.toml", text)
    with pytest.raises(ConfigError) as info:
        Settings.load(data_dir=tmp_path, env={})
    assert needle in str(info.value)
    assert str(cfg) in str(info.value)


def test_bad_env_value_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SOCSEC_BACKEND"):
        Settings.load(data_dir=tmp_path, env={"SOCSEC_BACKEND": "nope"})


def test_secrets_are_redacted(tmp_path: Path) -> None:
    env = {
        "SOCSEC_ELASTICSEARCH_API_KEY": "c2VjcmV0LWtleQ==",
        "SOCSEC_ELASTICSEARCH_PASSWORD": "hunter2",
    }
    s = Settings.load(data_dir=tmp_path, env=env)
    shown = s.redacted()
    assert shown["elasticsearch.api_key"] == "********"
    assert shown["elasticsearch.password"] == "********"
    assert "hunter2" not in repr(shown)
    assert s.get("elasticsearch.password") == "hunter2"


def test_set_config_value_round_trips_and_unsets(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    set_config_value(cfg, "elasticsearch.url", "https://es.example.org:9243/")
    set_config_value(cfg, "backend", "elasticsearch")
    assert read_config_file(cfg) == {
        "backend": "elasticsearch",
        "elasticsearch.url": "https://es.example.org:9243",
    }
    set_config_value(cfg, "backend", None)
    assert read_config_file(cfg) == {"elasticsearch.url": "https://es.example.org:9243"}


def test_set_config_value_refuses_bad_value_and_keeps_file(tmp_path: Path) -> None:
    cfg = write(tmp_path / "config.toml", 'backend = "sqlite"\n')
    before = cfg.read_bytes()
    with pytest.raises(ConfigError):
        set_config_value(cfg, "elasticsearch.url", "ftp://nope")
    assert cfg.read_bytes() == before
