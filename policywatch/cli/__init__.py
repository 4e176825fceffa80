"""The ``policywatch`` command line. Each area registers its commands from its own module."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import click
import typer
from typer.core import TyperGroup

from policywatch.cli import airflow, alerts, articles, crawl, demo, linkage, prices, query, report, show, study
from policywatch.cli.common import AppState, fail, unmeasured_width
from policywatch.transforms.errors import PolicywatchError

if TYPE_CHECKING:
    from policywatch.config import Settings

__all__ = ["app", "main"]

#: the global options (``_global_options`` below); no command has an option of the same name
_GLOBAL_OPTIONS = ("--db", "--config")


def _global_options_first(args: list[str]) -> list[str]:
    """``articles --db X --limit 5`` → ``--db X articles --limit 5``: global options moved before the command."""
    front: list[str] = []
    rest: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":  # what follows is arguments, whatever it looks like
            rest.extend(args[index:])
            break
        if arg in _GLOBAL_OPTIONS:
            front.extend(args[index : index + 2])
            index += 2
            continue
        (front if arg.split("=", 1)[0] in _GLOBAL_OPTIONS else rest).append(arg)
        index += 1
    return front + rest


class _GlobalOptionsAnywhere(TyperGroup):
    """Accepts ``--db`` and ``--config`` after the command too, not only before it."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, _global_options_first(args))


app = typer.Typer(
    name="policywatch",
    cls=_GlobalOptionsAnywhere,
    help=(
        "Chinese policy news on Sina Finance, linked to A-share tickers and studied in DuckDB.\n\n"
        "The options --db and --config go before or after the command.\n\n"
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
    ctx.obj = AppState(lambda: _load_settings(config, db))


def _load_settings(config: Path | None, db: Path | None) -> Settings:
    from policywatch.config import load_settings  # pydantic: only for the commands that read the settings

    return load_settings(config, db=db)


for module in (articles, show, crawl, linkage, prices, study, alerts, report, query, airflow, demo):
    module.register(app)


def main() -> None:
    if width := unmeasured_width():
        os.environ["COLUMNS"] = str(width)  # typer's help consoles, made later, read it
    try:
        app()
    except PolicywatchError as exc:
        fail(exc)
    sys.exit(0)
