"""Prices → events → study on the real DuckDB, with real sample articles and the real reference prices.

``article_tickers`` rows are inserted directly (the linker fills that table elsewhere), exactly as defined
in migration 0002. Expected days 0 come from the exchange calendar as published (holidays, 15:00 close).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import duckdb
import pytest
from policywatch.transforms.errors import InputError
from policywatch.transforms.models import CHINA_TZ

from policywatch.reference import BUNDLED_PRICES
from policywatch.steps.import_archive import import_archive
from policywatch.steps.prices import fetch_prices
from policywatch.steps.study.events import build_events
from policywatch.steps.study.run import run_study
from tests.conftest import query, sample_path

REFERENCE = BUNDLED_PRICES
SOURCE = "file:cn_daily_2020-10_2022-01.csv.gz"
OUTLINE = "h04a25845a96f8f15"  # the standardization outline, published Sunday 2021-10-10 20:58 China time


def add_article(con, article_id: str, published: datetime) -> None:
    con.execute(
        "INSERT INTO articles (article_id, id_source, title, published_at, template, text, paragraphs, content_hash,"
        " origin, parser_version, loaded_at) VALUES (?, 'hash', ?, ?, 'fragment', 'x', ['x'], 'h', 'test', 't', ?)",
        [article_id, f"test {article_id}", published, datetime.now(UTC)],
    )


def link(con, article_id, ticker, code, via, *, name=None, link_class=None, theme=None, measure=None) -> None:
    con.execute(
        "INSERT INTO article_tickers VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0.9, 'test')",
        [article_id, ticker, code, name, via, link_class, theme, measure],
    )


@pytest.fixture
def warehouse(settings):
    import_archive([sample_path("00_"), sample_path("05_")], settings)
    con = duckdb.connect(str(settings.db.path))
    outline = OUTLINE
    (fairness,) = con.execute("SELECT article_id FROM articles WHERE published_date_cn = '2021-08-30'").fetchall()[0]
    add_article(con, "holiday", datetime(2021, 10, 3, 10, 0, tzinfo=CHINA_TZ))
    add_article(con, "suspended", datetime(2020, 10, 25, 9, 0, tzinfo=CHINA_TZ))
    sina_links = (
        ("300024.SZ", "机器人", "name_collision"),
        ("000061.SZ", "农产品", "name_collision"),
        ("000816.SZ", "智慧农业", "name_collision"),
        ("300832.SZ", "新产业", "mention"),
    )
    for ticker, name, cls in sina_links:
        link(con, outline, ticker, f"sz{ticker[:6]}", "sina_link", name=name, link_class=cls)
    link(con, outline, "300024.SZ", "sz300024", "theme", name="机器人", theme="robotics", measure=3)
    link(con, outline, "300124.SZ", "sz300124", "theme", name="汇川技术", theme="robotics", measure=3)
    link(con, outline, "000300.SS", "sh000300", "sina_link", link_class="index")
    link(con, outline, "688981.SS", "sh688981", "text_code", name="中芯国际")
    link(con, fairness, "002594.SZ", "sz002594", "name_mention", name="比亚迪")
    link(con, "holiday", "300750.SZ", "sz300750", "theme", name="宁德时代", theme="nev")
    link(con, "holiday", "002594.SZ", "sz002594", "theme", name="比亚迪", theme="nev")
    link(con, "suspended", "000816.SZ", "sz000816", "text_code", name="智慧农业")
    con.close()
    summary = fetch_prices(settings, provider="file", file=str(REFERENCE))
    return settings, summary, outline, fairness


def test_fetch_prices_keeps_source_and_records_failures(warehouse):
    settings, summary, _, _ = warehouse
    assert summary.fetched == {"300024.SZ", "000061.SZ", "000816.SZ", "300832.SZ", "300124.SZ", "002594.SZ",
                               "300750.SZ", "000300.SS"}  # fmt: skip
    assert [(f.ticker, f.reason) for _, f in summary.failures] == [("688981.SS", "not_found")]
    assert query(settings, "SELECT DISTINCT source FROM prices") == [(SOURCE,)]
    assert query(settings, "SELECT count(*) FROM prices WHERE close IS NULL OR isnan(close)") == [(0,)]
    assert query(settings, "SELECT ticker, reason FROM price_fetch_failures") == [("688981.SS", "not_found")]
    assert query(settings, "SELECT sessions FROM price_coverage WHERE ticker = '000816.SZ'") == [(311,)]
    again = fetch_prices(settings, provider="file", file=str(REFERENCE))
    assert again.new_rows == 0 and 0 < again.replaced_rows < 100  # only the overlap of an incremental fetch
    assert query(settings, "SELECT count(*) FROM prices WHERE ticker = '300024.SZ'") == [(312,)]


def test_events_are_aligned_on_the_trading_calendar_and_skips_say_why(warehouse):
    settings, _, outline, fairness = warehouse
    summary = build_events(settings)
    days = dict(query(settings, "SELECT event_id, day0 FROM events"))
    assert days[f"{outline}:300024.SZ"] == date(2021, 10, 11)  # Sunday evening → Monday
    assert days[f"{fairness}:002594.SZ"] == date(2021, 8, 31)  # 16:54 on a Monday: after the close
    assert days["holiday:300750.SZ"] == date(2021, 10, 8)  # National Day holiday → first session after
    assert days["suspended:000816.SZ"] == date(2020, 10, 26)
    skips = dict(query(settings, "SELECT ticker, reason FROM event_skips"))
    assert skips == {"000300.SS": "index", "688981.SS": "no_prices"}
    message = query(settings, "SELECT message FROM event_skips WHERE ticker = '688981.SS'")[0][0]
    assert "not_found" in message
    assert summary.events == 9 and dict(summary.skipped) == {"index": 1, "no_prices": 1}
    groups = query(settings, "SELECT group_type, group_id FROM event_groups WHERE event_id = ?",
                   [f"{outline}:300024.SZ"])  # fmt: skip
    assert set(groups) == {("article", outline), ("link_class", "name_collision"), ("theme", "robotics"),
                           ("measure", f"{outline}#3"), ("via", "sina_link"), ("via", "theme"),
                           ("article_theme", f"{outline}|robotics"),
                           ("article_link_class", f"{outline}|name_collision"),
                           ("article_via", f"{outline}|sina_link"), ("article_via", f"{outline}|theme")}  # fmt: skip
    build_events(settings)  # idempotent
    assert query(settings, "SELECT count(*) FROM events") == [(9,)]
    assert query(settings, "SELECT count(*) FROM event_groups WHERE event_id = ?", [f"{outline}:300024.SZ"]) == [(10,)]


def test_study_on_the_warehouse(warehouse):
    settings, _, outline, _ = warehouse
    settings.study.estimation, settings.study.min_estimation = "-200:-11", 100
    outcome = run_study(settings)
    assert outcome.price_sources == (SOURCE,)
    status = dict(query(settings, "SELECT event_id, coalesce(reason, status) FROM event_diagnostics"))
    assert status["suspended:000816.SZ"] == "missing_day0"
    assert status[f"{outline}:300024.SZ"] == "kept" and status["holiday:300750.SZ"] == "kept"
    # AR = R − α − β·R_m, recomputed in SQL from the stored returns and estimates
    worst = query(
        settings,
        "SELECT max(abs(r.abnormal_ret - (r.ret - d.alpha - d.beta * r.benchmark_ret))) FROM event_returns r"
        " JOIN event_diagnostics d USING (study, event_id) WHERE d.status = 'kept' AND r.span = 1",
    )[0][0]
    assert worst < 1e-12
    car = query(
        settings,
        "SELECT max(abs(d.car - s.total)) FROM event_diagnostics d JOIN (SELECT event_id, sum(abnormal_ret) AS total"
        " FROM event_returns GROUP BY 1) s USING (event_id) WHERE d.status = 'kept'",
    )[0][0]
    assert car < 1e-12
    assert query(settings, "SELECT DISTINCT price_source FROM event_returns WHERE price_source IS NOT NULL") == [
        (SOURCE,)
    ]
    classes = query(settings, "SELECT DISTINCT group_id FROM study_results WHERE group_type = 'link_class'")
    assert sorted(classes) == [("mention",), ("name_collision",)]
    n_all = query(settings, "SELECT n FROM study_results WHERE group_type = 'all' AND rel_day = 0"
                  " AND statistic = 'aar'")  # fmt: skip
    assert n_all == [(8,)]
    single = query(settings, "SELECT value, note FROM study_results WHERE group_type = 'link_class'"
                   " AND group_id = 'mention' AND rel_day = 0 AND statistic = 'csect_t'")  # fmt: skip
    assert single == [(None, "fewer than 2 events")]
    rows = query(settings, "SELECT count(*) FROM study_results")
    run_study(settings)  # rerun: replaced, not duplicated
    assert query(settings, "SELECT count(*) FROM study_results") == rows
    assert query(settings, "SELECT count(*) FROM study_runs") == [(1,)]


def test_missing_benchmark_is_a_clear_error(warehouse):
    settings, _, _, _ = warehouse
    settings.study.benchmark = "399006.SZ"
    with pytest.raises(InputError, match=r"399006\.SZ has no prices"):
        run_study(settings)


def test_synthetic_prices_are_labelled_everywhere(settings):
    import_archive([sample_path("00_")], settings)
    con = duckdb.connect(str(settings.db.path))
    link(con, OUTLINE, "300024.SZ", "sz300024", "sina_link", name="机器人", link_class="name_collision")
    link(con, OUTLINE, "000061.SZ", "sz000061", "sina_link", name="农产品", link_class="name_collision")
    con.close()
    fetch_prices(settings, provider="synthetic", since=date(2020, 1, 1))
    outcome = run_study(settings)
    assert outcome.price_sources == ("synthetic",) and outcome.n_kept == 2
    assert query(settings, "SELECT DISTINCT source FROM prices") == [("synthetic",)]
    assert query(settings, "SELECT DISTINCT price_source FROM event_diagnostics") == [("synthetic",)]
    assert query(settings, "SELECT price_sources FROM study_runs") == [(["synthetic"],)]
