"""``policywatch alerts``: send what is due, test the channels, look at what was sent."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from policywatch.cli.common import (
    EXIT_PARTIAL,
    AppState,
    OutputFormat,
    console,
    emit_rows,
    err_console,
    guarded,
    labelled,
)
from policywatch.transforms.models import CHINA_TZ

__all__ = ["register"]

alerts_app = typer.Typer(help="Alerts on new policies that touch tracked themes, tickers or keywords.")

WatchlistOption = Annotated[
    Path | None, typer.Option("--watchlist", help="Watchlist file (default: [alerts] watchlist in the config).")
]


@alerts_app.command("run")
@guarded
def alerts_run(
    ctx: typer.Context,
    watchlist: WatchlistOption = None,
    since: Annotated[
        datetime | None, typer.Option(help="Consider articles published since (default: lookback_days ago).")
    ] = None,
) -> None:
    """Send the alerts that are due: once per (article, rule, channel); failed sends are retried next run.

    Example: policywatch alerts run --watchlist watchlist.yaml --since 2021-10-01
    """
    from policywatch.steps.alerts import run_alerts

    settings = ctx.ensure_object(AppState).settings
    aware = since.replace(tzinfo=CHINA_TZ) if since and since.tzinfo is None else since  # a date: China midnight
    summary = run_alerts(
        settings,
        watchlist_path=watchlist,
        since=aware,
        echo=lambda text: console.print(text, highlight=False, markup=False),
    )
    console.print(
        f"run {summary.run_id}: {summary.candidates} recent linked articles, {summary.matches} rule matches,"
        f" {summary.sent} sent, {summary.already_sent} already sent, {len(summary.failed)} failed"
        + (f", {summary.given_up} given up (see alerts history)" if summary.given_up else ""),
        highlight=False,
    )
    for article_id, rule, channel, error in summary.failed:
        err_console.print(labelled("failed", f"{channel} ({rule}, {article_id}): {error}"), highlight=False)
    if summary.failed:
        raise typer.Exit(EXIT_PARTIAL)


@alerts_app.command("test")
@guarded
def alerts_test(ctx: typer.Context, watchlist: WatchlistOption = None) -> None:
    """Send a sample alert to every channel of the watchlist and say which ones worked.

    Example: SLACK_TOKEN=… policywatch alerts test --watchlist watchlist.yaml
    """
    from policywatch.steps.alerts import send_test_alerts

    settings = ctx.ensure_object(AppState).settings
    results = send_test_alerts(
        settings, watchlist_path=watchlist, echo=lambda text: console.print(text, highlight=False, markup=False)
    )
    rows = [(name, "ok" if r.ok else "FAILED", r.error or "") for name, r in results.items()]
    emit_rows(["channel", "result", "error"], rows, OutputFormat.table)
    if not all(r.ok for r in results.values()):
        raise typer.Exit(EXIT_PARTIAL)


@alerts_app.command("history")
@guarded
def alerts_history(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(help="Most recent deliveries first.")] = 50,
    fmt: Annotated[OutputFormat, typer.Option("--format", help="table, csv or json.")] = OutputFormat.table,
) -> None:
    """List alert deliveries: sent, failed (tried again next run) and given_up (failed max_attempts times),
    with attempts and the last error.

    Example: policywatch alerts history --format csv
    """
    from policywatch.warehouse.store import open_reader

    settings = ctx.ensure_object(AppState).settings
    con = open_reader(settings.db.path)
    try:
        rows = con.execute(
            "SELECT last_attempt_at, rule_id, channel, status, attempts, article_id, title, error FROM alerts_sent"
            " ORDER BY last_attempt_at DESC LIMIT ?",
            [limit],
        ).fetchall()
    finally:
        con.close()
    emit_rows(["last attempt", "rule", "channel", "status", "attempts", "article", "title", "error"], rows, fmt)


def register(app: typer.Typer) -> None:
    app.add_typer(alerts_app, name="alerts")
