"""The guard behind ``make test-fast``: an unmarked test that starts a process or a server fails, a marked one
does not. Run on a throwaway test file by a pytest of its own, as a developer's new test would be."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.integration

TESTS = '''
import socket
import subprocess
import sys

import pytest


def test_unmarked_starts_a_process():
    subprocess.run([sys.executable, "-c", "pass"], check=True)


def test_unmarked_listens():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)


def test_unmarked_binds_without_listening():  # a refused port for a client to meet: no server
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))


@pytest.mark.integration
def test_marked_starts_a_process():
    subprocess.run([sys.executable, "-c", "pass"], check=True)


@pytest.fixture(scope="module")
def server():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        yield sock


@pytest.mark.integration
def test_marked_uses_a_module_server(server):
    pass


def test_unmarked_uses_the_module_server_already_started(server):
    """Set up before this test: not seen here. Marking every test that needs such a fixture is on the author."""
'''


def test_unmarked_tests_that_start_a_process_or_a_server_fail_and_marked_ones_pass(tmp_path):
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n    integration: starts something\n")
    (tmp_path / "conftest.py").write_text(
        "from tests.integration_guard import pytest_runtest_setup, pytest_runtest_teardown  # noqa: F401\n"
    )
    (tmp_path / "test_sample.py").write_text(textwrap.dedent(TESTS))
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rE", "-p", "no:cacheprovider", "-p", "no:randomly", "test_sample.py"],
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    errors = sorted(line.split(" - ")[0] for line in run.stdout.splitlines() if line.startswith("ERROR "))
    assert errors == [
        "ERROR test_sample.py::test_unmarked_listens",
        "ERROR test_sample.py::test_unmarked_starts_a_process",
    ], run.stdout
    assert "6 passed, 2 errors" in run.stdout  # their calls pass; the guard fails them at teardown
    assert "test_unmarked_starts_a_process started 1 process(es) or server(s) but is not marked 'integration'" in (
        run.stdout
    )
    assert "subprocess.Popen" in run.stdout and "listen on ('127.0.0.1'," in run.stdout
