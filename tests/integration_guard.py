"""Fails a test that starts a subprocess or listens on a socket without the ``integration`` marker.

``make test-fast`` runs ``-m "not integration"`` and must stay fast; a server or a process slipping into an
unmarked test would make it slow again unnoticed. Processes are seen through the interpreter's audit events
(``subprocess.Popen``, ``os.fork``, ``os.posix_spawn``…, whoever starts them); listening sockets through
``socket.socket.listen`` (asyncio servers, ``http.server``, aiosmtpd all call it), from any thread, since a
server thread may be the one that listens. Each test is watched from the first fixture set up for it (a
module-scoped server fixture counts for the test that first needs it) to its last teardown.
"""

from __future__ import annotations

import socket
import sys

import pytest

__all__ = ["MARKER", "Watch"]

MARKER = "integration"
_SPAWN_EVENTS = frozenset(
    {"subprocess.Popen", "os.fork", "os.forkpty", "os.posix_spawn", "os.exec", "os.spawn", "os.system"}
)


class Watch:
    """What the test being run started; filled from any thread while ``active``."""

    active = False
    seen: list[str] = []  # noqa: RUF012 (one list for the process, on purpose)

    @classmethod
    def note(cls, what: str) -> None:
        if cls.active:
            cls.seen.append(what)


def _audit(event: str, args: tuple) -> None:
    if event in _SPAWN_EVENTS and Watch.active:
        Watch.note(f"{event}: {str(args[:2])[:160]}")


_listen = socket.socket.listen


def _watched_listen(self: socket.socket, *args: int) -> None:
    if Watch.active:
        Watch.note(f"listen on {self.getsockname()}")
    _listen(self, *args)


# an audit hook cannot be removed: it is installed once per process and does nothing while no test is watched
sys.addaudithook(_audit)
socket.socket.listen = _watched_listen  # type: ignore[method-assign]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    Watch.seen.clear()
    Watch.active = item.get_closest_marker(MARKER) is None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    try:
        return (yield)
    finally:
        seen, Watch.active = list(Watch.seen), False
        Watch.seen.clear()
        if seen:
            pytest.fail(
                f"{item.nodeid} started {len(seen)} process(es) or server(s) but is not marked {MARKER!r} "
                f"(pytestmark = pytest.mark.{MARKER} for the module, @pytest.mark.{MARKER} for the test): "
                + "; ".join(seen[:3]),
                pytrace=False,
            )
