"""Study results in DuckDB: a named study's windows, diagnostics and statistics, replaced as a whole.

One transaction deletes the study's previous rows from every table and inserts the new ones: a rerun
with the same name leaves exactly one copy, and a failure leaves the previous results untouched.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
from policywatch.warehouse.db import transaction

__all__ = ["STUDY_TABLES", "replace_study"]

STUDY_TABLES = ("event_returns", "event_diagnostics", "study_results", "study_runs")

_SCHEMAS = {
    "event_returns": pa.schema(
        [
            ("study", pa.string()),
            ("event_id", pa.string()),
            ("rel_day", pa.int32()),
            ("date", pa.date32()),
            ("ret", pa.float64()),
            ("benchmark_ret", pa.float64()),
            ("abnormal_ret", pa.float64()),
            ("standardized_ar", pa.float64()),
            ("span", pa.int32()),
            ("limit_flag", pa.int8()),
            ("price_source", pa.string()),
        ]
    ),
    "event_diagnostics": pa.schema(
        [
            ("study", pa.string()),
            ("event_id", pa.string()),
            ("status", pa.string()),
            ("reason", pa.string()),
            ("n_estimation", pa.int32()),
            ("alpha", pa.float64()),
            ("beta", pa.float64()),
            ("sigma", pa.float64()),
            ("car", pa.float64()),
            ("n_limit_days", pa.int32()),
            ("price_source", pa.string()),
        ]
    ),
    "study_results": pa.schema(
        [
            ("study", pa.string()),
            ("group_type", pa.string()),
            ("group_id", pa.string()),
            ("car_window", pa.string()),
            ("rel_day", pa.int32()),
            ("statistic", pa.string()),
            ("value", pa.float64()),
            ("p_value", pa.float64()),
            ("n", pa.int32()),
            ("note", pa.string()),
        ]
    ),
}


def _table(name: str, study: str, columns: Mapping[str, Any] | None) -> pa.Table:
    schema = _SCHEMAS[name]
    if columns is None:
        return schema.empty_table()
    length = len(next(iter(columns.values())))
    arrays = []
    for column in schema:
        if column.name == "study":
            arrays.append(pa.array([study] * length, type=pa.string()))
            continue
        values = columns[column.name]
        if isinstance(values, np.ndarray) and values.dtype.kind == "f":
            arrays.append(pa.array(values, type=column.type, from_pandas=True))  # NaN → NULL
        elif isinstance(values, np.ndarray) and values.dtype.kind == "M":
            arrays.append(pa.array(values, type=column.type))
        else:
            arrays.append(
                pa.array(list(values) if isinstance(values, np.ndarray) else values, type=column.type, from_pandas=True)
            )
    return pa.Table.from_arrays(arrays, schema=schema)


def replace_study(
    con: duckdb.DuckDBPyConnection,
    study: str,
    *,
    params: Mapping[str, Any],
    price_sources: Sequence[str],
    n_events: int,
    n_kept: int,
    run_id: str | None,
    event_returns: Mapping[str, Any] | None,
    diagnostics: Mapping[str, Any] | None,
    results: Mapping[str, Any] | None,
) -> None:
    """Replace everything stored under ``study`` (columns as numpy arrays or lists, NaN = NULL; None = no
    rows, e.g. a study that has no events any more)."""
    tables = {
        "event_returns": _table("event_returns", study, event_returns),
        "event_diagnostics": _table("event_diagnostics", study, diagnostics),
        "study_results": _table("study_results", study, results),
    }
    with transaction(con):
        for name in STUDY_TABLES:
            con.execute(f"DELETE FROM {name} WHERE study = ?", [study])
        for name, table in tables.items():
            view = f"_study_{name}"
            con.register(view, table)
            try:
                con.execute(f"INSERT INTO {name} SELECT * FROM {view}")
            finally:
                con.unregister(view)
        con.execute(
            "INSERT INTO study_runs VALUES (?, ?, ?, ?, ?, ?, ?)",
            [study, json.dumps(params, default=str), list(price_sources), n_events, n_kept, run_id, datetime.now(UTC)],
        )
