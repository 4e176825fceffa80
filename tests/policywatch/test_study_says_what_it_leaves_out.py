"""What the study steps leave out or fall back on is said, never dropped in silence: a price row dated on a day
that is no session (a weekend row from a provider or a file), a series without an adjusted close on every day,
events whose article reaches no ticker any more."""

from __future__ import annotations

import json

import duckdb
import pandas as pd
from typer.testing import CliRunner

from policywatch.cli import app
from policywatch.reference import BUNDLED_PRICES
from policywatch.steps.import_archive import import_archive
from policywatch.steps.prices import fetch_prices
from policywatch.steps.study.events import build_events
from policywatch.steps.study.run import run_study
from tests.conftest import query, sample_path
from tests.policywatch.test_prices_events_study import OUTLINE, link

SATURDAY = "2021-09-04"  # inside the outline's estimation window, no XSHG session


def outline_warehouse(settings) -> None:
    import_archive([sample_path("00_")], settings)
    con = duckdb.connect(str(settings.db.path))
    for ticker, name in (("300024.SZ", "机器人"), ("000061.SZ", "农产品")):
        link(con, OUTLINE, ticker, f"sz{ticker[:6]}", "sina_link", name=name, link_class="name_collision")
    con.close()
    fetch_prices(settings, provider="file", file=str(BUNDLED_PRICES))


def add_saturday_row(settings) -> None:
    con = duckdb.connect(str(settings.db.path))
    con.execute(
        "INSERT INTO prices SELECT ticker, DATE '2021-09-04', open, high, low, close, pre_close, volume, amount,"
        " adj_close, adjustment, source, fetched_at, run_id FROM prices"
        " WHERE ticker = '300024.SZ' AND date = DATE '2021-09-03'"
    )
    con.close()


def test_the_warehouse_study_counts_and_says_what_it_left_out(settings):
    outline_warehouse(settings)
    settings.study.estimation, settings.study.min_estimation = "-200:-11", 100
    clean = run_study(settings)
    assert clean.off_calendar_rows == 0 and not any("left out" in w for w in clean.warnings)
    before = query(settings, "SELECT * FROM study_results ORDER BY ALL")
    add_saturday_row(settings)
    outcome = run_study(settings)
    assert outcome.off_calendar_rows == 1
    # beside the calendar's horizon, which depends on today's date
    assert outcome.warnings == [
        *clean.warnings,
        "1 price row(s) dated on days that are no XSHG session (a weekend or a holiday) were left out of the study",
    ]
    counts, message = query(settings, "SELECT counts, message FROM runs WHERE run_id = ?", [outcome.run_id])[0]
    assert json.loads(counts)["off_calendar_price_rows"] == 1 and message == "; ".join(outcome.warnings)
    assert query(settings, "SELECT * FROM study_results ORDER BY ALL") == before  # left out: nothing changed


def test_a_study_on_files_says_what_it_left_out(tmp_path):
    rows = pd.read_csv(BUNDLED_PRICES)
    stray = rows[(rows["ticker"] == "300024.SZ") & (rows["date"] == "2021-09-03")].assign(date=SATURDAY)
    prices = tmp_path / "prices.csv"
    pd.concat([rows, stray]).to_csv(prices, index=False)
    events = tmp_path / "events.csv"
    events.write_text("event_id,ticker,event_date\noutline,300024.SZ,2021-10-10T20:58:34+08:00\n")

    def study(path):
        return CliRunner().invoke(
            app,
            ["study", "--prices", str(path), "--events", str(events), "--benchmark", "000300.SS",
             "--estimation", "-200:-11", "--window", "-5:10"],
        )  # fmt: skip

    with_stray, without = study(prices), study(BUNDLED_PRICES)
    assert with_stray.exit_code == 0 and without.exit_code == 0, with_stray.output
    assert with_stray.stdout == without.stdout  # the row was left out of the study
    assert (
        "warning 1 price row(s) of prices.csv dated on days the benchmark 000300.SS has no price (the study's "
        "sessions) were left out" in " ".join(with_stray.stderr.split())
    )
    assert "warning" not in without.stderr


def test_a_series_without_an_adjusted_close_every_day_is_named(settings):
    outline_warehouse(settings)
    settings.study.estimation, settings.study.min_estimation = "-200:-11", 100
    clean = run_study(settings)
    assert clean.unadjusted == ()
    con = duckdb.connect(str(settings.db.path))
    con.execute("UPDATE prices SET adj_close = NULL WHERE ticker = '000061.SZ' AND date = DATE '2021-09-03'")
    con.close()
    outcome = run_study(settings)
    assert outcome.unadjusted == ("000061.SZ",)
    assert outcome.warnings == [
        *clean.warnings,
        "1 ticker(s) lack an adjusted close on some day, so their returns use the traded close (a dividend or split"
        " shows as a return): 000061.SZ",
    ]
    counts = query(settings, "SELECT counts FROM runs WHERE run_id = ?", [outcome.run_id])[0][0]
    assert json.loads(counts)["unadjusted_tickers"] == 1
    settings.prices.adjustment = "none"  # the traded close asked for: nothing to say
    assert run_study(settings).warnings == clean.warnings


def test_events_removed_with_their_article_s_tickers_are_counted(settings):
    outline_warehouse(settings)
    assert build_events(settings).stale_removed == 0
    con = duckdb.connect(str(settings.db.path))
    con.execute("DELETE FROM article_tickers WHERE article_id = ?", [OUTLINE])
    con.close()
    result = CliRunner().invoke(app, ["--db", str(settings.db.path), "events"])
    assert result.exit_code == 0, result.output
    line = " ".join(result.stdout.split())  # as wide as the console happens to be
    assert "0 events; skipped: none; removed (their article reaches no ticker now): 2" in line
    counts = query(settings, "SELECT counts FROM runs WHERE command = 'events' ORDER BY started_at DESC LIMIT 1")
    assert json.loads(counts[0][0])["stale_removed"] == 2
    assert query(settings, "SELECT count(*) FROM events") == [(0,)]
