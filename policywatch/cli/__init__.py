"""The ``policywatch`` command line. Each area registers its commands from its own module."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from policywatch.cli import airflow, alerts, articles, crawl, demo, linkage, prices, query, report, show, study
from policywatch.cli.common import AppState, fail
from policywatch.config import load_settings
from transforms.errors import PolicywatchError

__all__ = ["app", "main"]

app = typer.Typer(
    name="policywatch",
    help=(
        "Chinese policy news on Sina Finance, linked to A-share tickers and studied in DuckDB.\n\n"
        "Example: policywatch --db data/policywatch.duckdb articles --limit 5"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


@app.callback()
def _global_options(
    ctx: typer.Context,
    db: Annotated[
        Path | None,
        typer.Option("--db", help="DuckDB file (default from config: data/policywatch.duckdb; env POLICYWATCH_DB)."),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="TOML config file (default ./policywatch.toml if present)."),
    ] = None,
) -> None:
    ctx.obj = AppState(lambda: load_settings(config, db=db))


for module in (articles, show, crawl, linkage, prices, study, alerts, report, query, airflow, demo):
    module.register(app)


def main() -> None:
    try:
        app()
    except PolicywatchError as exc:
        fail(exc)
    sys.exit(0)
