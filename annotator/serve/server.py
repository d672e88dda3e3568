"""The web server: a request without a valid token gets 403; each websocket runs its link's command.

Every address is under a link, `/TOKEN/`: the page (`/TOKEN/`), textual-serve's two browser
files (`/TOKEN/static/...`) and the websocket (`/TOKEN/ws`). A middleware looks the token up
(`Access.grant_for`, which rereads the links file when it changed) before any handler runs,
and every open session is closed within a second once its token stops being valid.

From textual-serve this uses its public `AppService` (one app process per connection, speaking
Textual's web-driver protocol) and its browser script and stylesheet; the server around them is
ours, because its `Server` runs one fixed command for everybody and has no hook to check a
request. The messages relayed from the page (`stdin`, `resize`, `ping`, `blur`, `focus`) are
textual.js's, and one private attribute is read (see `_exited`); pyproject.toml pins
textual-serve to the 1.x series this was written against.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import html
import ipaddress
import json
import shlex
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from string import Template

import textual_serve
from aiohttp import WSCloseCode, WSMsgType, web
from aiohttp.typedefs import Handler
from textual_serve.app_service import AppService
from textual_serve.download_manager import DownloadManager

from annotator.core.errors import InputError
from annotator.serve.access import Access, Grant

STATIC = Path(textual_serve.__file__).resolve().parent / "static"
ASSETS = {"textual.js": STATIC / "js" / "textual.js", "xterm.css": STATIC / "css" / "xterm.css"}
PAGE = Template((Path(__file__).resolve().parent / "page.html").read_text(encoding="utf-8"))
REVOCATION_CHECK_SECONDS = 1.0
EXIT_SECONDS = 10.0  # an app that has not quit this long after being told to is killed (its work is saved)
HEADERS = {
    "Cache-Control": "no-store",  # a page opened with a token is not kept anywhere
    "Referrer-Policy": "no-referrer",  # nor sent on to another site
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'self'; connect-src 'self'; script-src 'self' 'unsafe-inline'; "
                               "style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
}
FORBIDDEN = "403 Forbidden: this address needs a valid annotator link. Ask your project lead for yours.\n"


def session_command(grant: Grant) -> str:
    """The shell command textual-serve starts for one connection (every argument quoted)."""
    return shlex.join([sys.executable, "-m", "annotator.serve.session", *grant.argv])


def _cells(value: str | None, default: int) -> int:
    try:
        return max(10, min(int(value or default), 1000))
    except ValueError:
        return default


class LinkServer:
    """One secret link per person; each connection of a link runs that person's screen."""

    def __init__(self, access: Access, log: Callable[[str], None]) -> None:
        self.access = access
        self.log = log  # never given a token: lines go to the lead's terminal
        self.connections: set[web.WebSocketResponse] = set()
        self.downloads = DownloadManager()

    def make_app(self) -> web.Application:
        app = web.Application(middlewares=[self.check_token])
        app.add_routes([
            web.get("/{token}", self.to_page),
            web.get("/{token}/", self.page),
            web.get("/{token}/static/{asset}", self.asset),
            web.get("/{token}/ws", self.websocket),
        ])
        app.on_response_prepare.append(self.add_headers)
        app.on_shutdown.append(self.close_sessions)
        return app

    def granted(self, request: web.Request) -> Grant:
        """The grant of the request's token (its first path segment); 403 when there is none."""
        token = request.path.split("/", 2)[1]
        grant = self.access.grant_for(token) if token else None
        if grant is None:
            self.log(f"refused a request from {request.remote}: no valid link")
            raise web.HTTPForbidden(text=FORBIDDEN)
        return grant

    @web.middleware
    async def check_token(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Before any route, even a missing one: nothing is answered without a valid token."""
        self.granted(request)
        return await handler(request)

    @staticmethod
    async def add_headers(request: web.Request, response: web.StreamResponse) -> None:
        response.headers.update(HEADERS)

    async def to_page(self, request: web.Request) -> web.StreamResponse:
        """`BASE/TOKEN` -> `BASE/TOKEN/`, relative, so that it also works behind a proxy's path."""
        raise web.HTTPFound(f"{request.match_info['token']}/")

    async def page(self, request: web.Request) -> web.StreamResponse:
        title = html.escape(f"annotator · {self.granted(request).name}")
        return web.Response(text=PAGE.substitute(title=title), content_type="text/html")

    async def asset(self, request: web.Request) -> web.StreamResponse:
        path = ASSETS.get(request.match_info["asset"])
        if path is None:
            raise web.HTTPNotFound()
        return web.FileResponse(path)

    async def websocket(self, request: web.Request) -> web.StreamResponse:
        """Run the link's command for this connection, relaying the page's keys and sizes to it."""
        grant, token = self.granted(request), request.match_info["token"]
        connection = web.WebSocketResponse(heartbeat=15)
        await connection.prepare(request)

        async def close() -> None:  # when the app quits (q)
            await connection.close()

        service = AppService(session_command(grant), write_bytes=connection.send_bytes, write_str=connection.send_str,
                             close=close, download_manager=self.downloads)
        self.connections.add(connection)
        self.log(f"{grant.name}: connected from {request.remote}")
        watcher = asyncio.create_task(self._close_when_revoked(connection, token, grant))
        try:
            await service.start(_cells(request.query.get("width"), 80), _cells(request.query.get("height"), 24))
            await self._relay(connection, service)
        finally:
            watcher.cancel()
            await service.stop()  # the app quits; every change was already saved
            await _exited(service)
            self.connections.discard(connection)
            await connection.close()
            self.log(f"{grant.name}: disconnected")
        return connection

    async def _relay(self, connection: web.WebSocketResponse, service: AppService) -> None:
        async for message in connection:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = json.loads(message.data)
            except ValueError:
                continue
            if not isinstance(envelope, list) or not envelope:
                continue
            kind, data = envelope[0], envelope[1] if len(envelope) > 1 else None
            if kind == "stdin" and isinstance(data, str):
                await service.send_bytes(data.encode("utf-8"))
            elif kind == "resize" and isinstance(data, dict):
                await service.set_terminal_size(_cells(str(data.get("width")), 80), _cells(str(data.get("height")), 24))
            elif kind == "ping":
                await connection.send_json(["pong", data])
            elif kind == "blur":
                await service.blur()
            elif kind == "focus":
                await service.focus()

    async def _close_when_revoked(self, connection: web.WebSocketResponse, token: str, grant: Grant) -> None:
        while not connection.closed:
            await asyncio.sleep(REVOCATION_CHECK_SECONDS)
            if self.access.grant_for(token) != grant:
                self.log(f"{grant.name}: the link was revoked; closing the session")
                await connection.close(code=WSCloseCode.POLICY_VIOLATION, message=b"link revoked")
                return

    async def close_sessions(self, app: web.Application) -> None:
        """On Ctrl+C: close every page's connection, so that each app quits cleanly."""
        for connection in list(self.connections):
            await connection.close(code=WSCloseCode.GOING_AWAY, message=b"server stopped")


async def _exited(service: AppService) -> None:
    """Wait for the app process itself, not only the end of its output (what `AppService.stop` waits for).

    Then "disconnected" means the store is let go of, and no process outlives the server's event
    loop. textual-serve has no public handle on the process, hence its `_process` (pyproject.toml
    pins textual-serve to 1.x for this reason).
    """
    process = service._process
    if process is None:
        return
    try:
        await asyncio.wait_for(process.wait(), EXIT_SECONDS)
    except TimeoutError:
        process.kill()
        await process.wait()


def listen(host: str, port: int) -> socket.socket:
    """Bind the listening socket first, so that a port in use is a plain error before anything else."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    except socket.gaierror as error:
        raise InputError(f"--host {host}: cannot listen there ({error.strerror}). Give an address of this machine.") from None
    listener = socket.socket(family, kind, proto)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind(address)
        listener.listen(128)
    except OSError as error:
        listener.close()
        if error.errno == errno.EADDRINUSE:
            raise InputError(f"port {port} on {host} is in use (another server?). "
                             "Pass another --port, or --port 0 for any free one.") from None
        raise InputError(f"cannot listen on {host} port {port} ({error.strerror}).") from None
    return listener


def is_loopback(host: str) -> bool:
    """Only this machine can reach the address (no warning needed)."""
    if host == "localhost":
        return True
    with contextlib.suppress(ValueError):
        return ipaddress.ip_address(host).is_loopback
    return False


def base_url(listener: socket.socket, host: str) -> str:
    """`http://HOST:PORT/` of the bound socket; a wildcard address is named by this machine's name."""
    port = listener.getsockname()[1]
    if host in ("", "0.0.0.0", "::"):
        host = socket.gethostname()
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def serve(server: LinkServer, listener: socket.socket) -> None:
    """Run until Ctrl+C (or SIGTERM); open sessions are closed first."""
    web.run_app(server.make_app(), sock=listener, print=None, access_log=None, shutdown_timeout=10)
