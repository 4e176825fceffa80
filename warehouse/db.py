"""Opening the DuckDB file: one writer at a time, readers read-only, a held lock is a clear TransientError."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from policywatch.transforms.errors import ConfigError, DatabaseLockedError

__all__ = ["connect", "transaction"]

_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")


def _is_lock_error(exc: duckdb.Error) -> bool:
    text = str(exc)
    return "Could not set lock" in text or "Conflicting lock" in text


def connect(
    path: str | Path, *, read_only: bool = False, lock_timeout: float = 0.0, external_access: bool = True
) -> duckdb.DuckDBPyConnection:
    """Open the database; wait up to ``lock_timeout`` seconds for another process's lock to go away.

    Raises DatabaseLockedError (retryable) when the lock is still held, ConfigError when a read-only open
    names a file that does not exist.
    """
    path = Path(path)
    if str(path) != ":memory:":
        if read_only and not path.exists():
            raise ConfigError(f"no database at {path}: run an import or the pipeline first, or pass --db")
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + lock_timeout
    delay = 0.2
    while True:
        try:
            config = {} if external_access else {"enable_external_access": False}
            return duckdb.connect(str(path), read_only=read_only, config=config)
        except duckdb.IOException as exc:
            if not _is_lock_error(exc):
                raise
            if time.monotonic() >= deadline:
                holder = _LOCK_HOLDER.search(str(exc))
                who = f" by PID {holder['pid']} ({holder['program']})" if holder else ""
                raise DatabaseLockedError(
                    f"the database {path} is locked{who}; another policywatch step is writing it. "
                    "Retry when it is done (Airflow retries this automatically)."
                ) from None
            time.sleep(delay)
            delay = min(delay * 2, 5.0)


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """BEGIN … COMMIT, or ROLLBACK on any exception: a batch is written whole or not at all."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
