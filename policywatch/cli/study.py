"""``policywatch events`` and ``policywatch study``: event studies on the warehouse or on your own files."""

from __future__ import annotations

import csv
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

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
from policywatch.transforms.errors import ConfigError

if TYPE_CHECKING:
    from policywatch.config import Settings
    from policywatch.steps.study.run import StudyOutcome

__all__ = ["register"]


class ModelChoice(StrEnum):
    market = "market"
    market_adjusted = "market_adjusted"
    constant_mean = "constant_mean"


class ReturnsChoice(StrEnum):
    simple = "simple"
    log = "log"


def events(ctx: typer.Context) -> None:
    """Build events from article_tickers: one per (article, stock ticker), day 0 on the XSHG calendar.

    Example: policywatch events && policywatch sql "SELECT reason, count(*) FROM event_skips GROUP BY 1"
    """
    from policywatch.steps.study.events import build_events

    settings = ctx.ensure_object(AppState).settings
    summary = build_events(settings)
    skipped = ", ".join(f"{reason} {n}" for reason, n in sorted(summary.skipped.items())) or "none"
    removed = (
        f"; removed (their article reaches no ticker now): {summary.stale_removed}" if summary.stale_removed else ""
    )
    console.print(f"run {summary.run_id}: {summary.events} events; skipped: {skipped}{removed}", highlight=False)
    _warn(summary.warnings)


def _warn(warnings: list[str]) -> None:
    for warning in warnings:
        err_console.print(labelled("warning", warning), highlight=False)


def study(
    ctx: typer.Context,
    prices: Annotated[Path | None, typer.Option(help="Your prices: long CSV/Parquet date,ticker,close.")] = None,
    events_file: Annotated[
        Path | None, typer.Option("--events", help="Your events: CSV event_id,ticker,event_date.")
    ] = None,
    benchmark: Annotated[str | None, typer.Option(help="Benchmark ticker in the price file (e.g. 000300.SS).")] = None,
    estimation: Annotated[
        str | None, typer.Option(help="Estimation window A:B in trading days, e.g. -250:-11.")
    ] = None,
    window: Annotated[str | None, typer.Option(help="Event window C:D in trading days, e.g. -5:10.")] = None,
    model: Annotated[ModelChoice | None, typer.Option(help="Normal-return model (default: market).")] = None,
    returns: Annotated[ReturnsChoice | None, typer.Option(help="simple or log returns (default: simple).")] = None,
    min_estimation: Annotated[
        int | None,
        typer.Option(help="Your files: fewest estimation returns an event needs (default: study.min_estimation)."),
    ] = None,
    fmt: Annotated[
        OutputFormat | None, typer.Option("--format", help="json or csv (your files); table, json or csv (warehouse).")
    ] = None,
    plot: Annotated[Path | None, typer.Option(help="Write a CAAR plot with confidence bands (PNG).")] = None,
    plot_groups: Annotated[
        str, typer.Option(help="Warehouse: the group type plotted (all, link_class, via, theme, article, measure).")
    ] = "link_class",
    name: Annotated[str | None, typer.Option(help="Warehouse: store the results under this study name.")] = None,
    refresh_events: Annotated[
        bool, typer.Option("--refresh-events/--no-refresh-events", help="Warehouse: rebuild events first.")
    ] = True,
) -> None:
    """Run an event study: on the warehouse's events (results into DuckDB), or on your own files.

    Example (warehouse): policywatch study --plot caar.png
    Example (your data): policywatch study --prices px.csv --events ev.csv --benchmark 000300.SS
    --estimation -250:-11 --window -5:10 --min-estimation 120 --format json
    """
    settings = ctx.ensure_object(AppState).settings
    if prices is not None or events_file is not None:
        missing = [
            flag
            for flag, value in (
                ("--prices", prices),
                ("--events", events_file),
                ("--benchmark", benchmark),
                ("--estimation", estimation),
                ("--window", window),
            )
            if value is None
        ]
        if missing:
            raise ConfigError(f"a study on your own files also needs {', '.join(missing)}")
        _study_files(
            settings, prices, events_file, benchmark, estimation, window, model, returns, min_estimation, fmt, plot
        )
        return
    if any(v is not None for v in (benchmark, estimation, window, model, returns, min_estimation)):
        raise ConfigError(
            "--benchmark/--estimation/--window/--model/--returns/--min-estimation go with --prices and --events; "
            "the warehouse study takes them from the [study] config"
        )
    _study_warehouse(settings, name, refresh_events, fmt, plot, plot_groups)


def _study_files(
    settings: Settings,
    prices: Path,
    events_file: Path,
    benchmark: str,
    estimation: str,
    window: str,
    model: ModelChoice | None,
    returns: ReturnsChoice | None,
    min_estimation: int | None,
    fmt: OutputFormat | None,
    plot: Path | None,
) -> None:
    """The study on the user's price and events files: JSON or CSV on stdout, nothing stored."""
    from policywatch.plots import plot_caar
    from policywatch.steps.study.files import study_files, study_json
    from policywatch.steps.study.run import spec_from_settings
    from policywatch.transforms.event_study import parse_window
    from policywatch.transforms.event_study.report import caar_curves

    spec = spec_from_settings(
        settings.study,
        estimation=parse_window(estimation),
        window=parse_window(window),
        model=model.value if model else None,
        returns=returns.value if returns else None,
        min_estimation=min_estimation,
    )
    files = study_files(prices, events_file, benchmark=benchmark, spec=spec, day0_cutoff=settings.study.day0_cutoff)
    result = files.result
    payload = study_json(result, files.messages)
    _emit_files(payload, fmt or OutputFormat.json)
    _warn(list(files.warnings))
    if plot is not None:
        plot_caar(caar_curves(result), plot, title=f"CAAR, {result.spec.model} model (n={int(result.kept.sum())})")
        err_console.print(f"plot: {plot}", highlight=False)
    dropped = [e for e in payload["events"] if e["status"] == "dropped"]
    if dropped:
        err_console.print(
            labelled(f"{len(dropped)} of {len(payload['events'])} events dropped", "(see events[].reason)")
        )
        raise typer.Exit(EXIT_PARTIAL)


def _study_warehouse(
    settings: Settings,
    name: str | None,
    refresh_events: bool,
    fmt: OutputFormat | None,
    plot: Path | None,
    plot_groups: str,
) -> None:
    """The study on the warehouse's events, its results stored under its name."""
    from policywatch.plots import plot_caar
    from policywatch.steps.study.run import run_study
    from policywatch.transforms.event_study.report import caar_curves

    outcome = run_study(settings, name=name, refresh_events=refresh_events)
    _emit_warehouse(outcome, fmt or OutputFormat.table)
    _warn(outcome.warnings)
    if plot is not None and outcome.result is not None:
        curves = caar_curves(outcome.result, plot_groups) or caar_curves(outcome.result, "all")
        source = ", ".join(outcome.price_sources)
        plot_caar(curves, plot, title=f"CAAR by {plot_groups}, study {outcome.name} (prices: {source})")
        err_console.print(f"plot: {plot}", highlight=False)


#: every key of the JSON rows, in report order: the CSV is the same rows in one table (lists joined by "; ")
_CSV_COLUMNS = (
    "section",
    "rel_day",
    "window",
    "n",
    "aar",
    "caar",
    "caar_se",
    "caar_n",
    "csect_t",
    "csect_p",
    "patell_z",
    "patell_p",
    "bmp_t",
    "bmp_p",
    "kp_bmp_t",
    "kp_bmp_p",
    "kp_patell_z",
    "kp_patell_p",
    "corrado_z",
    "corrado_p",
    "gsign_z",
    "gsign_p",
    "wilcoxon_w",
    "wilcoxon_z",
    "wilcoxon_p",
    "n_pos",
    "n_neg",
    "r_bar",
    "notes",
    "event_id",
    "status",
    "reason",
    "message",
    "day0",
    "n_estimation",
    "alpha",
    "beta",
    "sigma",
    "car",
    "n_limit_days",
)


def _emit_files(payload: dict[str, Any], fmt: OutputFormat) -> None:
    if fmt is OutputFormat.json:
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
        return
    if fmt is not OutputFormat.csv:
        raise ConfigError("a study on your own files prints --format json or csv")
    writer = csv.DictWriter(sys.stdout, fieldnames=_CSV_COLUMNS, extrasaction="raise", lineterminator="\n")
    writer.writeheader()
    for section, key in (("day", "days"), ("window", "windows"), ("event", "events")):
        for row in payload[key]:
            flat = {k: "; ".join(v) if isinstance(v, list) else v for k, v in row.items()}
            writer.writerow({"section": section, **flat})


def _emit_warehouse(outcome: StudyOutcome, fmt: OutputFormat) -> None:
    from policywatch.transforms.event_study.report import group_report

    result = outcome.result
    if result is None:
        console.print("no events: link articles to tickers (article_tickers) and fetch prices first")
        return
    groups = [(str(t), str(g)) for t, g in zip(result.group_types, result.group_ids, strict=True)]
    if fmt is OutputFormat.json:
        payload = {
            "study": outcome.name,
            "price_sources": list(outcome.price_sources),
            "n_events": outcome.n_events,
            "n_kept": outcome.n_kept,
            "dropped": outcome.dropped,
            "warnings": outcome.warnings,
            **group_report(result),
            "groups": [
                {
                    "group_type": t,
                    "group_id": g,
                    "n": int(result.n_events[i]),
                    "windows": group_report(result, t, g)["windows"],
                }
                for i, (t, g) in enumerate(groups)
                if t != "all"
            ],
        }
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
        return
    rows = []
    for t, g in groups:
        if t not in ("all", "link_class", "via"):
            continue
        for w in group_report(result, t, g)["windows"]:
            rows.append((g if t == "all" else f"{t}={g}", w["window"], w["n"], _short(w["caar"]), _short(w["kp_bmp_p"]),
                         _short(w["corrado_p"]), _short(w["gsign_p"])))  # fmt: skip
    dropped = ", ".join(f"{k} {v}" for k, v in outcome.dropped.items()) or "none"
    console.print(
        f"study {outcome.name}: {outcome.n_events} events, {outcome.n_kept} kept (dropped: {dropped}); "
        f"prices from {', '.join(outcome.price_sources)}",
        highlight=False,
    )
    emit_rows(["group", "window", "n", "CAAR", "KP-BMP p", "rank p", "sign p"], rows, fmt,
              title="CAR windows (all groups, days and tests: SELECT * FROM study_results)")  # fmt: skip


def _short(value: float | None) -> str | None:
    return None if value is None else f"{value:.4g}"


def register(app: typer.Typer) -> None:
    app.command("events")(guarded(events))
    app.command("study")(guarded(study))
