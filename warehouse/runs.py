"""The ``runs`` and ``skips`` tables: what each command did, and every input it could not use, with why."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import duckdb

__all__ = ["finish_run", "record_skip", "start_run"]


def start_run(con: duckdb.DuckDBPyConnection, command: str, args: dict[str, Any] | None = None) -> str:
    run_id = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    con.execute(
        "INSERT INTO runs (run_id, command, args, started_at, status) VALUES (?, ?, ?, ?, 'running')",
        [run_id, command, json.dumps(args or {}, ensure_ascii=False, default=str), datetime.now(UTC)],
    )
    return run_id


def record_skip(con: duckdb.DuckDBPyConnection, run_id: str, item: str, reason: str, message: str) -> None:
    con.execute(
        "INSERT INTO skips (run_id, item, reason, message, recorded_at) VALUES (?, ?, ?, ?, ?)",
        [run_id, item, reason, message, datetime.now(UTC)],
    )


def finish_run(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    status: str,
    counts: dict[str, Any] | None = None,
    message: str | None = None,
) -> None:
    con.execute(
        "UPDATE runs SET finished_at = ?, status = ?, counts = ?, message = ? WHERE run_id = ?",
        [datetime.now(UTC), status, json.dumps(counts or {}, ensure_ascii=False), message, run_id],
    )
