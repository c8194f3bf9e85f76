"""Account use cases (users, API tokens, sign-in), and acting as a signed-in user.

Faces call these rather than the store: the CLI's ``socsec user`` commands and the web's
sign-in, session and token checks. :func:`acting_as` gives the other use cases a data dir
whose history names the signed-in user.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from socsec.accounts.model import Role, TokenInfo, User

if TYPE_CHECKING:
    from socsec.accounts.store import AccountStore, NewSession, Session
    from socsec.workspace import Workspace


@contextmanager
def accounts(ws: Workspace) -> Iterator[AccountStore]:
    """The accounts store of ``ws`` (created on first use), closed when the block ends."""
    from socsec.accounts.store import AccountStore

    store = AccountStore.open(ws.accounts_db)
    try:
        yield store
    finally:
        store.close()


def acting_as(ws: Workspace, who: str) -> Workspace:
    """``ws`` with ``who`` as the user every history entry of its writes names."""
    values = {**ws.settings.values, "user": who}
    return ws._replace(settings=ws.settings._replace(values=values))


def add_user(ws: Workspace, name: str, password: str, role: Role = Role.reader) -> User:
    """Add a user (see :meth:`AccountStore.add_user`)."""
    with accounts(ws) as store:
        return store.add_user(name, password, role)


def set_password(ws: Workspace, name: str, password: str) -> None:
    """Change a user's password; their browser sessions end."""
    with accounts(ws) as store:
        store.set_password(name, password)


def set_role(ws: Workspace, name: str, role: Role) -> User:
    """Change a user's role."""
    with accounts(ws) as store:
        return store.set_role(name, role)


def remove_user(ws: Workspace, name: str) -> User:
    """Remove a user with their tokens and sessions."""
    with accounts(ws) as store:
        return store.remove_user(name)


def list_users(ws: Workspace) -> list[User]:
    """Every user, by name."""
    with accounts(ws) as store:
        return store.users()


def create_token(ws: Workspace, user: str, name: str) -> tuple[TokenInfo, str]:
    """A new API token for ``user``: its description and the token itself (show it once)."""
    with accounts(ws) as store:
        return store.create_token(user, name)


def list_tokens(ws: Workspace, user: str | None = None) -> list[TokenInfo]:
    """API tokens (of ``user``, or everyone's)."""
    with accounts(ws) as store:
        return store.tokens(user)


def revoke_token(ws: Workspace, token_id: int, *, user: str | None = None) -> TokenInfo:
    """Revoke an API token (only ``user``'s own when given)."""
    with accounts(ws) as store:
        return store.revoke_token(token_id, user=user)


def sign_in(ws: Workspace, name: str, password: str, *, address: str | None) -> NewSession:
    """Check a password (throttled per user and address) and open a browser session."""
    with accounts(ws) as store:
        user = store.authenticate(name, password, address=address)
        return store.open_session(user, seconds=session_seconds(ws))


def sign_out(ws: Workspace, secret: str) -> None:
    """End the browser session whose cookie holds ``secret``."""
    with accounts(ws) as store:
        store.close_session(secret)


def session(ws: Workspace, secret: str) -> Session | None:
    """The live session of a cookie (None: unknown, ended or expired)."""
    if not ws.accounts_db.exists():
        return None
    with accounts(ws) as store:
        return store.session(secret)


def token_user(ws: Workspace, token: str) -> User:
    """The owner of a valid API token.

    Raises:
        AuthenticationFailed: unknown or revoked token.
    """
    from socsec.errors import AuthenticationFailed

    if not ws.accounts_db.exists():
        raise AuthenticationFailed("invalid API token")
    with accounts(ws) as store:
        return store.user_for_token(token)


def session_seconds(ws: Workspace) -> int:
    """How long a browser session lasts (setting ``web.session_hours``)."""
    return int(float(ws.settings.get("web.session_hours") or "12") * 3600)
