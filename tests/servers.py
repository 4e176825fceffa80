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

__all__ = ["free_port", "smtp_server", "webhook_server"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
    box = Mailbox(free_port())
    controller = Controller(_Collector(box), hostname="127.0.0.1", port=box.port)
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
    port: int | None = None, on_post: Callable[[str, dict], int | None] | None = None
) -> Iterator[Hooks]:
    """``on_post(path, body)`` runs before the answer (it may block) and may return the status (default 200)."""
    hooks = Hooks(port or free_port())

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

    server = ThreadingHTTPServer(("127.0.0.1", hooks.port), Handler)
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
