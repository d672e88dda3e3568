"""The web server of `annotator serve`, over real HTTP: 403 without a valid token, what a token opens, revocation.

Needs the `serve` extra (aiohttp, textual-serve); skipped without it. Sessions (the websocket and
the app process behind it) are tested against a running server in tests/e2e/test_serve_browser.py.
"""

from __future__ import annotations

import shlex
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

pytest.importorskip("aiohttp", reason="annotator serve needs the serve extra: pip install '.[serve]'")
pytest.importorskip("textual_serve", reason="annotator serve needs the serve extra: pip install '.[serve]'")

from aiohttp.test_utils import TestClient, TestServer

from annotator.core.errors import InputError
from annotator.serve.access import Access, Grant, issue_links, new_token
from annotator.serve.server import LinkServer, base_url, is_loopback, listen, session_command

ALICE = Grant("alice", ("annotate", "news.txt"))


@asynccontextmanager
async def served(access: Access) -> AsyncIterator[tuple[TestClient, list[str]]]:
    log: list[str] = []
    client = TestClient(TestServer(LinkServer(access, log.append).make_app()))
    await client.start_server()
    try:
        yield client, log
    finally:
        await client.close()


async def test_every_address_without_a_valid_token_is_forbidden() -> None:
    token = new_token()
    async with served(Access([ALICE], tokens={token: "alice"})) as (client, log):
        for path in ["/", "/favicon.ico", f"/{new_token()}/", f"/{token[:-2]}/ws", f"/{new_token()}/static/textual.js",
                     "/static/js/textual.js", "/download/x", f"/x/{token}/"]:
            response = await client.get(path)
            assert response.status == 403, path
            assert "needs a valid annotator link" in await response.text()
            assert response.headers["Referrer-Policy"] == "no-referrer"
        response = await client.get(f"/{new_token()}/ws", headers={"Upgrade": "websocket", "Connection": "Upgrade",
                                                                 "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
                                                                 "Sec-WebSocket-Version": "13"})
        assert response.status == 403
    assert len(log) == 9 and all(line == "refused a request from 127.0.0.1: no valid link" for line in log)


async def test_a_token_opens_its_page_and_the_two_browser_files_only() -> None:
    token = new_token()
    async with served(Access([Grant("<b>ob", ("annotate",))], tokens={token: "<b>ob"})) as (client, _):
        response = await client.get(f"/{token}/")
        assert response.status == 200
        page = await response.text()
        assert "<title>annotator · &lt;b&gt;ob</title>" in page
        assert 'src="static/textual.js"' in page and "googleapis" not in page
        assert response.headers["Cache-Control"] == "no-store"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        redirect = await client.get(f"/{token}", allow_redirects=False)
        assert redirect.status == 302 and redirect.headers["Location"] == f"{token}/"
        for asset in ("textual.js", "xterm.css"):
            assert (await client.get(f"/{token}/static/{asset}")).status == 200
        for path in ("static/app_service.py", "static/../server.py", "download/x", "elsewhere"):
            assert (await client.get(f"/{token}/{path}")).status == 404, path


async def test_rewriting_the_links_file_refuses_a_link_at_once_and_logs_no_token(tmp_path: Path) -> None:
    links_file = tmp_path / "links.txt"
    links, _ = issue_links(links_file, ["alice", "bob"], "http://127.0.0.1:8000/")
    alice, bob = (links[name].rstrip("/").rsplit("/", 1)[-1] for name in ("alice", "bob"))
    access = Access([ALICE, Grant("bob", ("annotate",))], links_file=links_file)
    async with served(access) as (client, log):
        assert (await client.get(f"/{alice}/")).status == 200
        links_file.write_text(f"alice revoked\nbob {links['bob']}\n", encoding="utf-8")
        assert (await client.get(f"/{alice}/")).status == 403
        assert (await client.get(f"/{bob}/")).status == 200
    assert log and not any(alice in line or bob in line for line in log)


def test_the_session_command_quotes_every_argument_for_the_shell() -> None:
    grant = Grant("x;rm", ("annotate", "a b.txt", "$(touch pwned)", "--annotator", "x;rm"))
    assert shlex.split(session_command(grant)) == [
        sys.executable, "-m", "annotator.serve.session", "annotate", "a b.txt", "$(touch pwned)", "--annotator", "x;rm"]


def test_only_loopback_addresses_count_as_this_machine_only() -> None:
    assert all(map(is_loopback, ["127.0.0.1", "127.1.2.3", "::1", "localhost"]))
    assert not any(map(is_loopback, ["0.0.0.0", "::", "192.168.1.20", "annotate.example.org"]))


def test_listen_refuses_a_port_in_use_and_reports_the_port_it_got() -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    try:
        port = taken.getsockname()[1]
        with pytest.raises(InputError, match=rf"port {port} on 127\.0\.0\.1 is in use .*--port 0 for any free one"):
            listen("127.0.0.1", port)
    finally:
        taken.close()
    listener = listen("127.0.0.1", 0)
    try:
        assert base_url(listener, "127.0.0.1") == f"http://127.0.0.1:{listener.getsockname()[1]}/"
    finally:
        listener.close()
    with pytest.raises(InputError, match=r"--host no-such-host\.invalid: cannot listen there"):
        listen("no-such-host.invalid", 0)
