"""Shared fixtures: the real sample articles, the full-page fixtures, and a fresh settings object per test."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from policywatch.config import DatabaseSettings, Settings
from tests.integration_guard import pytest_runtest_setup, pytest_runtest_teardown  # noqa: F401 (hooks)

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "policywatch" / "data" / "samples" / "sina"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PAGES = FIXTURES / "sina" / "pages"


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLES


@pytest.fixture(scope="session")
def pages_dir() -> Path:
    return PAGES


def sample_path(prefix: str) -> Path:
    """The sample archive post whose file name starts with ``prefix`` (``"00_"``)."""
    (path,) = SAMPLES.glob(f"{prefix}*.md")
    return path


def query(settings: Settings, sql: str, params: Sequence[object] = ()) -> list[tuple]:
    """Rows of ``sql`` from the test's warehouse, read-only."""
    from policywatch.warehouse.store import open_reader

    con = open_reader(settings.db.path)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="session")
def linking_context():
    """The bundled securities master, lexicon, themes and boards (loaded once: about a second)."""
    from policywatch.reference import load_linking_context

    return load_linking_context()


@pytest.fixture
def down():
    """A local port nothing listens on (a connection is refused), held so that no other process takes it and a
    receiver can come up on it later: ``webhook_server(port=down)``."""
    from tests.servers import closed_port

    with closed_port() as port:
        yield port


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(db=DatabaseSettings(path=tmp_path / "pw.duckdb", lock_timeout_s=0))


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's config or database by accident."""
    for name in ("POLICYWATCH_DB", "POLICYWATCH_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
