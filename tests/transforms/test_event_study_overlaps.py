"""Overlapping events: one stock-day is one observation in every group, confounding windows are chosen by the
caller and collapsed per stock-day, and an event dropped because of them says so."""

from __future__ import annotations

import math

import numpy as np
import pytest
from policywatch.transforms.event_study import EventTable, Groups, PricePanel, StudySpec, run_event_study
from policywatch.transforms.event_study.report import group_report

SPEC = StudySpec(estimation=(-30, -2), window=(-1, 1), car_windows=((0, 0), (-1, 1)), min_estimation=20)
N_SESSIONS = 90


def series(seed: int, sd: float = 0.02) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return 10.0 * np.cumprod(1.0 + rng.normal(0.0, sd, N_SESSIONS))


def panel(n_tickers: int) -> PricePanel:
    sessions = (np.datetime64("2021-01-04") + np.arange(N_SESSIONS)).astype("datetime64[D]")
    tickers = tuple(f"{600000 + i}.SS" for i in range(n_tickers))
    prices = np.array([series(i + 1) for i in range(n_tickers)])
    return PricePanel(sessions, tickers, prices, series(99, sd=0.01))


def table(tick, day0, confounding=None) -> EventTable:
    ids = np.array([f"e{i}" for i in range(len(tick))], dtype=object)
    mask = None if confounding is None else np.array(confounding, dtype=bool)
    return EventTable(ids, np.array(tick), np.array(day0), confounding=mask)


def groups(*memberships: tuple[str, str, int]) -> Groups:
    types, ids, idx = zip(*memberships, strict=True)
    return Groups(np.array(types, dtype=object), np.array(ids, dtype=object), np.array(idx, dtype=np.int64))


def test_a_stock_day_counts_once_in_groups_that_span_articles():
    # e0: ticker 0 in a 7x24 flash, e1: ticker 0 in the article (same day 0), e2: ticker 1 in the article
    memberships = groups(
        ("article", "flash", 0), ("article", "story", 1), ("article", "story", 2),
        ("theme", "ai", 0), ("theme", "ai", 1), ("theme", "ai", 2),
        ("via", "zhibo_tag", 0), ("via", "sina_link", 1), ("via", "sina_link", 2),
    )  # fmt: skip
    result = run_event_study(panel(2), table([0, 0, 1], [50, 50, 50]), SPEC, memberships)
    ar0 = result.ar[:, 1]  # day 0
    assert ar0[0] == ar0[1]  # the two events of one stock-day are the same observation
    mean = (ar0[1] + ar0[2]) / 2
    sd = math.sqrt(((ar0[1] - mean) ** 2 + (ar0[2] - mean) ** 2) / 1)
    for group_type, group_id in (("all", "all"), ("theme", "ai"), ("via", "sina_link"), ("article", "story")):
        day0 = group_report(result, group_type, group_id)["days"][1]
        assert day0["n"] == 2, (group_type, group_id)
        assert day0["aar"] == pytest.approx(mean)
        assert day0["csect_t"] == pytest.approx(mean / (sd / math.sqrt(2)))
    assert group_report(result, "via", "zhibo_tag")["days"][1]["n"] == 1
    # the same study without the flash's copy gives the same figures for every group it is in
    alone = run_event_study(panel(2), table([0, 1], [50, 50]), SPEC, groups(("theme", "ai", 0), ("theme", "ai", 1)))
    assert group_report(result, "theme", "ai") == group_report(alone, "theme", "ai")
    assert group_report(result) == group_report(alone)


def test_same_day_copies_do_not_inflate_the_tests():
    """Ten copies of one stock-day beside one other stock: still two observations, whatever the copies."""
    tick = [0] * 10 + [1]
    result = run_event_study(panel(2), table(tick, [50] * 11), SPEC)
    two = run_event_study(panel(2), table([0, 1], [50, 50]), SPEC)
    assert group_report(result) == group_report(two)
    assert result.n_events.tolist() == [2.0]


# an event of ticker 0 every 5 sessions (a theme member reached every week), window [-1, 1]
WEEKLY = list(range(20, 80, 5))
DAY60 = WEEKLY.index(60)


def test_weekly_windows_leave_too_few_estimation_returns_and_say_why():
    result = run_event_study(panel(1), table([0] * len(WEEKLY), WEEKLY), SPEC)
    # estimation of the event at 60: sessions 30..58 (29 returns); masked: 30-31, 34-36, 39-41, 44-46, 49-51,
    # 54-56 (the windows of the events at 30..55) = 17 sessions, leaving 12 < 20
    assert result.n_estimation[DAY60] == 29 - 17
    assert result.reason[DAY60] == "estimation_confounded"
    # the event at 20 has only 19 returns in its window (sessions 1..19) with or without the others
    assert result.reason[0] == "too_few_estimation_returns"


def test_only_the_callers_confounding_events_are_masked():
    direct = [day == 45 for day in WEEKLY]  # one event named the firm; the others reached it through a theme
    result = run_event_study(panel(1), table([0] * len(WEEKLY), WEEKLY, direct), SPEC)
    assert result.n_estimation[DAY60] == 29 - 3  # only 44..46 masked
    assert result.reason[DAY60] is None
    nothing = run_event_study(panel(1), table([0] * len(WEEKLY), WEEKLY, [False] * len(WEEKLY)), SPEC)
    assert nothing.n_estimation[DAY60] == 29
    off = run_event_study(
        panel(1), table([0] * len(WEEKLY), WEEKLY), StudySpec(**{**_args(), "exclude_other_events": False})
    )
    assert off.n_estimation.tolist() == nothing.n_estimation.tolist()


def test_copies_of_a_stock_day_mask_what_one_event_masks():
    once = run_event_study(panel(1), table([0, 0], [45, 60]), SPEC)
    copies = run_event_study(panel(1), table([0, 0, 0, 0], [45, 45, 45, 60]), SPEC)
    assert copies.n_estimation[3] == once.n_estimation[1] == 29 - 3


def _args():
    return {"estimation": (-30, -2), "window": (-1, 1), "car_windows": ((0, 0), (-1, 1)), "min_estimation": 20}
