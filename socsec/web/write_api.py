"""The JSON write API (``/api``): records, concepts, suggestions, imports, with ETags.

Every route needs a signed-in user of the right role (:mod:`socsec.web.auth`) and calls the
application layer (``socsec.app``) acting as that user, so history names them.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from socsec.web.auth import Credentials, Reader, credentials

router = APIRouter(prefix="/api")


@router.get("/me", tags=["accounts"])
def me(user: Reader, creds: Annotated[Credentials, Depends(credentials)]) -> dict[str, Any]:
    """The signed-in user (name, role, how signed in); a session also gets its CSRF token.

    Scripts use it to check a token; a page's script reads ``csrf_token`` to send it back as
    the ``X-CSRF-Token`` header of its writes.
    """
    out: dict[str, Any] = {**user.to_json(), "via": creds.via}
    if creds.session is not None:
        out["csrf_token"] = creds.session.csrf
    return out
