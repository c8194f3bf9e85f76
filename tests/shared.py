"""Data dirs built once per test run and shared by the pytest-xdist workers (read-only)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest


def shared_dir(
    tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], object]
) -> Path:
    """The directory ``name`` made by ``build(path)`` once per test run (read-only for tests).

    Under pytest-xdist every worker is a session of its own, so a session fixture would build
    its data once per worker: the first worker builds it, under a file lock in the run's common
    temporary directory, and the others reuse it (the recipe of pytest-xdist's docs).
    """
    from filelock import FileLock

    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # the run's directory, shared by its workers
    target = base / "shared" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    done = target.parent / f"{name}.built"
    with FileLock(str(target.parent / f"{name}.lock")):
        if not done.exists():
            shutil.rmtree(target, ignore_errors=True)  # a build that failed half-way
            build(target)
            done.touch()
    return target
