"""Entry points to the warehouse: a migrated writer connection, or a read-only reader."""

from __future__ import annotations

from pathlib import Path

import duckdb
from policywatch.warehouse.db import connect
from policywatch.warehouse.migrate import migrate

__all__ = ["open_reader", "open_writer"]


def open_writer(path: str | Path, *, lock_timeout: float = 0.0) -> duckdb.DuckDBPyConnection:
    """The one writer: waits for the lock up to ``lock_timeout`` s, then brings the schema up to date."""
    con = connect(path, lock_timeout=lock_timeout)
    try:
        migrate(con)
    except BaseException:
        con.close()
        raise
    return con


def open_reader(
    path: str | Path, *, lock_timeout: float = 0.0, external_access: bool = True
) -> duckdb.DuckDBPyConnection:
    """A read-only connection for queries; writes through it fail. ``external_access=False`` also refuses
    reading or writing files outside the database (``COPY … TO``, ``read_csv``) for user-typed SQL."""
    return connect(path, read_only=True, lock_timeout=lock_timeout, external_access=external_access)
