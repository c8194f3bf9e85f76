"""The review page over the bundled data: confirm and reject automatic subjects, then
suggestions, through the same application functions as `socsec bib review`.

Real data dir (bundled sample with automatic subjects on NBER papers), real sessions through
the sign-in form, the index checked with `socsec index status --check` after the writes.
"""

from __future__ import annotations

from collections.abc import Iterator
from html import unescape
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from socsec.app import records
from socsec.bibliography.store import get_store
from socsec.cli.app import app as cli_app
from socsec.config import Settings
from socsec.web.app import create_app
from socsec.workspace import Workspace
from tests.web.accounts import add_user, sign_in
from tests.web.test_editing import hidden, review_items
from tests.web.test_pages_i18n import HTML, _english_fragments, _english_left


def _ws(root: Path) -> Workspace:
    ws = Workspace(root=root, settings=Settings.load(data_dir=root, env={}))
    add_user(ws, "ed", "editor")
    return ws


@pytest.fixture
def ws(bundled_data_dir: Path) -> Workspace:
    """The bundled data dir (sqlite backend) with an editor."""
    return _ws(bundled_data_dir)


@pytest.fixture
def client(ws: Workspace) -> Iterator[TestClient]:
    with TestClient(create_app(ws), raise_server_exceptions=False) as c:
        yield c


def _subjects(ws: Workspace, rid: str) -> tuple[dict[str, str], set[str]]:
    with get_store(ws) as store:
        kinds = {s.uri: s.provenance for s in store.get(rid).subjects}
        return kinds, store.rejected([rid]).get(rid, set())


def test_confirm_and_reject_automatic_subjects_on_the_page(indexed_data_dir: Path) -> None:
    ws = _ws(indexed_data_dir)
    with TestClient(create_app(ws), raise_server_exceptions=False) as client:
        anonymous = client.get("/review", follow_redirects=False)
        assert anonymous.status_code == 303
        with get_store(ws) as store:
            first_id = store.ids_with_automatic()[0]
            titles = {i: store.get(i).title for i in store.ids_with_automatic()[:10]}
        assert client.post(f"/review/{first_id}", data={"action": "reject"}).status_code == 401
        csrf = sign_in(client, "ed")
        page = client.get("/review")
        assert page.status_code == 200
        assert "Automatic subjects to confirm" in page.text and "Confirm ticked" in page.text
        items = [(unquote(rid), uris, form) for rid, uris, form in review_items(page.text)]
        assert [i[0] for i in items] == list(titles)
        assert all(t in unescape(page.text) for t in titles.values())
        assert 'name="uri" value="' in items[0][2] and " checked>" in items[0][2]
        assert "assigned automatically (ensemble)" in page.text
        # A later page, from the first record holding two automatic subjects.
        with get_store(ws) as store:
            automatic = store.ids_with_automatic()
            k = next(
                n
                for n, i in enumerate(automatic)
                if sum(s.provenance == "automatic" for s in store.get(i).subjects) >= 2
            )
        after = f"confirm:{automatic[k - 1]}"
        later_page = client.get(f"/review?after={quote(after)}")
        items = [(unquote(r), u, f) for r, u, f in review_items(later_page.text)]
        (rid, uris, form), (rid2, uris2, form2) = items[:2]
        assert (rid, rid2) == (automatic[k], automatic[k + 1]) and len(uris) >= 2
        # Confirm the first automatic subject of a record (the others unticked: rejected).
        resp = client.post(
            f"/review/{quote(rid)}",
            data={"csrf_token": csrf, "etag": hidden(form, "etag"), "shown": uris,
                  "uri": uris[:1], "action": "accept", "after": after},
            follow_redirects=False,
        )  # fmt: skip
        assert resp.status_code == 303 and "done=accepted" in resp.headers["location"]
        assert resp.headers["location"].startswith(f"/review?after={quote(after, safe='')}&")
        kinds, rejected = _subjects(ws, rid)
        assert kinds[uris[0]] == "accepted" and rejected == set(uris[1:])
        assert not set(uris[1:]) & set(kinds)
        # Reject all of another record's automatic subjects.
        resp = client.post(
            f"/review/{quote(rid2)}",
            data={"csrf_token": csrf, "etag": hidden(form2, "etag"), "shown": uris2,
                  "uri": uris2, "action": "reject"},
            follow_redirects=False,
        )  # fmt: skip
        assert resp.status_code == 303 and "done=rejected" in resp.headers["location"]
        kinds2, rejected2 = _subjects(ws, rid2)
        assert rejected2 == set(uris2) and not set(uris2) & set(kinds2)
        again = client.get(f"/review?after={quote(after)}").text
        later = {unquote(r): u for r, u, _f in review_items(again)}
        assert rid2 not in later and not set(later.get(rid, [])) & set(uris)
    check = CliRunner().invoke(cli_app, ["--data-dir", str(indexed_data_dir), "index", "status",
                                         "--check"])  # fmt: skip
    assert check.exit_code == 0, check.stderr


def test_stale_or_versionless_verdicts_write_nothing(client: TestClient, ws: Workspace) -> None:
    csrf = sign_in(client, "ed")
    rid, uris, form = review_items(client.get("/review").text)[0]
    rid = unquote(rid)
    data = {"csrf_token": csrf, "shown": uris, "action": "reject"}
    assert client.post(f"/review/{quote(rid)}", data=data).status_code == 428
    records.edit(ws, rid, {"notes": "checked by hand"})  # another editor, meanwhile
    resp = client.post(
        f"/review/{quote(rid)}?lang=fr", data={**data, "etag": hidden(form, "etag")},
        follow_redirects=False,
    )  # fmt: skip
    assert resp.status_code == 303 and "done=stale" in resp.headers["location"]
    kinds, rejected = _subjects(ws, rid)
    assert set(uris) <= set(kinds) and not rejected
    shown = client.get(resp.headers["location"])
    assert "La notice a été modifiée pendant votre révision" in shown.text


def test_accept_all_and_the_suggestions_part_with_one_model_load(
    client: TestClient, ws: Workspace, model_loads: list[Path]
) -> None:
    loads = model_loads
    csrf = sign_in(client, "ed")
    page = client.get("/review")
    assert loads == []  # automatic subjects to confirm: no model needed
    picks, versions = _values(page.text, "pick"), _values(page.text, "version")
    assert len(versions) == 10 and picks
    resp = client.post(
        "/review/accept-all", data={"csrf_token": csrf, "pick": picks, "version": versions},
        follow_redirects=False,
    )  # fmt: skip
    assert resp.status_code == 303 and "done=accepted&n=10" in resp.headers["location"]
    for pick in picks:
        rid, _tab, uri = pick.partition("\t")
        assert _subjects(ws, rid)[0][uri] == "accepted"
    # The second part: records without subjects, with suggestions and their evidence.
    suggestions = client.get("/review?after=suggest:")
    assert suggestions.status_code == 200 and len(loads) == 1
    assert "Suggested concepts" in suggestions.text and "Accept ticked" in suggestions.text
    assert "label found in the" in suggestions.text or "similar record" in suggestions.text
    assert " checked>" not in suggestions.text  # suggestions start unticked
    assert 'rel="next" href="/review?after=suggest%3A' in suggestions.text


def _values(page: str, name: str) -> list[str]:
    """The values of the hidden inputs ``name`` of a page, as the browser sends them."""
    import re

    return [unescape(v) for v in re.findall(rf'name="{name}" value="([^"]*)"', page)]


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_review_page_has_no_english_left(client: TestClient, lang: str) -> None:
    english = _english_fragments(lang)
    assert "Automatic subjects to confirm" in english
    sign_in(client, "ed")
    for path in ("/review", "/review?after=suggest:", "/review?done=stale",
                 "/review?done=accepted_but_stale&n=2"):  # fmt: skip
        sep = "&" if "?" in path else "?"
        page = client.get(f"{path}{sep}lang={lang}", headers=HTML)
        assert page.status_code == 200, path
        left = _english_left(page.text, english)
        assert not left, (path, left)


def test_the_json_api_serves_the_same_queue(client: TestClient, ws: Workspace) -> None:
    from tests.web.accounts import token_headers

    assert client.get("/api/review").status_code == 401
    ed = token_headers(ws, "ed")
    first = client.get("/api/review", params={"records": 3, "lang": "fr"}, headers=ed).json()
    with get_store(ws) as store:
        automatic = store.ids_with_automatic()
    assert [i["id"] for i in first["items"]] == automatic[:3]
    item = first["items"][0]
    assert item["kind"] == "confirm" and item["candidates"][0]["automatic"] is True
    assert item["candidates"][0]["label"] == "sécurité sociale"
    second = client.get("/api/review", params={"after": first["next_after"]}, headers=ed).json()
    assert [i["id"] for i in second["items"]] == automatic[3:13]
    uri = item["candidates"][0]["uri"]
    accepted = client.post(
        f"/api/records/{item['id']}/suggestions/accept",
        json={"uris": [uri]},
        headers={**ed, "If-Match": item["etag"]},
    )
    assert accepted.status_code == 200, accepted.text
    assert _subjects(ws, item["id"])[0][uri] == "accepted"
    stale = client.post(
        f"/api/records/{item['id']}/suggestions/reject",
        json={"uris": [uri]},
        headers={**ed, "If-Match": item["etag"]},
    )
    assert stale.status_code == 412
