"""The accounts store: ``accounts.sqlite`` (WAL) with users, API tokens, sessions, sign-in attempts.

One connection per use (open, act, close): cheap for SQLite, and safe across the threads and
worker processes of a server. Secrets are stored as hashes only.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from socsec.accounts import passwords
from socsec.accounts.model import Role, TokenInfo, User
from socsec.errors import AuthenticationFailed, InputDataError, NotFoundError, TooManyAttempts

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY COLLATE NOCASE,
    role TEXT NOT NULL CHECK (role IN ('reader', 'editor', 'admin')),
    password_hash TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
    id INTEGER PRIMARY KEY,
    user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
    name TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    created TEXT NOT NULL,
    last_used TEXT,
    revoked TEXT
);
CREATE TABLE IF NOT EXISTS sessions (
    hash TEXT PRIMARY KEY,
    user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    created REAL NOT NULL,
    expires REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user);
CREATE TABLE IF NOT EXISTS failed_signins (
    key TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS failed_signins_key ON failed_signins(key, at);
"""

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
TOKEN_PREFIX = "socsec_"
# Sign-in throttling: failures counted over a sliding window, per user and per client address.
WINDOW = 15 * 60
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_ADDRESS = 20
SESSION_SECONDS = 12 * 3600
LAST_USED_STEP = 60  # seconds: a busy token's last-used time is written at most once a minute


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def check_name(name: str) -> str:
    """``name`` if it is a valid login name (letters, digits, ``._@-``, at most 64).

    Raises:
        InputDataError: otherwise.
    """
    if not NAME.match(name):
        raise InputDataError(
            "a user name has 1 to 64 letters, digits or . _ @ - (starting with a letter or digit)"
        )
    return name


@dataclass(frozen=True)
class Session:
    """A signed-in browser session.

    Attributes:
        user: who is signed in.
        csrf: the synchronizer token every form of this session must send back.
        expires: Unix time after which the session is no longer accepted.
    """

    user: User
    csrf: str
    expires: float


@dataclass(frozen=True)
class NewSession:
    """A session just opened: ``secret`` goes in the cookie, once; only its hash is stored."""

    secret: str
    session: Session


class AccountStore:
    """Users, tokens, sessions and sign-in throttling in one SQLite file.

    Args:
        conn: an open connection (use :meth:`open`).
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    @classmethod
    def open(cls, path: Path) -> AccountStore:
        """Open (creating it readable by its owner only) the store at ``path``."""
        fresh = not path.exists()
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=30, isolation_level=None)
        if fresh:
            os.chmod(path, 0o600)  # password hashes: not for other local users
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=NORMAL")
        if fresh or not _has_schema(conn):
            conn.executescript(SCHEMA)
        return cls(conn)

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def __enter__(self) -> AccountStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # users

    def add_user(self, name: str, password: str, role: Role) -> User:
        """Add a user.

        Raises:
            InputDataError: a bad name, a weak password, or the name is taken.
        """
        check_name(name)
        passwords.check_new(password)
        created = _now_iso()
        try:
            self._conn.execute(
                "INSERT INTO users (name, role, password_hash, created) VALUES (?, ?, ?, ?)",
                (name, role.value, passwords.hash_password(password), created),
            )
        except sqlite3.IntegrityError:
            raise InputDataError(f"user {name!r} already exists") from None
        return User(name, role, created)

    def get_user(self, name: str) -> User:
        """The user called ``name`` (case-insensitive).

        Raises:
            NotFoundError: no such user.
        """
        row = self._conn.execute(
            "SELECT name, role, created FROM users WHERE name = ?", (name,)
        ).fetchone()
        if row is None:
            raise NotFoundError(f"no user {name[:64]!r}", hint="see: socsec user list")
        return User(row[0], Role(row[1]), row[2])

    def users(self) -> list[User]:
        """Every user, by name."""
        rows = self._conn.execute("SELECT name, role, created FROM users ORDER BY name")
        return [User(n, Role(r), c) for n, r, c in rows]

    def set_password(self, name: str, password: str) -> None:
        """Change a password; the user's browser sessions end (tokens stay).

        Raises:
            NotFoundError: no such user.
            InputDataError: a weak password.
        """
        user = self.get_user(name)
        passwords.check_new(password)
        with self._transaction():
            self._conn.execute(
                "UPDATE users SET password_hash = ? WHERE name = ?",
                (passwords.hash_password(password), user.name),
            )
            self._conn.execute("DELETE FROM sessions WHERE user = ?", (user.name,))

    def set_role(self, name: str, role: Role) -> User:
        """Change a user's role; returns the user as changed.

        Raises:
            NotFoundError: no such user.
        """
        user = self.get_user(name)
        self._conn.execute("UPDATE users SET role = ? WHERE name = ?", (role.value, user.name))
        return User(user.name, role, user.created)

    def remove_user(self, name: str) -> User:
        """Remove a user with their tokens and sessions; returns the user as it was.

        Raises:
            NotFoundError: no such user.
        """
        user = self.get_user(name)
        self._conn.execute("DELETE FROM users WHERE name = ?", (user.name,))
        return user

    # sign-in

    def authenticate(self, name: str, password: str, *, address: str | None = None) -> User:
        """The user, when ``password`` is theirs and sign-in is not throttled.

        Failures are counted per user name and per client ``address``; past the limits
        (:data:`MAX_FAILURES_PER_USER`, :data:`MAX_FAILURES_PER_ADDRESS` in :data:`WINDOW`
        seconds) every attempt is refused, even a right one, until the window moves on.

        Raises:
            TooManyAttempts: throttled (with ``retry_after`` seconds).
            AuthenticationFailed: unknown name or wrong password (the message does not say which).
        """
        now = time.time()
        user_key = "user:" + name.casefold()[:64]
        keys = [(user_key, MAX_FAILURES_PER_USER)]
        if address:
            keys.append(("addr:" + address[:64], MAX_FAILURES_PER_ADDRESS))
        for key, limit in keys:
            wait = self._throttled(key, limit, now)
            if wait:
                raise TooManyAttempts("too many failed sign-ins; try again later", retry_after=wait)
        row = self._conn.execute(
            "SELECT name, role, created, password_hash FROM users WHERE name = ?", (name[:64],)
        ).fetchone()
        # An unknown name costs the same hash check as a known one (no timing oracle).
        stored = row[3] if row is not None else passwords.dummy_hash()
        if not passwords.verify(stored, password) or row is None:
            with self._transaction():
                self._conn.execute("DELETE FROM failed_signins WHERE at < ?", (now - WINDOW,))
                self._conn.executemany(
                    "INSERT INTO failed_signins (key, at) VALUES (?, ?)",
                    [(key, now) for key, _limit in keys],
                )
            raise AuthenticationFailed("wrong user name or password")
        self._conn.execute("DELETE FROM failed_signins WHERE key = ?", (user_key,))
        if passwords.needs_rehash(stored):
            self._conn.execute(
                "UPDATE users SET password_hash = ? WHERE name = ?",
                (passwords.hash_password(password), row[0]),
            )
        return User(row[0], Role(row[1]), row[2])

    def _throttled(self, key: str, limit: int, now: float) -> int:
        """Seconds to wait before ``key`` may try again (0: it may now)."""
        rows = self._conn.execute(
            "SELECT at FROM failed_signins WHERE key = ? AND at >= ? ORDER BY at DESC LIMIT ?",
            (key, now - WINDOW, limit),
        ).fetchall()
        if len(rows) < limit:
            return 0
        return max(1, int(rows[-1][0] + WINDOW - now) + 1)

    # sessions

    def open_session(self, user: User, *, seconds: int = SESSION_SECONDS) -> NewSession:
        """Start a browser session for ``user``; the returned secret goes in the cookie."""
        secret = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        now = time.time()
        with self._transaction():
            self._conn.execute("DELETE FROM sessions WHERE expires < ?", (now,))
            self._conn.execute(
                "INSERT INTO sessions (hash, user, csrf, created, expires) VALUES (?, ?, ?, ?, ?)",
                (_digest(secret), user.name, csrf, now, now + seconds),
            )
        return NewSession(secret, Session(user, csrf, now + seconds))

    def session(self, secret: str) -> Session | None:
        """The live session whose cookie holds ``secret`` (None: unknown, ended or expired)."""
        if not secret or len(secret) > 128:
            return None
        row = self._conn.execute(
            "SELECT u.name, u.role, u.created, s.csrf, s.expires FROM sessions s "
            "JOIN users u ON u.name = s.user WHERE s.hash = ?",
            (_digest(secret),),
        ).fetchone()
        if row is None or row[4] < time.time():
            return None
        return Session(User(row[0], Role(row[1]), row[2]), row[3], row[4])

    def close_session(self, secret: str) -> None:
        """End the session whose cookie holds ``secret`` (signing out)."""
        self._conn.execute("DELETE FROM sessions WHERE hash = ?", (_digest(secret),))

    # API tokens

    def create_token(self, user: str, name: str) -> tuple[TokenInfo, str]:
        """A new API token for ``user``: its description, and the token (shown once, never stored).

        Raises:
            NotFoundError: no such user.
            InputDataError: an empty or overlong name.
        """
        owner = self.get_user(user)
        label = name.strip()
        if not label or len(label) > 100:
            raise InputDataError("a token needs a name of 1 to 100 characters")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        created = _now_iso()
        cur = self._conn.execute(
            "INSERT INTO tokens (user, name, hash, created) VALUES (?, ?, ?, ?)",
            (owner.name, label, _digest(token), created),
        )
        assert cur.lastrowid is not None
        return TokenInfo(cur.lastrowid, owner.name, label, created, None, None), token

    def tokens(self, user: str | None = None) -> list[TokenInfo]:
        """The tokens (of ``user``, or everyone's), revoked ones included."""
        sql = "SELECT id, user, name, created, last_used, revoked FROM tokens"
        args: tuple[str, ...] = ()
        if user is not None:
            sql += " WHERE user = ?"
            args = (self.get_user(user).name,)
        return [TokenInfo(*row) for row in self._conn.execute(sql + " ORDER BY id", args)]

    def revoke_token(self, token_id: int, *, user: str | None = None) -> TokenInfo:
        """Revoke a token (of ``user`` when given: someone else's is "not found").

        Raises:
            NotFoundError: no such token.
        """
        row = self._conn.execute(
            "SELECT id, user, name, created, last_used, revoked FROM tokens WHERE id = ?",
            (token_id,),
        ).fetchone()
        if row is None or (user is not None and row[1].casefold() != user.casefold()):
            raise NotFoundError(f"no token {token_id}", hint="see: socsec user token list")
        info = TokenInfo(*row)
        if info.revoked is None:
            when = _now_iso()
            self._conn.execute("UPDATE tokens SET revoked = ? WHERE id = ?", (when, token_id))
            info = TokenInfo(row[0], row[1], row[2], row[3], row[4], when)
        return info

    def user_for_token(self, token: str) -> User:
        """The owner of a valid API token; notes when it was used.

        Raises:
            AuthenticationFailed: unknown or revoked token.
        """
        if not token.startswith(TOKEN_PREFIX) or len(token) > 128:
            raise AuthenticationFailed("invalid API token")
        digest = _digest(token)
        row = self._conn.execute(
            "SELECT t.id, t.hash, u.name, u.role, u.created FROM tokens t "
            "JOIN users u ON u.name = t.user WHERE t.hash = ? AND t.revoked IS NULL",
            (digest,),
        ).fetchone()
        if row is None or not hmac.compare_digest(row[1], digest):
            raise AuthenticationFailed("invalid or revoked API token")
        stale = datetime.fromtimestamp(time.time() - LAST_USED_STEP, UTC)
        self._conn.execute(
            "UPDATE tokens SET last_used = ? WHERE id = ? AND (last_used IS NULL OR last_used < ?)",
            (_now_iso(), row[0], stale.isoformat(timespec="seconds").replace("+00:00", "Z")),
        )
        return User(row[2], Role(row[3]), row[4])

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` on error) on the autocommit
        connection.
        """
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")


def _has_schema(conn: sqlite3.Connection) -> bool:
    row = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'failed_signins'").fetchone()
    return row is not None
