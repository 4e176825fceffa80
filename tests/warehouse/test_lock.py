"""A second writer meets a clear, retryable error naming the holder, never a crash with partial data."""

from __future__ import annotations

import time

import pytest
from policywatch.transforms.errors import DatabaseLockedError
from policywatch.warehouse.db import connect
from policywatch.warehouse.store import open_reader, open_writer

from tests.servers import database_lock_held


@pytest.fixture
def held_lock(tmp_path):
    path = tmp_path / "locked.duckdb"
    open_writer(path).close()
    with database_lock_held(path) as pid:
        yield path, pid


@pytest.mark.integration
def test_locked_database_is_a_transient_error_naming_the_holder(held_lock):
    path, pid = held_lock
    started = time.monotonic()
    with pytest.raises(DatabaseLockedError, match=f"PID {pid}"):
        connect(path, lock_timeout=0.5)
    assert time.monotonic() - started >= 0.5  # it waited before giving up


@pytest.mark.integration
def test_reader_also_waits_then_fails_clearly(held_lock):
    path, _ = held_lock
    with pytest.raises(DatabaseLockedError):
        open_reader(path, lock_timeout=0)


@pytest.mark.integration
def test_writer_gets_the_lock_once_released(tmp_path):
    path = tmp_path / "released.duckdb"
    open_writer(path).close()
    with database_lock_held(path):
        pass
    open_writer(path, lock_timeout=5).close()


def test_reader_cannot_write(tmp_path):
    path = tmp_path / "db.duckdb"
    open_writer(path).close()
    con = open_reader(path)
    import duckdb

    with pytest.raises(duckdb.Error, match="read-only"):
        con.execute("CREATE TABLE x (a INTEGER)")
    con.close()
