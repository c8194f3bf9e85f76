"""`socsec serve --workers 2` as real processes: concurrent writers through both workers, and
every acknowledged write is in the store and its history (SQLite in WAL mode, no lost write).
"""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

from socsec.accounts.model import Role
from socsec.app import accounts
from socsec.bibliography.store import BibliographyStore
from socsec.config import Settings
from socsec.workspace import Workspace

WRITERS = 4
WRITES = 6  # per writer: edits of its own record, then a create


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _call(
    port: int, method: str, path: str, body: object = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    data = None if body is None else json.dumps(body).encode()
    conn.request(
        method, path, body=data, headers={"Content-Type": "application/json", **(headers or {})}
    )
    resp = conn.getresponse()
    out = resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    conn.close()
    return out


def test_two_workers_lose_no_concurrent_write(
    bundled_data_dir: Path, start_socsec: Callable[..., subprocess.Popen[str]]
) -> None:
    ws = Workspace(root=bundled_data_dir, settings=Settings.load(data_dir=bundled_data_dir, env={}))
    accounts.add_user(ws, "loader", "a password for the test", Role.editor)
    _info, token = accounts.create_token(ws, "loader", "test")
    auth = {"Authorization": f"Bearer {token}"}
    with BibliographyStore.open(ws.bibliography_db) as store:
        ids = [r.id for r in store.iter_records()][:WRITERS]
        before = store.count()
    port = _port()
    server = start_socsec(bundled_data_dir, "serve", "--port", str(port), "--workers", "2")
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if _call(port, "GET", "/api/health")[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None, server.communicate()[1][-2000:]
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.3)
        results: list[tuple[str, int]] = []
        last: dict[str, str] = {}
        lock = threading.Lock()

        def writer(n: int) -> None:
            rid = ids[n]
            for k in range(WRITES):
                _s, headers, _b = _call(port, "GET", f"/api/records/{rid}")
                notes = f"worker test {n}.{k}"
                status, _h, body = _call(port, "PATCH", f"/api/records/{rid}", {"notes": notes},
                                         {**auth, "If-Match": headers["etag"]})  # fmt: skip
                with lock:
                    results.append(("edit", status))
                    if status == 200:
                        last[rid] = notes
            record = json.loads(_call(port, "GET", f"/api/records/{rid}")[2])
            for key in ("id", "created", "modified", "aliases", "subject_labels"):
                record.pop(key, None)
            status, _h, _b = _call(port, "POST", "/api/records", record, auth)
            with lock:
                results.append(("create", status))

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        server.terminate()
        server.communicate(timeout=60)
    assert sorted(set(results)) == [("create", 201), ("edit", 200)]
    with BibliographyStore.open(ws.bibliography_db) as store:
        assert store.count() == before + WRITERS
        for rid, notes in last.items():
            assert store.get(rid).notes == notes
        changes = [c for c in store.changes() if c.user == "loader"]
    assert len(changes) == WRITERS * (WRITES + 1)
