"""Data dirs for the curation tests: the bundled EuroVoc extract and bibliography sample.

The fixtures are the real data socsec ships (socsec/data: EuroVoc social protection extract,
(c) European Union, and the NBER/EUR-Lex sample records); no extra files are needed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

EARLY_RETIREMENT = "http://eurovoc.europa.eu/3626"  # broader: 3522 termination of employment
TERMINATION = "http://eurovoc.europa.eu/3522"
RETIREMENT_CONDITIONS = "http://eurovoc.europa.eu/5329"  # narrower of 3522 too
SCHEME = "http://eurovoc.europa.eu/100232"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in (
        "SOCSEC_HOME",
        "SOCSEC_CONFIG",
        "SOCSEC_BACKEND",
        "SOCSEC_USER",
        "SOCSEC_THESAURUS_URI_PATTERN",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("USER", "curator")


@pytest.fixture
def data_dir(bundled_data_dir: Path) -> Path:
    """A private copy of the bundled data dir (tests/conftest.py)."""
    return bundled_data_dir


def store_bytes(root: Path) -> dict[str, bytes]:
    """Every file of the thesaurus of record (with its history) and the cache, as bytes."""
    files = {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted((root / "thesaurus").rglob("*"))
        if p.is_file()
    }
    files["thesaurus.sqlite"] = (root / "thesaurus.sqlite").read_bytes()
    return files
