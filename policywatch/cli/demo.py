"""``policywatch demo``: the offline end-to-end run on the bundled sample articles."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from policywatch.cli.common import AppState, console, guarded

__all__ = ["register"]


def demo(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option(help="Folder for the demo's database and outputs.")] = Path("data/demo"),
) -> None:
    """Run the pipeline end to end, offline, on the bundled sample articles into an embedded DuckDB file.

    The database is OUT/policywatch.duckdb unless --db (or POLICYWATCH_DB) names another; --config applies.

    Example: policywatch demo --out /tmp/pw-demo
    """
    from policywatch.steps.demo import run_demo

    explicit_db = (ctx.parent.params.get("db") if ctx.parent else None) or os.environ.get("POLICYWATCH_DB")
    summary = run_demo(
        out,
        base_settings=ctx.ensure_object(AppState).settings,
        console=console,
        database=Path(explicit_db) if explicit_db else None,
    )
    console.print(summary, highlight=False, markup=False, soft_wrap=True)  # paths stay whole


def register(app: typer.Typer) -> None:
    app.command()(guarded(demo))
