"""The warehouse study's rules on real prices: one stock-day per observation across articles, which events
confound an estimation window, a study left with no events, and publications beyond the calendar's horizon."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import duckdb
import numpy as np
import pytest
from policywatch.transforms.models import CHINA_TZ
from policywatch.transforms.trading_calendar import exchange_sessions

from policywatch.reference import BUNDLED_PRICES
from policywatch.steps.import_archive import import_archive
from policywatch.steps.prices import fetch_prices
from policywatch.steps.study.events import build_events
from policywatch.steps.study.run import confounding_events, run_study
from tests.conftest import query, sample_path

OUTLINE = "h04a25845a96f8f15"  # published Sunday 2021-10-10 20:58 China time: day 0 is Monday 2021-10-11


def add_article(con, article_id: str, published: datetime) -> None:
    con.execute(
        "INSERT INTO articles (article_id, id_source, title, published_at, template, text, paragraphs, content_hash,"
        " origin, parser_version, loaded_at) VALUES (?, 'hash', ?, ?, 'fragment', 'x', ['x'], 'h', 'test', 't', ?)",
        [article_id, f"test {article_id}", published, datetime.now(UTC)],
    )


def link(con, article_id: str, ticker: str, via: str, *, link_class=None, theme=None) -> None:
    con.execute(
        "INSERT INTO article_tickers VALUES (?, ?, ?, NULL, ?, ?, ?, NULL, 0.9, 'test')",
        [article_id, ticker, f"sz{ticker[:6]}", via, link_class, theme],
    )


@pytest.fixture
def outline(settings):
    import_archive([sample_path("00_")], settings)
    settings.study.estimation, settings.study.min_estimation = "-200:-11", 100
    return settings


def test_a_flash_and_the_article_on_one_day_are_one_observation(outline):
    settings = outline
    con = duckdb.connect(str(settings.db.path))
    link(con, OUTLINE, "300024.SZ", "sina_link", link_class="name_collision")
    link(con, OUTLINE, "000061.SZ", "sina_link", link_class="name_collision")
    add_article(con, "flash", datetime(2021, 10, 11, 9, 40, tzinfo=CHINA_TZ))  # the 7x24 item, same day 0
    link(con, "flash", "300024.SZ", "sina_link", link_class="name_collision")
    con.close()
    fetch_prices(settings, provider="file", file=str(BUNDLED_PRICES))
    outcome = run_study(settings)
    assert outcome.n_events == 3 and outcome.n_kept == 3
    ar = dict(
        query(
            settings,
            "SELECT e.event_id, r.abnormal_ret FROM event_returns r JOIN events e USING (event_id) WHERE r.rel_day = 0",
        )
    )
    assert ar["flash:300024.SZ"] == ar[f"{OUTLINE}:300024.SZ"]
    expected = (ar[f"{OUTLINE}:300024.SZ"] + ar[f"{OUTLINE}:000061.SZ"]) / 2
    day0 = {
        (t, g): (n, value)
        for t, g, n, value in query(
            settings,
            "SELECT group_type, group_id, n, value FROM study_results WHERE rel_day = 0 AND statistic = 'aar'",
        )
    }
    for group in (("all", "all"), ("via", "sina_link"), ("link_class", "name_collision")):
        n, value = day0[group]
        assert n == 2 and value == pytest.approx(expected), group
    assert day0[("article", OUTLINE)][0] == 2 and day0[("article", "flash")][0] == 1


@pytest.fixture
def weekly(outline):
    """BYD reached through the NEV theme every week from March 2021, and named once (a Sina link) in June."""
    settings = outline
    sessions = exchange_sessions().between(date(2021, 3, 1), date(2021, 12, 31)).sessions[::5]
    con = duckdb.connect(str(settings.db.path))
    for k, day in enumerate(sessions.astype(object)):
        add_article(con, f"w{k:02d}", datetime.combine(day, datetime.min.time(), CHINA_TZ) + timedelta(hours=10))
        link(con, f"w{k:02d}", "002594.SZ", "theme", theme="nev")
    add_article(con, "named", datetime(2021, 6, 15, 10, 0, tzinfo=CHINA_TZ))
    link(con, "named", "002594.SZ", "sina_link", link_class="mention")
    con.close()
    fetch_prices(settings, provider="file", file=str(BUNDLED_PRICES))
    return settings, len(sessions) + 1


def test_theme_fan_out_does_not_confound_by_default(weekly):
    settings, n = weekly
    settings.study.estimation, settings.study.min_estimation = "-250:-11", 150
    settings.study.confounding = "none"
    run_study(settings)
    unmasked = dict(query(settings, "SELECT event_id, n_estimation FROM event_diagnostics"))
    settings.study.confounding = "direct"  # the default
    outcome = run_study(settings)
    assert outcome.n_events == n and "estimation_confounded" not in outcome.dropped
    masked = dict(query(settings, "SELECT event_id, n_estimation FROM event_diagnostics"))
    # a late-November event: only the June Sina link's window (-5..+10, 16 sessions) leaves its estimation window
    assert masked["w38:002594.SZ"] == unmasked["w38:002594.SZ"] - 16
    assert masked["w05:002594.SZ"] == unmasked["w05:002594.SZ"]  # April: before the June event


def test_with_every_event_confounding_the_drops_say_why(weekly):
    settings, _ = weekly
    settings.study.estimation, settings.study.min_estimation = "-250:-11", 150
    settings.study.confounding = "all"
    outcome = run_study(settings)
    assert outcome.dropped["estimation_confounded"] > 0  # their own reason, not too_few_estimation_returns
    reasons = dict(query(settings, "SELECT event_id, reason FROM event_diagnostics"))
    assert reasons["w38:002594.SZ"] == "estimation_confounded"
    settings.study.confounding = "none"
    assert "estimation_confounded" not in run_study(settings).dropped


def test_confounding_events_by_the_way_the_article_reached_the_firm():
    vias = [["sina_link"], ["theme"], ["name_mention", "theme"], ["zhibo_tag"], ["text_code"], []]
    assert confounding_events(vias, "direct").tolist() == [True, False, True, True, True, False]
    assert confounding_events(vias, "all") is None  # the engine's default: every event
    assert not confounding_events(vias, "none").any()


def test_a_study_with_no_events_left_is_emptied(outline):
    settings = outline
    con = duckdb.connect(str(settings.db.path))
    link(con, OUTLINE, "300024.SZ", "sina_link", link_class="name_collision")
    link(con, OUTLINE, "000061.SZ", "sina_link", link_class="name_collision")
    con.close()
    fetch_prices(settings, provider="file", file=str(BUNDLED_PRICES))
    run_study(settings)
    assert query(settings, "SELECT count(*) > 0 FROM study_results WHERE study = 'default'") == [(True,)]
    con = duckdb.connect(str(settings.db.path))
    con.execute("DELETE FROM article_tickers")
    con.close()
    outcome = run_study(settings)
    assert outcome.n_events == 0 and outcome.result is None
    for table in ("study_results", "event_diagnostics", "event_returns"):
        assert query(settings, f"SELECT count(*) FROM {table} WHERE study = 'default'") == [(0,)], table
    assert query(settings, "SELECT n_events, n_kept FROM study_runs WHERE study = 'default'") == [(0, 0)]


def test_publications_beyond_the_calendar_are_skipped_with_their_own_reason(outline):
    settings = outline
    last = exchange_sessions().sessions[-1].astype(object)
    con = duckdb.connect(str(settings.db.path))
    add_article(con, "later", datetime.combine(last + timedelta(days=5), datetime.min.time(), CHINA_TZ))
    link(con, "later", "300024.SZ", "sina_link", link_class="mention")
    add_article(con, "late", datetime.combine(last - timedelta(days=3), datetime.min.time(), CHINA_TZ))
    link(con, "late", "300024.SZ", "sina_link", link_class="mention")
    con.close()
    fetch_prices(settings, provider="synthetic", tickers=["300024.SZ"], since=date(2020, 1, 1))
    summary = build_events(settings)
    assert dict(summary.skipped) == {"beyond_calendar_horizon": 1}
    (message,) = query(settings, "SELECT message FROM event_skips WHERE article_id = 'later'")[0]
    assert str(last) in message and "exchange-calendars" in message
    # an event a few days before the horizon: its window runs past it, and the study says so
    outcome = run_study(settings, refresh_events=False)
    assert outcome.past_horizon == 1
    assert any("past" in w and str(last) in w for w in outcome.warnings)
    dates = query(settings, "SELECT rel_day, date FROM event_returns ORDER BY rel_day")
    assert dates[-1][1] is None and np.all([d is None or d <= last for _, d in dates])
