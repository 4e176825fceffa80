"""Edge cases: each ends in a recorded reason or a documented rule, never a crash or a silent NaN."""

from __future__ import annotations

import numpy as np
import pytest
from policywatch.transforms.errors import ConfigError, InputError
from policywatch.transforms.event_study import EventTable, PricePanel, StudySpec, run_event_study
from policywatch.transforms.event_study.report import TESTS, event_records, group_report

SPEC = StudySpec(estimation=(-30, -2), window=(-1, 1), car_windows=((0, 0), (-1, 1)), min_estimation=20)
N_SESSIONS = 80


def series(seed, n=N_SESSIONS, sd=0.02):
    rng = np.random.default_rng(seed)
    return 10.0 * np.cumprod(1.0 + rng.normal(0.0, sd, n))


def make_panel(prices, tickers=None):
    sessions = (np.datetime64("2021-01-04") + np.arange(N_SESSIONS)).astype("datetime64[D]")
    tickers = tickers or tuple(f"{600000 + i}.SS" for i in range(len(prices)))
    return PricePanel(sessions, tickers, np.array(prices, dtype=float), series(99, sd=0.01))


def events(tick, day0, ids=None):
    ids = ids or [f"e{i}" for i in range(len(tick))]
    return EventTable(np.array(ids, dtype=object), np.array(tick), np.array(day0))


def reasons(result):
    return [None if r is None else str(r) for r in result.reason]


def test_zero_variance_is_dropped_with_its_reason():
    flat = np.full(N_SESSIONS, 5.0)
    result = run_event_study(make_panel([flat, series(1)]), events([0, 1], [50, 50]), SPEC)
    assert reasons(result) == ["zero_variance", None]


def test_fewer_than_two_events_keeps_what_can_be_computed_and_says_why():
    """A group of one has no test at all (docs/event-studies.md): not only t, BMP and KP but Patell, Corrado,
    sign and Wilcoxon too, which would otherwise report p-values for one observation (Wilcoxon's normal
    approximation gave p = 0.317 for any single event). The AR, CAR and counts stay."""
    result = run_event_study(make_panel([series(1)]), events([0], [50]), SPEC)
    report = group_report(result)
    for row in [*report["days"], *report["windows"]]:
        assert row["n"] == 1
        assert {name: row[name] for name, _ in TESTS} == dict.fromkeys((name for name, _ in TESTS), None)
        assert {p: row[p] for _, p in TESTS} == dict.fromkeys((p for _, p in TESTS), None)
        assert row["n_pos"] + row["n_neg"] == 1
        assert any("fewer than 2 events" in note for note in row["notes"])
    assert report["days"][1]["aar"] == pytest.approx(result.ar[0, 1])


def test_a_ticker_without_prices_and_a_day0_outside_the_data():
    result = run_event_study(make_panel([series(1)]), events([-1, 0, 0], [50, -1, 50]), SPEC)
    assert reasons(result) == ["no_prices", "day0_outside_calendar", None]
    assert [r["status"] for r in event_records(result)] == ["dropped", "dropped", "kept"]


def test_a_missing_day0_drops_the_event():
    p = series(1)
    p[50] = np.nan  # suspended on day 0
    result = run_event_study(make_panel([p, series(2)]), events([0, 1], [50, 50]), SPEC)
    assert reasons(result) == ["missing_day0", None]


def test_an_event_at_the_very_start_of_the_data():
    result = run_event_study(make_panel([series(1), series(2)]), events([0, 1], [1, 12]), SPEC)
    assert reasons(result) == ["too_few_estimation_returns", "too_few_estimation_returns"]
    assert result.n_estimation.tolist() == [0, 10]  # day 12: returns on sessions 1..10 of the window -30..-2


def test_the_same_ticker_in_many_events_is_keyed_by_event():
    p = series(4)
    # event windows [-1, 1]: 39..41, 44..46, 59..61, 61..63; estimation of the event at 60: sessions 30..58
    result = run_event_study(make_panel([p]), events([0, 0, 0, 0], [40, 45, 60, 62]), SPEC)
    assert result.n_estimation[2] == 29 - 6  # the windows 39..41 and 44..46 are masked out
    assert result.n_estimation[3] == 29 - 3 - 3 - 2  # 32..60 minus 39..41, 44..46 and 59..60
    plain = run_event_study(
        make_panel([p]),
        events([0, 0, 0, 0], [40, 45, 60, 62]),
        StudySpec(**{**_args(), "exclude_other_events": False}),
    )
    assert plain.n_estimation[2] == 29
    assert group_report(result)["days"][1]["n"] == 4


def test_duplicate_events_are_one_observation_not_an_infinite_t():
    """Two events of one ticker on one day 0 are one stock-day: counted once, as a single event would be."""
    result = run_event_study(make_panel([series(5)]), events([0, 0], [50, 50], ["a", "b"]), SPEC)
    single = run_event_study(make_panel([series(5)]), events([0], [50], ["a"]), SPEC)
    assert group_report(result) == group_report(single)
    day0 = group_report(result)["days"][1]
    assert day0["n"] == 1 and day0["csect_t"] is None and day0["r_bar"] is None
    assert any("fewer than 2 events" in note for note in day0["notes"])


def test_trade_to_trade_spans_a_suspension_and_drop_rule_leaves_it_out():
    p, m = series(6), series(99, sd=0.01)
    p[49] = np.nan  # suspended on day -1 of the event at 50
    panel = PricePanel(make_panel([p]).sessions, ("600000.SS",), np.array([p]), m)
    result = run_event_study(panel, events([0], [50]), SPEC)
    a, b = result.alpha[0], result.beta[0]
    r2, m2 = p[50] / p[48] - 1, m[50] / m[48] - 1  # the return and the benchmark over both sessions
    assert result.span[0].tolist() == [0, 2, 1]
    assert np.isnan(result.ar[0, 0])
    assert result.ar[0, 1] == pytest.approx(r2 - 2 * a - b * m2)
    assert result.car[0, 1] == pytest.approx(np.nansum(result.ar[0]))  # observed on day -2 and day +1
    dropped = run_event_study(panel, events([0], [50]), StudySpec(**{**_args(), "missing": "drop"}))
    assert reasons(dropped) == ["missing_day0"]


def test_the_caar_curve_and_its_band_are_over_the_same_events():
    """Four events on day 0 = session 50, window [-1, 2]; event 3 is suspended on day +1 (trade to trade: its
    day +2 return spans days +1 and +2). On day +1 the curve and the band are over the three events whose
    CAR(-1, +1) exists, on day +2 over all four again. By hand from the events' ARs: mean and sd (divisor
    n − 1) of the cumulative ARs — not a running sum of AARs over changing samples beside a band over all."""
    spec = StudySpec(estimation=(-30, -2), window=(-1, 2), car_windows=((0, 0),), min_estimation=20)
    prices = [series(20 + i) for i in range(4)]
    prices[3][51] = np.nan
    result = run_event_study(make_panel(prices), events([0, 1, 2, 3], [50, 50, 50, 50]), spec)
    assert result.kept.all() and np.isnan(result.ar[3, 2]) and result.span[3, 3] == 2
    g = result.group_index("all", "all")
    expected_n = [4, 4, 3, 4]
    for column, n in enumerate(expected_n):
        values = [float(np.sum(result.ar[i, : column + 1])) for i in range(3)]
        if column != 2:  # event 3 has no CAR to day +1 (not observed that day); to day +2 it has one again
            values.append(float(np.nansum(result.ar[3, : column + 1])))
        assert result.days["caar_n"][g, column] == n == len(values)
        assert result.days["caar"][g, column] == pytest.approx(np.mean(values), abs=1e-15)
        assert result.days["caar_se"][g, column] == pytest.approx(np.std(values, ddof=1) / np.sqrt(n), rel=1e-12)
    assert result.days["caar"][g, 3] == pytest.approx(np.mean(result.car[:, result.windows.index((-1, 2))]))
    # with no day missing the curve is the running sum of the AARs
    full = run_event_study(make_panel(prices[:3]), events([0, 1, 2], [50, 50, 50]), spec)
    assert full.days["caar"][0] == pytest.approx(np.cumsum(full.days["aar"][0]), abs=1e-15)


def test_a_car_needs_the_day_before_its_window():
    p = series(7)
    p[48] = np.nan  # day -2: the [-1, 1] window cannot start cleanly, [0, 0] can
    result = run_event_study(make_panel([p]), events([0], [50]), SPEC)
    assert np.isnan(result.car[0, 1]) and np.isfinite(result.car[0, 0])


def test_limit_days_are_flagged():
    up = series(8)
    up[50] = up[49] * 1.10  # +10% on a main-board stock: limit-up
    up[51] = up[50] * 0.95  # −5%: limit-down only for an ST name
    panel = make_panel([up, up.copy()], ("600000.SS", "300750.SZ"))
    table = EventTable(np.array(["main", "chinext"], dtype=object), np.array([0, 1]), np.array([50, 50]),
                       np.array([True, False]))  # fmt: skip
    result = run_event_study(panel, table, SPEC)
    assert result.limit[0].tolist() == [0, 1, -1]  # ST: 5% → the 10% day is up, the −5% day is down
    assert result.limit[1].tolist() == [0, 0, 0]  # ChiNext in 2021: ±20%
    assert event_records(result)[0]["n_limit_days"] == 2


def test_bad_specs_and_panels_are_clear_errors():
    with pytest.raises(ConfigError, match="must end before the event window"):
        StudySpec(estimation=(-10, 0), window=(-1, 1))
    with pytest.raises(ConfigError, match="min_estimation"):
        StudySpec(min_estimation=3)
    with pytest.raises(ConfigError, match="model"):
        StudySpec(model="fama_french")
    with pytest.raises(InputError, match="positive"):
        make_panel([np.full(N_SESSIONS, -1.0)])


def _args():
    return {"estimation": (-30, -2), "window": (-1, 1), "car_windows": ((0, 0), (-1, 1)), "min_estimation": 20}


def test_no_events_at_all_is_an_empty_result():
    result = run_event_study(make_panel([series(1)]), events([], []), SPEC)
    assert len(result.event_ids) == 0 and len(result.group_ids) == 0
    assert group_report(result) == {"days": [], "windows": []} and event_records(result) == []
