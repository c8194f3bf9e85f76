"""The accounts store on a real SQLite file: hashes only, roles, tokens, sessions, throttling."""

from __future__ import annotations

import sqlite3
import stat
import time

import pytest

from socsec.accounts.model import Role
from socsec.accounts.store import MAX_FAILURES_PER_USER, WINDOW, AccountStore
from socsec.errors import AuthenticationFailed, InputDataError, NotFoundError, TooManyAttempts

PW = "a long enough passphrase"


@pytest.fixture
def store(tmp_path):
    with AccountStore.open(tmp_path / "accounts.sqlite") as s:
        yield s


def test_file_is_private_wal_and_holds_no_secret_in_clear(tmp_path, store):
    store.add_user("alice", PW, Role.editor)
    _info, token = store.create_token("alice", "harvest")
    new = store.open_session(store.authenticate("alice", PW))
    path = tmp_path / "accounts.sqlite"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("accounts"))
    for secret in (PW, token, new.secret):
        assert secret.encode() not in raw
    assert b"$argon2id$" in raw


def test_roles_order():
    assert Role.admin.allows(Role.editor) and Role.editor.allows(Role.reader)
    assert not Role.reader.allows(Role.editor) and not Role.editor.allows(Role.admin)
    with pytest.raises(InputDataError):
        Role.parse("root")


def test_add_rules(store):
    store.add_user("alice", PW, Role.reader)
    with pytest.raises(InputDataError, match="already exists"):
        store.add_user("ALICE", PW, Role.reader)  # names are case-insensitive
    with pytest.raises(InputDataError, match="at least 10"):
        store.add_user("bob", "short", Role.reader)
    with pytest.raises(InputDataError, match="user name"):
        store.add_user("<script>", PW, Role.reader)
    with pytest.raises(NotFoundError):
        store.get_user("nobody")


def test_authenticate_and_password_change_ends_sessions(store):
    store.add_user("alice", PW, Role.editor)
    user = store.authenticate("alice", PW, address="10.0.0.1")
    assert user.name == "alice" and user.role is Role.editor
    new = store.open_session(user)
    assert store.session(new.secret).user.name == "alice"
    with pytest.raises(AuthenticationFailed):
        store.authenticate("alice", "wrong password!")
    with pytest.raises(AuthenticationFailed):
        store.authenticate("nobody", PW)
    store.set_password("alice", "another long passphrase")
    assert store.session(new.secret) is None
    with pytest.raises(AuthenticationFailed):
        store.authenticate("alice", PW)


def test_expired_and_closed_sessions_are_refused(store):
    user = store.add_user("alice", PW, Role.reader)
    old = store.open_session(user, seconds=-1)
    assert store.session(old.secret) is None
    new = store.open_session(user)
    store.close_session(new.secret)
    assert store.session(new.secret) is None
    assert store.session("") is None and store.session("x" * 500) is None


def test_throttling_per_user_then_per_address(store):
    store.add_user("alice", PW, Role.reader)
    store.add_user("bob", PW, Role.reader)
    for _ in range(MAX_FAILURES_PER_USER):
        with pytest.raises(AuthenticationFailed):
            store.authenticate("alice", "wrong password!", address="10.0.0.1")
    with pytest.raises(TooManyAttempts) as info:
        store.authenticate("alice", PW, address="10.0.0.2")  # right password, still refused
    assert 0 < info.value.retry_after <= WINDOW + 1
    # Another user from another address is not held up by alice's failures...
    assert store.authenticate("bob", PW, address="10.0.0.3").name == "bob"
    # ...but one address guessing across many names is.
    for i in range(20 - MAX_FAILURES_PER_USER):
        with pytest.raises(AuthenticationFailed):
            store.authenticate(f"u{i}", "wrong password!", address="10.0.0.1")
    with pytest.raises(TooManyAttempts):
        store.authenticate("bob", PW, address="10.0.0.1")


def test_throttle_window_moves_on(store):
    store.add_user("alice", PW, Role.reader)
    past = time.time() - WINDOW - 5
    store._conn.executemany(
        "INSERT INTO failed_signins (key, at) VALUES (?, ?)",
        [("user:alice", past)] * (MAX_FAILURES_PER_USER + 3),
    )
    assert store.authenticate("alice", PW).name == "alice"


def test_tokens_hashed_listed_revoked(store):
    store.add_user("alice", PW, Role.editor)
    info, token = store.create_token("alice", "harvest")
    assert token.startswith("socsec_") and len(token) > 40
    assert store.user_for_token(token).name == "alice"
    (listed,) = store.tokens("alice")
    assert listed.name == "harvest" and listed.last_used is not None and listed.revoked is None
    store.revoke_token(info.id)
    with pytest.raises(AuthenticationFailed):
        store.user_for_token(token)
    with pytest.raises(NotFoundError):
        store.revoke_token(info.id + 100)
    with pytest.raises(AuthenticationFailed):
        store.user_for_token("socsec_" + "A" * 43)


def test_remove_user_removes_tokens_and_sessions(store):
    user = store.add_user("alice", PW, Role.admin)
    _info, token = store.create_token("alice", "x")
    new = store.open_session(user)
    store.remove_user("alice")
    assert store.session(new.secret) is None
    with pytest.raises(AuthenticationFailed):
        store.user_for_token(token)
    assert store.tokens() == []
