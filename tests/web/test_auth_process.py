"""A real ``socsec serve --workers 2``: sessions, tokens and sign-in throttling hold across
worker processes, and the server's own output (access log included) never shows a password,
a token or a session id.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

from socsec.app import accounts
from tests.web.accounts import PASSWORD, add_user
from tests.web.conftest import served_workspace


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _call(opener, url, *, data=None, headers=None, method=None):
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with opener.open(req, timeout=30) as resp:
            return resp.status, resp.read().decode(), dict(resp.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(), dict(exc.headers)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_two_workers_share_sessions_tokens_and_throttling_and_log_no_secret(
    tmp_path: Path, _workspace_template: Path
) -> None:
    ws = served_workspace(tmp_path / "data", _workspace_template)
    add_user(ws, "ed", "editor")
    _info, token = accounts.create_token(ws, "ed", "script")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOCSEC_")}
    cmd = [sys.executable, "-m", "socsec", "--data-dir", str(ws.root), "serve", "--port", str(port),
           "--workers", "2"]  # fmt: skip
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    base = f"http://127.0.0.1:{port}"
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    plain = urllib.request.build_opener(_NoRedirect)
    try:
        for _ in range(300):
            try:
                if _call(plain, f"{base}/api/health")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        else:
            raise AssertionError("server did not start")
        status, page, _h = _call(browser, f"{base}/signin")
        assert status == 200
        signin_token = re.search(r'name="signin_token" value="([^"]+)"', page).group(1)
        form = urlencode(
            {"name": "ed", "password": PASSWORD, "signin_token": signin_token, "next": "/"}
        ).encode()
        status, _body, headers = _call(browser, f"{base}/signin", data=form)
        assert status == 303, _body[:200]
        secret = next(c.value for c in jar if c.name == "socsec_session")
        # Many requests over new connections (the workers share them out): all know both.
        for _ in range(20):
            status, body, _h = _call(browser, f"{base}/api/me")
            assert status == 200 and json.loads(body)["via"] == "session"
            status, body, _h = _call(
                plain, f"{base}/api/me", headers={"Authorization": f"Bearer {token}"}
            )
            assert status == 200 and json.loads(body)["name"] == "ed"
        csrf = json.loads(_call(browser, f"{base}/api/me")[1])["csrf_token"]
        status, body, headers = _call(browser, f"{base}/api/records/nber-w0910")
        etag = headers["etag"]
        change = json.dumps({"notes": "checked"}).encode()
        write_headers = {"Content-Type": "application/json", "If-Match": etag, "X-CSRF-Token": csrf}
        status, body, _h = _call(
            browser,
            f"{base}/api/records/nber-w0910",
            data=change,
            headers=write_headers,
            method="PATCH",
        )
        assert status == 200, body
        status, body, _h = _call(
            browser,
            f"{base}/api/records/nber-w0910",
            data=change,
            headers=write_headers,
            method="PATCH",
        )
        assert status == 412  # the second write from the same version, on any worker
        # Throttling is shared: five failures (spread over the workers), then refused.
        codes = []
        for _ in range(6):
            fresh = urllib.request.build_opener(
                urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect
            )
            status, page, _h = _call(fresh, f"{base}/signin")
            tok = re.search(r'name="signin_token" value="([^"]+)"', page).group(1)
            bad = urlencode({"name": "ed", "password": "wrong password!", "signin_token": tok})
            codes.append(_call(fresh, f"{base}/signin", data=bad.encode())[0])
        assert codes == [401] * 5 + [429], codes
    finally:
        proc.terminate()
        output, _ = proc.communicate(timeout=60)
    assert '"GET /api/me HTTP/1.1" 200' in output  # the access log was on
    assert "PATCH /api/records/nber-w0910" in output
    for secret_text in (PASSWORD, token, secret, csrf):
        assert secret_text not in output
