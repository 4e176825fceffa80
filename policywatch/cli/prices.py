"""``policywatch prices fetch``: daily prices for the linked tickers and the benchmarks."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from policywatch.cli.common import EXIT_PARTIAL, AppState, console, err_console, guarded, labelled
from policywatch.transforms.errors import ConfigError

__all__ = ["register"]

prices_app = typer.Typer(
    name="prices",
    help="Daily prices in the warehouse.\n\nExample: policywatch prices fetch --linked --since 2021-01-01",
    no_args_is_help=True,
)


def _split(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    return [t for value in values for t in re.split(r"[\s,]+", value) if t]


def fetch(
    ctx: typer.Context,
    tickers: Annotated[
        list[str] | None,
        typer.Option("--tickers", help="Tickers (300024.SZ, 600000.SS; commas or repeats). Default: --linked."),
    ] = None,
    linked: Annotated[
        bool, typer.Option("--linked", help="Every stock ticker an article links to (article_tickers).")
    ] = False,
    since: Annotated[
        str | None, typer.Option(help="Fetch from this date (YYYY-MM-DD); default: incremental per ticker.")
    ] = None,
    provider: Annotated[
        str | None, typer.Option(help="yfinance | akshare | file | synthetic (default from config: yfinance).")
    ] = None,
    file: Annotated[Path | None, typer.Option(help="Price file for --provider file (long CSV or Parquet).")] = None,
    fill_gaps: Annotated[
        bool,
        typer.Option(
            "--fill-gaps",
            help="Only add dates that have no bar yet; keep every stored bar (e.g. synthetic behind real).",
        ),
    ] = False,
) -> None:
    """Fetch daily bars into the warehouse: incremental, plus the benchmarks (CSI 300 by default).

    Each row keeps its source and fetch time; a ticker a provider does not have is recorded in
    price_fetch_failures with the reason, never stored as NaN.

    Example: policywatch prices fetch --tickers 300024.SZ,000061.SZ --since 2021-01-01
    """
    from policywatch.steps.prices import fetch_prices

    if tickers and linked:
        raise ConfigError("pass --tickers or --linked, not both")
    try:
        start = date.fromisoformat(since) if since else None
    except ValueError:
        raise ConfigError(f"--since must be a date YYYY-MM-DD, got {since!r}") from None
    settings = ctx.ensure_object(AppState).settings
    summary = fetch_prices(
        settings,
        tickers=_split(tickers),
        since=start,
        provider=provider,
        file=str(file) if file else None,
        fill_gaps=fill_gaps,
    )
    counts = summary.counts()
    console.print(
        f"run {summary.run_id}: {counts['fetched']}/{counts['requested']} tickers fetched, "
        f"{counts['new_rows']} new rows, {counts['replaced_rows']} refreshed, {counts['failed']} failed "
        f"→ {settings.db.path}",
        highlight=False,
    )
    if summary.rescaled:
        console.print(f"adjusted close rebased onto the stored series: {', '.join(sorted(summary.rescaled))}")
    if summary.unjoined:
        err_console.print(
            labelled(
                "not filled",
                f"(no date in common with the stored series to join on): {', '.join(sorted(summary.unjoined))}",
            ),
            highlight=False,
        )
    for provider_name, failure in summary.failures:
        err_console.print(
            labelled("failed", f"{failure.ticker} ({provider_name}): {failure.message}", reason=failure.reason),
            highlight=False,
        )
    if summary.failures:
        raise typer.Exit(EXIT_PARTIAL)


def register(app: typer.Typer) -> None:
    prices_app.command("fetch")(guarded(fetch))
    app.add_typer(prices_app, name="prices")
