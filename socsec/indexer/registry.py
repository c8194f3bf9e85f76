"""Backend names to lazily imported classes, through the ``socsec.backends`` entry points."""

from __future__ import annotations

from functools import lru_cache
from importlib import import_module
from typing import TYPE_CHECKING

from socsec.errors import ConfigError

if TYPE_CHECKING:
    from socsec.config import Settings
    from socsec.indexer.base import BackendConfig, SearchBackend
    from socsec.workspace import Workspace

# Built-ins register through pyproject entry points like third-party backends; this table is
# the fallback when the package metadata is unavailable (e.g. running from a source tree).
DEFAULT_BACKENDS: dict[str, str] = {
    "sqlite": "socsec.indexer.sqlite_fts:SqliteBackend",
    "elasticsearch": "socsec.indexer.elastic:ElasticBackend",
}
# What to install when a backend's module cannot import its third-party package.
EXTRAS: dict[str, tuple[str, str]] = {
    "elasticsearch": ("elasticsearch", "pip install 'socsec[elasticsearch]'"),
}


@lru_cache(maxsize=1)
def _targets() -> dict[str, str]:
    from importlib.metadata import entry_points

    targets = dict(DEFAULT_BACKENDS)
    for ep in entry_points(group="socsec.backends"):
        targets[ep.name] = ep.value
    return targets


def names() -> list[str]:
    """Registered backend names, built-ins first."""
    builtins = [n for n in DEFAULT_BACKENDS if n in _targets()]
    return builtins + sorted(n for n in _targets() if n not in DEFAULT_BACKENDS)


def load(name: str) -> type[SearchBackend]:
    """Import and return the backend class registered as ``name``.

    Raises:
        ConfigError: unknown name, or the backend's optional dependency is not installed.
    """
    # Built-ins resolve without scanning the installed packages' entry points, which costs
    # about 100 ms of every `socsec search` process (their entry points name the same classes).
    target = DEFAULT_BACKENDS.get(name) or _targets().get(name)
    if target is None:
        raise ConfigError(
            f"Unknown search backend {name!r}", hint=f"choose from: {', '.join(names())}"
        )
    module_name, _, attr = target.partition(":")
    try:
        module = import_module(module_name)
    except ModuleNotFoundError as exc:
        package, fix = EXTRAS.get(name, ("", ""))
        if package and exc.name is not None and exc.name.split(".")[0] == package:
            raise ConfigError(f"{name} backend needs: {fix}") from exc
        raise
    cls: type[SearchBackend] = getattr(module, attr)
    return cls


def create(name: str, config: BackendConfig) -> SearchBackend:
    """Instantiate backend ``name`` with ``config``."""
    return load(name)(config)  # type: ignore[call-arg]


def config_from_settings(settings: Settings, ws: Workspace | None = None) -> BackendConfig:
    """The backend configuration the settings describe (index file under the data dir)."""
    from socsec.indexer.base import BackendConfig

    return BackendConfig(
        index_path=ws.index_db if ws is not None else settings.data_dir / "index.sqlite",
        url=settings.get("elasticsearch.url"),
        index=settings.get("elasticsearch.index") or "socsec",
        api_key=settings.get("elasticsearch.api_key"),
        username=settings.get("elasticsearch.username"),
        password=settings.get("elasticsearch.password"),
        ca_certs=settings.get("elasticsearch.ca_certs"),
        shards=int(settings.get("elasticsearch.shards") or 1),
        replicas=int(settings.get("elasticsearch.replicas") or 0),
        wait_for_active_shards=settings.get("elasticsearch.wait_for_active_shards") or "1",
        timeout=float(settings.get("elasticsearch.timeout") or 5),
        connect_timeout=float(settings.get("elasticsearch.connect_timeout") or 2),
        bulk_timeout=float(settings.get("elasticsearch.bulk_timeout") or 120),
        bulk_threads=int(settings.get("elasticsearch.bulk_threads") or 1),
    )


def open_backend(ws: Workspace) -> SearchBackend:
    """The backend chosen by the workspace settings (``backend`` key)."""
    return create(ws.settings.backend, config_from_settings(ws.settings, ws))
