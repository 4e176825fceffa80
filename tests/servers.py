"""Real local servers for tests: an SMTP server (aiosmtpd) and an HTTP webhook receiver."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

__all__ = ["ClosedPort", "closed_port", "smtp_server", "webhook_server"]


class ClosedPort:
    """A local port that is bound and not listening: a connection to it is refused, and no other process can
    take it, so a server started on it later (``webhook_server(port=closed)``) is sure to get it."""

    def __init__(self) -> None:
        self._socket: socket.socket | None = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]

    def url(self, scheme: str = "http", path: str = "/") -> str:
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    def take(self) -> socket.socket:
        """Hand the bound socket over to a server, which then owns (and closes) it."""
        if self._socket is None:
            raise RuntimeError(f"port {self.port} was already handed to a server")
        sock, self._socket = self._socket, None
        return sock

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None


@contextmanager
def closed_port() -> Iterator[ClosedPort]:
    port = ClosedPort()
    try:
        yield port
    finally:
        port.close()


class _Controller(Controller):
    """aiosmtpd's controller on a socket bound to port 0 here, so no other process can take the port between
    choosing it and listening on it."""

    def __init__(self, handler, sock: socket.socket) -> None:
        self._sock = sock
        super().__init__(handler, hostname="127.0.0.1", port=sock.getsockname()[1])

    def _create_server(self):
        return self.loop.create_server(self._factory_invoker, sock=self._sock, ssl=self.ssl_context)


@dataclass
class Mailbox:
    port: int
    messages: list[email.message.EmailMessage] = field(default_factory=list)

    def url(self, to: str = "desk@example.com") -> str:
        return f"mailto://127.0.0.1:{self.port}?from=policywatch@example.com&to={to}"


class _Collector:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_DATA(self, server, session, envelope):
        self.box.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server() -> Iterator[Mailbox]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    box = Mailbox(sock.getsockname()[1])
    controller = _Controller(_Collector(box), sock)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@dataclass
class Hooks:
    port: int
    posts: list[tuple[str, dict]] = field(default_factory=list)

    def url(self, path: str = "/policywatch") -> str:
        return f"json://127.0.0.1:{self.port}{path}"


@contextmanager
def webhook_server(
    port: ClosedPort | None = None, on_post: Callable[[str, dict], int | None] | None = None
) -> Iterator[Hooks]:
    """A receiver on a free port, or on ``port`` (a channel that was down comes up). ``on_post(path, body)``
    runs before the answer (it may block) and may return the status (default 200)."""
    hooks = Hooks(0)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length) or b"{}")
            hooks.posts.append((self.path, body))
            status = (on_post(self.path, body) if on_post else None) or 200
            self.send_response(status)
            self.end_headers()
            self.wfile.write(b"ok" if status < 400 else b"down")

        def log_message(self, *args):  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler, bind_and_activate=False)
    if port is None:
        server.server_bind()
    else:
        server.socket.close()
        server.socket = port.take()
        server.server_address = server.socket.getsockname()
        server.server_name, server.server_port = server.server_address
    server.server_activate()
    hooks.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hooks
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def database_lock_held(path) -> Iterator[int]:
    """Another process holding the DuckDB file open for writing; yields its PID."""
    import subprocess
    import sys

    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(path)!r}); print('ok', flush=True); time.sleep(120)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ok"
        yield holder.pid
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
