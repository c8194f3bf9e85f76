"""`socsec user` end to end on a real data dir: exact exit codes, JSON, secrets never echoed."""

from __future__ import annotations

import json
import logging

from typer.testing import CliRunner

from socsec.cli.app import app

runner = CliRunner()
PW = "a long enough passphrase"


def user(data_dir, *args, input=None):
    return runner.invoke(app, ["--data-dir", str(data_dir), "user", *args], input=input)


def test_add_list_role_remove(tmp_path):
    r = user(tmp_path, "add", "alice", "--role", "editor", "--password-stdin", input=PW + "\n")
    assert r.exit_code == 0, r.stderr
    assert PW not in r.stdout + r.stderr
    assert "Added alice (editor)" in r.stderr
    listed = user(tmp_path, "list", "--json")
    assert listed.exit_code == 0
    (row,) = json.loads(listed.stdout)
    assert row["name"] == "alice" and row["role"] == "editor"
    assert user(tmp_path, "role", "alice", "admin").exit_code == 0
    assert json.loads(user(tmp_path, "list", "--json").stdout)[0]["role"] == "admin"
    assert user(tmp_path, "remove", "alice").exit_code == 0
    assert json.loads(user(tmp_path, "list", "--json").stdout) == []


def test_exit_codes(tmp_path):
    assert user(tmp_path, "add", "bob", "--password-stdin", input="short\n").exit_code == 5
    # No terminal to prompt on and no --password-stdin: a usage error, nothing read.
    assert user(tmp_path, "add", "bob", input=PW + "\n").exit_code == 2
    assert user(tmp_path, "add", "bob", "--role", "root", "--password-stdin").exit_code == 2
    assert user(tmp_path, "add", "bob", "--password-stdin", input=PW + "\n").exit_code == 0
    assert user(tmp_path, "add", "BOB", "--password-stdin", input=PW + "\n").exit_code == 5
    assert user(tmp_path, "passwd", "nobody", "--password-stdin", input=PW + "\n").exit_code == 4
    assert user(tmp_path, "remove", "nobody").exit_code == 4
    assert user(tmp_path, "token", "revoke", "99").exit_code == 4
    assert user(tmp_path, "token", "create", "nobody").exit_code == 4


def test_token_shown_once_then_listed_without_it(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    user(tmp_path, "add", "alice", "--role", "editor", "--password-stdin", input=PW + "\n")
    made = user(tmp_path, "token", "create", "alice", "--name", "harvest", "--json")
    assert made.exit_code == 0
    token = json.loads(made.stdout)["token"]
    assert token.startswith("socsec_")
    plain = user(tmp_path, "token", "create", "alice", "--name", "second")
    assert plain.stdout.strip().startswith("socsec_") and "shown once" in plain.stderr
    listed = user(tmp_path, "token", "list", "--json")
    assert listed.exit_code == 0
    rows = json.loads(listed.stdout)
    assert [r["name"] for r in rows] == ["harvest", "second"]
    assert token not in listed.stdout and "token" not in rows[0]
    assert user(tmp_path, "token", "revoke", str(rows[0]["id"])).exit_code == 0
    assert json.loads(user(tmp_path, "token", "list", "alice", "--json").stdout)[0]["revoked"]
    assert PW not in caplog.text and token not in caplog.text
