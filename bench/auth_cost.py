"""What accounts cost: argon2id hashing, and a signed-in request against an anonymous one.

Usage: .venv/bin/python bench/auth_cost.py [--rounds 5] [--requests 200]

In-process (ASGI test client over a temporary data dir from the bundled data), so the figures
are the server's own work without the network. Per round, interleaved: an anonymous term
lookup on an open server (the anchor); the same lookup on a server with closed reading
(``web.anonymous_read = false``: every request's token or session is checked) with a bearer
token and with a session cookie; and GET /api/me with a token (the role dependency). Medians
over rounds of each round's median, and each as a ratio to the anchor of the same run.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path


def _median_ms(call, n: int) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    from fastapi.testclient import TestClient

    from socsec.accounts import passwords
    from socsec.accounts.model import Role
    from socsec.app import accounts
    from socsec.app.setup import open_workspace
    from socsec.config import Settings
    from socsec.web.app import create_app

    pw = "a long enough passphrase"
    stored = passwords.hash_password(pw)
    hash_ms = _median_ms(lambda: passwords.hash_password(pw), 20)
    verify_ms = _median_ms(lambda: passwords.verify(stored, pw), 20)
    print(f"argon2id hash: {hash_ms:.1f} ms, verify: {verify_ms:.1f} ms (median of 20)")

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "data"
        ws = open_workspace(Settings.load(data_dir=root, env={}))
        accounts.add_user(ws, "bench", pw, Role.editor)
        _info, token = accounts.create_token(ws, "bench", "bench")
        session = accounts.sign_in(ws, "bench", pw, address=None)
        bearer = {"Authorization": f"Bearer {token}"}
        closed_ws = ws._replace(
            settings=Settings.load(data_dir=root, env={}, overrides={"web.anonymous_read": "false"})
        )
        lookup = "/api/lookup?q=pension"
        closed_app = create_app(closed_ws)
        with (
            TestClient(create_app(ws)) as client,
            TestClient(closed_app) as closed,
            TestClient(closed_app, cookies={"socsec_session": session.secret}) as cookie_client,
        ):
            probes = {
                "open: anonymous lookup (anchor)": lambda: client.get(lookup),
                "closed: bearer lookup": lambda: closed.get(lookup, headers=bearer),
                "closed: session lookup": lambda: cookie_client.get(lookup),
                "open: bearer /api/me (role check)": lambda: client.get("/api/me", headers=bearer),
            }
            for name, probe in probes.items():
                status = probe().status_code
                assert status == 200, (name, status)  # a refusal would be fast and wrong
            rounds: dict[str, list[float]] = {name: [] for name in probes}
            names = list(probes)
            for r in range(args.rounds):
                # Rotate the order each round: no probe always runs first (or last).
                for name in names[r % len(names) :] + names[: r % len(names)]:
                    rounds[name].append(_median_ms(probes[name], args.requests))
    anchor = statistics.median(rounds["open: anonymous lookup (anchor)"])
    for name, values in rounds.items():
        med = statistics.median(values)
        print(f"{name:34s} {med:7.3f} ms  x{med / anchor:.2f}")


if __name__ == "__main__":
    main()
