"""Test helpers for the browser and client tests: Debian's Chromium driven by playwright, and a real
uvicorn server over a data dir on a free local port.

Without chromium (or playwright) a browser test is skipped locally and fails when CI=true.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from socsec.web.app import create_app
from socsec.workspace import Workspace

CHROMIUM = Path(os.environ.get("SOCSEC_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def need(condition: bool, reason: str) -> None:
    """Skip when ``condition`` is false (fail under CI=true)."""
    if not condition:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)


@contextmanager
def chromium() -> Iterator[object]:
    """Debian's headless Chromium, launched through playwright."""
    need(CHROMIUM.exists(), f"{CHROMIUM} is missing (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - dev extra not installed
        need(False, "the playwright package is missing (pip install -e '.[dev]')")
        raise
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@contextmanager
def live_server(ws: Workspace, *, warm_up: bool = True) -> Iterator[str]:
    """A real uvicorn server over ``ws`` on 127.0.0.1 (a free port), in a thread; its URL."""
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(
        create_app(ws, warm_up=warm_up), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
