"""`socsec serve`: the HTTP API and browser pages over the data dir (needs the web extra)."""

from __future__ import annotations

import importlib.util
import os
from typing import Annotated

import typer

from socsec.cli.state import get_state
from socsec.errors import ConfigError

WEB_PACKAGES = ("fastapi", "uvicorn", "jinja2")
FIX = "pip install 'socsec[web]'"


def _check_extra() -> None:
    missing = [p for p in WEB_PACKAGES if importlib.util.find_spec(p) is None]
    if missing:
        raise ConfigError(f"socsec serve needs {', '.join(missing)}: {FIX}")


def serve(
    ctx: typer.Context,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (0.0.0.0: every interface).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", "-p", min=1, max=65535, help="TCP port.")] = 8000,
    workers: Annotated[
        int, typer.Option("--workers", "-w", min=1, max=64, help="Processes (one per CPU core).")
    ] = 1,
) -> None:
    """Serve the JSON API (/api, /docs) and the pages: reading for all, editing after sign-in.

    Example: socsec serve --host 127.0.0.1 --port 8000
    """
    _check_extra()
    import uvicorn

    from socsec.web.app import create_app, prepare

    state = get_state(ctx)
    ws = state.workspace()
    level = "warning" if state.out.quiet else "info"
    state.out.notice(f"Serving {ws.root} on http://{host}:{port}/ (API docs: /docs); Ctrl+C stops.")
    if workers == 1:
        uvicorn.run(create_app(ws, warm_up=True), host=host, port=port, log_level=level)
        return
    prepare(ws)
    # Worker processes import the app by name, so the data dir and config go by environment.
    os.environ["SOCSEC_HOME"] = str(ws.root)
    os.environ["SOCSEC_CONFIG"] = str(ws.settings.config_file)
    target = "socsec.web.app:create_app_from_env"
    uvicorn.run(target, factory=True, host=host, port=port, workers=workers, log_level=level)


def register(app: typer.Typer) -> None:
    """Add ``serve`` to the root command."""
    app.command("serve")(serve)
