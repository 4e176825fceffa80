"""``policywatch sql``: read-only SQL over the warehouse."""

from __future__ import annotations

from typing import Annotated

import typer

from policywatch.cli.common import AppState, OutputFormat, emit_rows, guarded
from policywatch.transforms.errors import InputError

__all__ = ["register"]


def sql(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="A SQL query. The database is opened read-only.")],
    fmt: Annotated[OutputFormat, typer.Option("--format", help="table, csv or json.")] = OutputFormat.table,
) -> None:
    """Run a read-only SQL query against the warehouse and print the result.

    Example: policywatch sql "SELECT code, anchor_text, count(*) FROM stock_links GROUP BY ALL ORDER BY 3 DESC"
    """
    import duckdb

    from policywatch.warehouse.store import open_reader

    settings = ctx.ensure_object(AppState).settings
    # a reader waits for a writer's lock as long as a writer would; no file reads or writes outside the database
    con = open_reader(settings.db.path, lock_timeout=settings.db.lock_timeout_s, external_access=False)
    try:
        try:
            cursor = con.execute(query)
            columns = [d[0] for d in cursor.description or []]
            rows = cursor.fetchall() if columns else []
        except duckdb.Error as exc:
            raise InputError(f"query failed: {exc}", reason="bad_query") from None
    finally:
        con.close()
    emit_rows(columns, rows, fmt)


def register(app: typer.Typer) -> None:
    app.command()(guarded(sql))
