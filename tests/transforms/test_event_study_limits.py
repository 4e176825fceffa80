"""Limit days read from the exchange's own rule: the close at pre_close × (1 ± limit) rounded half up to the
cent. The expected limit prices are worked by hand in the comments."""

from __future__ import annotations

import numpy as np
import pytest
from policywatch.transforms.event_study import EventTable, PricePanel, StudySpec, run_event_study
from policywatch.transforms.event_study.limits import is_st_name, limit_flags_from_prices, limit_price

SPEC = StudySpec(estimation=(-30, -2), window=(-1, 1), car_windows=((0, 0),), min_estimation=20)
N = 60


def test_limit_prices_round_half_up_to_the_cent():
    # 9.99 × 1.10 = 10.989 → 10.99; 1.50 × 1.05 = 1.575 → 1.58 (half up); 1.50 × 0.95 = 1.425 → 1.43;
    # 10.05 × 1.10 = 11.055 → 11.06 (stored in binary a hair below the half cent)
    assert limit_price(np.array([9.99, 1.50, 10.05]), np.array([0.10, 0.05, 0.10]), +1).tolist() == [10.99, 1.58, 11.06]
    assert limit_price(np.array([1.50]), np.array([0.05]), -1).tolist() == [1.43]


def test_flags_from_close_and_pre_close():
    close = np.array([10.99, 21.92, 1.57, 1.58, 1.43, 1.44])
    pre = np.array([9.99, 20.00, 1.50, 1.50, 1.50, 1.50])
    limits = np.array([0.10, 0.10, 0.05, 0.05, 0.05, 0.05])
    # +10.01% at the limit; +9.6% short of 22.00; ST +4.67% short of 1.58; at 1.58; at 1.43; −4% above 1.43
    assert limit_flags_from_prices(close, pre, limits).tolist() == [1, 0, 0, 1, -1, 0]
    assert limit_flags_from_prices(close[:1], np.array([np.nan]), limits[:1]).tolist() == [0]


def panel_with(close_path: np.ndarray, pre_close: np.ndarray | None) -> PricePanel:
    sessions = (np.datetime64("2021-03-01") + np.arange(N)).astype("datetime64[D]")
    bench = 4000.0 * np.cumprod(1.0 + np.random.default_rng(1).normal(0.0, 0.01, N))
    prices = np.array([close_path])
    pre = None if pre_close is None else np.array([pre_close])
    return PricePanel(sessions, ("600000.SS",), prices, bench, close=prices.copy(), pre_close=pre)


def test_the_engine_uses_the_exact_rule_where_pre_close_is_known():
    path = 20.0 * np.cumprod(1.0 + np.random.default_rng(2).normal(0.0, 0.01, N))
    path[39] = 20.00
    path[40] = 21.92  # day 0: +9.6%, short of the limit price 22.00
    path[41] = 24.11  # day +1: the limit price, 21.92 × 1.10 = 24.112 → 24.11
    pre = np.r_[np.nan, path[:-1]]
    events = EventTable(np.array(["e"], dtype=object), np.array([0]), np.array([40]))
    exact = run_event_study(panel_with(path, pre), events, SPEC)
    assert exact.limit[0].tolist() == [0, 0, 1]
    # without the pre-close, the documented fallback (|return| ≥ limit − 0.5 pp) also flags the +9.6% day
    fallback = run_event_study(panel_with(path, None), events, SPEC)
    assert fallback.limit[0].tolist() == [0, 1, 1]


@pytest.mark.parametrize(
    ("name", "st"),
    [
        ("ST康美", True),
        ("*ST海航", True),
        (" *st中天", True),
        ("机器人", False),
        ("BEST科技", False),
        ("", False),
        (None, False),
    ],
)
def test_st_names_are_told_by_their_prefix(name, st):
    assert is_st_name(name) is st
