"""Bulk inserts through Arrow: DuckDB ingests a whole batch in one statement instead of row by row."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import duckdb
import pyarrow as pa

__all__ = ["insert_rows"]


def insert_rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    schema: pa.Schema,
    rows: Iterable[Mapping[str, Any]],
    *,
    replace: bool = False,
) -> int:
    """Insert ``rows`` (dicts keyed by column) into ``table``; columns not in ``schema`` keep their defaults."""
    rows = list(rows)
    if not rows:
        return 0
    columns = {name: [row.get(name) for row in rows] for name in schema.names}
    batch = pa.table(columns, schema=schema)
    view = f"_batch_{table}"
    con.register(view, batch)
    try:
        verb = "INSERT OR REPLACE" if replace else "INSERT"
        names = ", ".join(schema.names)
        con.execute(f"{verb} INTO {table} ({names}) SELECT {names} FROM {view}")
    finally:
        con.unregister(view)
    return len(rows)
