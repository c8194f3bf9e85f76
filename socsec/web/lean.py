"""A route class that serves the lookup hot path without FastAPI's per-request parameter solving.

FastAPI solves an endpoint's parameters on every request (aliases, annotations, pydantic
validation): about 0.25 ms of CPU, half of what /api/health costs in all, and more than an
answer from the memo. A :class:`LeanRoute` whose endpoint was registered with :func:`lean`
first asks the endpoint's planner to read the query string itself. The planner accepts only
requests whose outcome it knows is the full route's (every parameter well-formed, none
repeated) and returns the memo key and the computation; anything else (a missing or bad
parameter, an odd spelling such as ``limit=010``) goes to FastAPI's handler, so errors and
edge cases are answered exactly as before. The route, its OpenAPI schema and its
dependencies stay as declared.

On the event loop the lean handler reads the answer memo (a dict under a lock held for
microseconds) and the cache file's identity (one ``stat``). It computes a missing answer
there only when that reads memory only (``Resources.answer_in_memory``: the index current,
asked without waiting); otherwise the computation runs in the thread pool, as a sync
endpoint's does. docs/decisions/0003-lookups-on-the-event-loop.md gives the measured bound;
tests/web/test_lean.py proves what runs where.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Hashable
from typing import TYPE_CHECKING, Any

from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response

if TYPE_CHECKING:
    from socsec.thesaurus.lookup import ThesaurusCache
    from socsec.web.resources import Resources

# What a planner returns: the memo key of the answer, the term looked up and how to
# compute the answer's JSON body.
Plan = tuple[Hashable, str, "Callable[[ThesaurusCache], bytes]"]
Planner = Callable[[QueryParams], Plan | None]

_PLANNERS: dict[Callable[..., Any], Planner] = {}


def lean(planner: Planner) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``planner`` as the lean path of the decorated endpoint (returned unchanged).

    Apply it under the router's decorator, so the route is created knowing it.
    """

    def register(endpoint: Callable[..., Any]) -> Callable[..., Any]:
        _PLANNERS[endpoint] = planner
        return endpoint

    return register


def single(params: QueryParams, names: tuple[str, ...]) -> dict[str, str] | None:
    """The values of ``params``, or None if one of ``names`` is given more than once."""
    items = params.multi_items()
    values = dict(items)
    if len(values) != len(items) and any(len(params.getlist(n)) > 1 for n in names):
        return None
    return values


def small_int(text: str | None, default: int, high: int) -> int | None:
    """``text`` as an int 1..``high`` when written plainly ("8", not "08" or "+8"), else None."""
    if text is None:
        return default
    if not (0 < len(text) <= 3 and text.isascii() and text.isdigit() and text[0] != "0"):
        return None
    value = int(text)
    return value if value <= high else None


class LeanRoute(APIRoute):
    """An :class:`~fastapi.routing.APIRoute` that tries its endpoint's lean planner first."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """FastAPI's handler, behind the lean path when the endpoint has a planner."""
        full = super().get_route_handler()
        planner = _PLANNERS.get(self.endpoint)
        if planner is None:
            return full

        async def handler(request: Request) -> Response:
            plan = planner(request.query_params)
            if plan is None:
                return await full(request)
            key, term, answer = plan
            res: Resources = request.app.state.resources
            memo_key, body = res.remembered(key)
            if body is None:
                body = res.answer_in_memory(memo_key, term, answer)
            if body is None:
                body = await run_in_threadpool(res.compute_answer, memo_key, answer)
            return Response(body, media_type="application/json")

        return handler
