"""Settings: defaults < config file < SOCSEC_* environment < explicit overrides."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import NamedTuple

from socsec.errors import ConfigError

DATA_DIR_ENV = "SOCSEC_HOME"
CONFIG_FILE_ENV = "SOCSEC_CONFIG"
CONFIG_FILE_NAME = "config.toml"
BUILTIN_BACKENDS = ("sqlite", "elasticsearch")


def _check_backend(value: str) -> str:
    if value in BUILTIN_BACKENDS:
        return value
    from importlib.metadata import entry_points  # only for third-party names: slow scan

    if value in {ep.name for ep in entry_points(group="socsec.backends")}:
        return value
    raise ValueError(f"unknown backend {value!r} (choose from: {', '.join(BUILTIN_BACKENDS)})")


def redact_url(value: str) -> str:
    """``value`` with any password in its URL(s) masked: safe to print, log or send.

    ``http://elastic:secret@host:9200`` becomes ``http://elastic:****@host:9200``; a
    comma-separated list of URLs is masked URL by URL.
    """
    if "@" not in value:
        return value
    out = []
    for part in value.split(","):
        scheme, sep, rest = part.partition("://")
        if not sep:
            scheme, rest = "", part
        auth, at, host = rest.rpartition("@")
        if at:
            user, colon, _password = auth.partition(":")
            auth = f"{user}:****" if colon else user
            rest = f"{auth}@{host}"
        out.append(f"{scheme}{sep}{rest}")
    return ",".join(out)


def _check_url(value: str) -> str:
    from urllib.parse import urlparse  # only when a URL is set: start-up matters

    urls = [u.strip().rstrip("/") for u in value.split(",")]
    for url in urls:
        shown = redact_url(url)
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ValueError(f"{shown!r} is not an http(s) URL, e.g. http://127.0.0.1:9200")
        try:
            parsed.port  # noqa: B018 - raises ValueError on a bad port
        except ValueError:
            raise ValueError(f"{shown!r} has a bad port") from None
    return ",".join(urls)


def _check_count(low: int, high: int) -> Callable[[str], str]:
    def check(value: str) -> str:
        if not value.strip().isdigit() or not low <= int(value) <= high:
            raise ValueError(f"{value!r} is not a whole number from {low} to {high}")
        return str(int(value))

    return check


def _check_workers(value: str) -> str:
    if value.strip().lower() == "auto":
        return "auto"
    try:
        return _check_count(1, 64)(value)
    except ValueError:
        raise ValueError(f"{value!r} is not auto or a whole number from 1 to 64") from None


def _check_bool(value: str) -> str:
    folded = value.strip().lower()
    if folded in ("true", "1", "yes", "on"):
        return "true"
    if folded in ("false", "0", "no", "off"):
        return "false"
    raise ValueError(f"expected true or false, got {value!r}")


def _check_choice(*choices: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        if value.strip().lower() in choices:
            return value.strip().lower()
        raise ValueError(f"expected one of {', '.join(choices)}, got {value!r}")

    return check


def _check_number(
    low: int, high: int, unit: str = "", *, low_ok: bool = True
) -> Callable[[str], str]:
    """A check that a value is a number from ``low`` (excluded unless ``low_ok``) to ``high``."""
    of_unit, in_unit = (f" of {unit}", f" {unit}") if unit else ("", "")

    def check(value: str) -> str:
        try:
            number = float(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a number{of_unit}") from None
        if not (low <= number if low_ok else low < number) or number > high:
            raise ValueError(f"{value!r} is not between {low} and {high}{in_unit}")
        return value

    return check


_check_seconds = _check_number(0, 3600, "seconds", low_ok=False)


def _check_active_shards(value: str) -> str:
    if value == "all" or (value.isdigit() and int(value) >= 1):
        return value
    raise ValueError(f"{value!r} is neither 'all' nor a whole number of at least 1")


def _check_path(value: str) -> str:
    if not value.strip():
        raise ValueError("empty path")
    return value


def _check_text(value: str) -> str:
    if not value.strip():
        raise ValueError("empty value")
    return value


def _check_index_name(value: str) -> str:
    if not value or value != value.lower() or any(c in value for c in ' "*\\<|,>/?#:'):
        raise ValueError(
            f'{value!r} is not a valid index name (lowercase, no spaces or */\\?"<>|,#:)'
        )
    return value


def _check_uri_list(value: str) -> str:
    uris = [u.strip() for u in value.split(",") if u.strip()]
    if uris == ["none"]:
        return value
    bad = [u for u in uris if "://" not in u and not u.startswith("urn:")]
    if not uris or bad:
        raise ValueError(f"give scheme URIs separated by commas, or none (not {bad or value!r})")
    return value


_check_fraction = _check_number(0, 1)


def is_true(value: str | None) -> bool:
    """Whether a boolean setting's value means true (true, yes, 1, on)."""
    return (value or "").strip().lower() in ("true", "yes", "1", "on")


def _check_base_uri(value: str) -> str:
    if not (value.startswith(("http://", "https://")) or value.startswith("urn:")):
        raise ValueError(f"{value!r} is not an http(s) or urn: URI")
    if not value.endswith(("/", "#", ":")):
        raise ValueError(f"{value!r} should end with / or # (a namespace)")
    return value


def _check_uri_pattern(value: str) -> str:
    import string

    fields = {f for _t, f, _s, _c in string.Formatter().parse(value) if f is not None}
    unknown = fields - {"base", "ns", "scheme", "n", "uuid", "notation"}
    if unknown:
        raise ValueError(
            f"unknown placeholder(s) {sorted(unknown)}: "
            "use {base}, {ns}, {scheme}, {n}, {uuid}, {notation}"
        )
    if not fields & {"n", "uuid", "notation"}:
        raise ValueError("the pattern needs {n}, {uuid} or {notation} to make distinct URIs")
    return value


# NamedTuples, not dataclasses, here and in socsec.workspace: every command loads settings,
# and importing dataclasses (with inspect) costs ~20 ms of a 100 ms lookup.
class Key(NamedTuple):
    """One configuration key: its default, validator and whether it is a secret."""

    name: str
    default: str | None
    check: Callable[[str], str]
    secret: bool = False
    help: str = ""

    @property
    def env_var(self) -> str:
        """The environment variable that sets this key (SOCSEC_...)."""
        return "SOCSEC_" + self.name.upper().replace(".", "_")


KEYS: dict[str, Key] = {
    k.name: k
    for k in (
        Key("backend", "sqlite", _check_backend, help="search backend: sqlite or elasticsearch"),
        Key(
            "elasticsearch.url",
            "http://127.0.0.1:9200",
            _check_url,
            help="cluster URL, or several nodes' URLs separated by commas",
        ),
        Key("elasticsearch.api_key", None, _check_text, secret=True, help="API key (encoded)"),
        Key("elasticsearch.username", None, _check_text, help="basic auth user"),
        Key("elasticsearch.password", None, _check_text, secret=True, help="basic auth password"),
        Key("elasticsearch.ca_certs", None, _check_path, help="CA bundle for TLS"),
        Key("elasticsearch.index", "socsec", _check_index_name, help="index alias prefix"),
        Key("elasticsearch.shards", "1", _check_count(1, 1024), help="primary shards per index"),
        Key(
            "elasticsearch.replicas",
            "0",
            _check_count(0, 32),
            help="replicas per shard (added after a rebuild's bulk load)",
        ),
        Key(
            "elasticsearch.wait_for_active_shards",
            "1",
            _check_active_shards,
            help="shard copies that must be active before a write: a number or all",
        ),
        Key(
            "elasticsearch.timeout",
            "5",
            _check_seconds,
            help="seconds to wait for an answer to a search or a single write",
        ),
        Key(
            "elasticsearch.connect_timeout",
            "2",
            _check_seconds,
            help="seconds to wait for a connection to a node",
        ),
        Key(
            "elasticsearch.bulk_timeout",
            "120",
            _check_seconds,
            help="seconds to wait for one bulk request of a rebuild or update",
        ),
        Key(
            "elasticsearch.bulk_threads",
            "1",
            _check_count(1, 16),
            help="bulk requests in flight at once during a rebuild",
        ),
        Key(
            "index.workers",
            "auto",
            _check_workers,
            help="processes enriching records during an index rebuild (auto: one per core "
            "for large stores)",
        ),
        Key("user", None, _check_text, help="name recorded in the curation history"),
        Key(
            "web.anonymous_read",
            "true",
            _check_bool,
            help="whether people who are not signed in may read pages and the read API",
        ),
        Key(
            "web.secure_cookies",
            "auto",
            _check_choice("auto", "true", "false"),
            help="Secure flag on the session cookie: auto (when the request came over https)",
        ),
        Key("web.session_hours", "12", _check_count(1, 720), help="hours a sign-in lasts"),
        Key(
            "autoindex.threshold",
            "0.15",  # = suggest.assign.ASSIGN_THRESHOLD (README: judged on NBER titles)
            _check_fraction,
            help="least suggestion score assigned as an automatic subject (0-1; higher:"
            " fewer, more precise subjects)",
        ),
        Key(
            "autoindex.limit",
            "3",
            _check_count(1, 20),
            help="most automatic subjects per record",
        ),
        Key(
            "autoindex.on_import",
            "true",
            _check_bool,
            help="give records that arrive without subjects automatic ones (bib import)",
        ),
        Key(
            "thesaurus.uri_pattern",
            "{base}{n}",
            _check_uri_pattern,
            help="URI of new concepts: {base} (thesaurus.base_uri), {ns} scheme namespace,"
            " {scheme}, {n}, {uuid}, {notation}",
        ),
        Key(
            "thesaurus.base_uri",
            "https://socsec.invalid/concept/",
            _check_base_uri,
            help="namespace you own for new concepts (the default is a local placeholder)",
        ),
        Key(
            "thesaurus.domain_schemes",
            None,
            _check_uri_list,
            help="schemes whose concepts lookups prefer on ties (comma-separated URIs, or none;"
            " default: the social protection, social affairs, employment, health microthesauri)",
        ),
    )
}


def default_data_dir() -> Path:
    """The per-user data directory (platformdirs), used when neither flag nor env sets one."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("socsec", appauthor=False))


def resolve_data_dir(flag: Path | str | None, env: Mapping[str, str]) -> tuple[Path, str]:
    """Pick the data dir: --data-dir, then SOCSEC_HOME, then the platform default."""
    if flag is not None:
        return Path(flag).expanduser().absolute(), "flag --data-dir"
    if env.get(DATA_DIR_ENV):
        return Path(env[DATA_DIR_ENV]).expanduser().absolute(), f"env {DATA_DIR_ENV}"
    return default_data_dir(), "default"


def read_config_file(path: Path) -> dict[str, str]:
    """Read a TOML config file into flat dotted keys; unknown keys are an error."""
    if not path.exists():
        return {}
    import tomllib  # only when there is a file: every command pays this module's imports

    try:
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Parsing TOML file '{path}' failed: {exc}") from exc
    except OSError as exc:
        raise ConfigError(f"Cannot read config file '{path}': {exc.strerror}") from exc
    flat: dict[str, str] = {}

    def walk(prefix: str, table: Mapping[str, object]) -> None:
        for name, value in table.items():
            dotted = f"{prefix}{name}"
            if isinstance(value, dict):
                walk(dotted + ".", value)
            else:
                flat[dotted] = str(value)

    walk("", raw)
    for name in flat:
        if name not in KEYS:
            raise ConfigError(
                f"Unknown key '{name}' in config file '{path}'",
                hint=f"known keys: {', '.join(KEYS)}",
            )
    return flat


def validate(name: str, value: str, source: str) -> str:
    """Check one value; raise ConfigError naming the key and where it came from."""
    key = KEYS.get(name)
    if key is None:
        raise ConfigError(
            f"Unknown config key '{name}' ({source})", hint=f"known keys: {', '.join(KEYS)}"
        )
    try:
        return key.check(value)
    except ValueError as exc:
        raise ConfigError(f"Bad value for '{name}' ({source}): {exc}") from None


class Settings(NamedTuple):
    """Resolved settings; ``sources`` says where each value came from."""

    data_dir: Path
    config_file: Path
    values: Mapping[str, str | None]
    sources: Mapping[str, str] = {}  # shared default, never mutated

    @classmethod
    def load(
        cls,
        *,
        data_dir: Path | str | None = None,
        config_file: Path | str | None = None,
        overrides: Mapping[str, str | None] | None = None,
        env: Mapping[str, str] | None = None,
    ) -> Settings:
        """Merge defaults < config file < SOCSEC_* env < overrides (None = not given).

        Args:
            data_dir: the --data-dir flag, if given.
            config_file: the --config flag, if given.
            overrides: values given as flags, by dotted key.
            env: the environment (os.environ by default).
        """
        env = os.environ if env is None else env
        root, root_source = resolve_data_dir(data_dir, env)
        if config_file is not None:
            cfg = Path(config_file).expanduser().absolute()
        elif env.get(CONFIG_FILE_ENV):
            cfg = Path(env[CONFIG_FILE_ENV]).expanduser().absolute()
        else:
            cfg = root / CONFIG_FILE_NAME
        values: dict[str, str | None] = {}
        sources: dict[str, str] = {"data_dir": root_source}
        from_file = read_config_file(cfg)
        for name, key in KEYS.items():
            value, source = key.default, "default"
            if name in from_file:
                value, source = validate(name, from_file[name], f"file {cfg}"), f"file {cfg}"
            if env.get(key.env_var):
                value = validate(name, env[key.env_var], f"env {key.env_var}")
                source = f"env {key.env_var}"
            if overrides and overrides.get(name) is not None:
                value, source = validate(name, str(overrides[name]), "flag"), "flag"
            values[name] = value
            sources[name] = source
        return cls(data_dir=root, config_file=cfg, values=values, sources=sources)

    def get(self, name: str) -> str | None:
        """The value of a dotted key (None when unset)."""
        return self.values[name]

    @property
    def backend(self) -> str:
        """The search backend's name (default sqlite)."""
        return self.values["backend"] or "sqlite"

    def redacted(self) -> dict[str, str | None]:
        """Every value, with secrets masked: safe to print or log."""
        return {
            name: (
                "********"
                if KEYS[name].secret and value
                else redact_url(value)
                if value and name.endswith(".url")
                else value
            )
            for name, value in self.values.items()
        }


def set_config_value(path: Path, name: str, value: str | None) -> None:
    """Write (or with None remove) one key in a TOML config file, atomically."""
    import tomli_w

    from socsec.fileutil import atomic_write_bytes

    current = read_config_file(path)
    if value is None:
        current.pop(name, None)
    else:
        current[name] = validate(name, value, "config set")
    nested: dict[str, object] = {}
    for dotted, val in sorted(current.items()):
        parts = dotted.split(".")
        table = nested
        for part in parts[:-1]:
            sub = table.setdefault(part, {})
            assert isinstance(sub, dict)
            table = sub
        table[parts[-1]] = val
    atomic_write_bytes(path, tomli_w.dumps(nested).encode())
