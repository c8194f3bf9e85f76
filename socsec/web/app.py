"""The ASGI application: JSON API, HTML pages and static files over one workspace."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from socsec import __version__
from socsec.web import (
    api,
    browsing,
    concept_edit,
    errors,
    pages,
    reconcile,
    record_edit,
    review,
    skosmos,
    sparql,
    upload,
)
from socsec.web.auth import install as install_auth
from socsec.web.cors import ProtocolCors
from socsec.web.middleware import SecurityHeaders
from socsec.web.resources import Resources
from socsec.web.signin import router as signin_router
from socsec.web.write_api import router as write_router

if TYPE_CHECKING:
    from socsec.workspace import Workspace

STATIC = Path(__file__).parent / "static"
DESCRIPTION = """Read-only access to the socsec thesaurus (EN/FR/ES SKOS concepts) and the
bibliography search. Errors are JSON: `{"error": {"type", "message", "hint", "suggestions"}}`
with 400 (bad parameter), 404 (unknown concept or record), 409 (ambiguous label) or 503
(search backend unavailable)."""


def create_app(ws: Workspace, *, warm_up: bool = False) -> FastAPI:
    """The web application serving ``ws``.

    Args:
        ws: the data dir (thesaurus cache, bibliography, index settings).
        warm_up: open everything (and build an embedded index) at startup, not on first use.
    """
    resources = Resources(ws)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if warm_up:
            from starlette.concurrency import run_in_threadpool

            await run_in_threadpool(resources.warm_up)
        yield
        resources.close()

    # /docs and /redoc load Swagger UI and ReDoc from this server, not from a CDN.
    app = FastAPIOffline(
        title="socsec",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.resources = resources
    errors.install(app)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(browsing.router)
    app.include_router(signin_router)  # accounts: sign-in pages, then the JSON write API
    app.include_router(write_router)
    install_auth(pages.templates.env)
    for editing in (concept_edit, record_edit, review, upload):  # editing pages (#17)
        app.include_router(editing.router)
    for protocol in (reconcile, skosmos, sparql):  # interoperability: OpenRefine, Skosmos, SPARQL
        app.include_router(protocol.router)
    app.add_middleware(ProtocolCors)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    if ws.settings.get("web.anonymous_read") == "false":
        from socsec.web.gate import ReadGate

        app.add_middleware(ReadGate)
    app.add_middleware(SecurityHeaders)
    return app


def prepare(ws: Workspace) -> None:
    """Open the data and build an embedded index once, before worker processes start.

    Otherwise each worker would find the index missing and build it at the same time.
    """
    resources = Resources(ws)
    try:
        resources.warm_up()
    finally:
        resources.close()


def create_app_from_env() -> FastAPI:
    """The app over the data dir the environment names (``SOCSEC_HOME``, ``SOCSEC_CONFIG``).

    The factory uvicorn calls in each worker process of ``socsec serve --workers N``.
    """
    from socsec.app.setup import open_workspace
    from socsec.config import Settings

    return create_app(open_workspace(Settings.load()), warm_up=True)
