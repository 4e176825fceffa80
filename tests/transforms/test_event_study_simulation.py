"""Simulations with a known market model: a planted abnormal return must be recovered, and with none
planted every test must reject at about its nominal 5% rate. Seeded; about ten seconds in all."""

from __future__ import annotations

import numpy as np
import pytest
from policywatch.transforms.event_study import EventTable, Groups, PricePanel, StudySpec, run_event_study
from policywatch.transforms.event_study.report import TESTS
from scipy.stats import binom

SPEC = StudySpec(estimation=(-120, -11), window=(-5, 5), car_windows=((0, 0), (0, 1), (0, 5)), min_estimation=80)


def simulate(n_events, *, seed, plant=None, common_shock=0.0, cluster_size=None, n_sessions=200):
    """One ticker per event; day 0 at session 150 for all (clusters share a common residual shock)."""
    rng = np.random.default_rng(seed)
    market = rng.normal(0.0004, 0.012, n_sessions)
    alpha = rng.normal(0.0, 0.0005, n_events)
    beta = rng.uniform(0.5, 1.5, n_events)
    sigma = rng.uniform(0.01, 0.03, n_events)
    noise = rng.normal(size=(n_events, n_sessions)) * sigma[:, None]
    if common_shock:
        clusters = np.arange(n_events) // cluster_size
        shocks = rng.normal(0.0, common_shock, (clusters.max() + 1, n_sessions))
        noise = noise + shocks[clusters] * sigma[:, None] / sigma.mean()
    returns = alpha[:, None] + beta[:, None] * market[None, :] + noise
    day0 = 150
    for rel, size in (plant or {}).items():
        returns[:, day0 + rel] += size
    prices = 20.0 * np.cumprod(1.0 + returns, axis=1)
    bench = 3000.0 * np.cumprod(1.0 + market)
    sessions = np.datetime64("2020-01-01") + np.arange(n_sessions)
    tickers = tuple(f"{600000 + i:06d}.SS" for i in range(n_events))
    panel = PricePanel(sessions.astype("datetime64[D]"), tickers, prices, bench)
    events = EventTable(np.array([f"e{i}" for i in range(n_events)], dtype=object), np.arange(n_events),
                        np.full(n_events, day0))  # fmt: skip
    return panel, events, beta, sigma


def test_a_planted_abnormal_return_is_recovered():
    panel, events, beta, sigma = simulate(300, seed=11, plant={0: 0.015, 1: 0.005})
    result = run_event_study(panel, events, SPEC)
    assert result.kept.all()
    assert np.mean(np.abs(result.beta - beta)) < 0.15
    assert np.corrcoef(result.sigma, sigma)[0, 1] > 0.95
    g = result.group_index("all", "all")
    day = {int(d): c for c, d in enumerate(result.rel_days)}
    se = np.sqrt(np.mean(sigma**2) / 300)
    assert result.days["aar"][g, day[0]] == pytest.approx(0.015, abs=4 * se)
    assert result.days["aar"][g, day[1]] == pytest.approx(0.005, abs=4 * se)
    for quiet in (-5, -3, -1, 3, 5):
        assert abs(result.days["aar"][g, day[quiet]]) < 4 * se
    windows = {w: c for c, w in enumerate(result.windows)}
    assert result.window_stats["caar"][g, windows[(0, 1)]] == pytest.approx(0.020, abs=6 * se)
    assert result.window_stats["caar"][g, windows[(0, 5)]] == pytest.approx(0.020, abs=10 * se)
    for _statistic, p in TESTS:
        assert result.days[p][g, day[0]] < 0.001, p
        assert result.window_stats[p][g, windows[(0, 1)]] < 0.001, p
        assert result.days[p][g, day[-3]] > 0.001, p


def rejection_rates(result, column, group_type="rep"):
    rows = result.group_types == group_type
    return {p: float(np.mean(result.days[p][rows, column] < 0.05)) for _, p in TESTS}


def null_bounds(reps: int, size: int) -> dict[str, tuple[float, float]]:
    """Acceptance bounds for the rejection rates of ``reps`` independent groups of ``size`` events: the
    expected rate ± 4 binomial sd, sd = √(α(1 − α)/reps). α is 5% for every test but the generalized sign
    test, whose count w is discrete: with p̂ ≈ ½ it rejects when |w − n/2| ≥ 7 for n = 40, so its true size is
    P(|Bin(40, ½) − 20| ≥ 7) ≈ 3.8%, not 5% (Cowan's test is conservative for small n)."""
    half = size / 2
    cut = int(np.ceil(1.96 * np.sqrt(size * 0.25) - 1e-9))
    sign_size = float(2 * binom.sf(half + cut - 1, size, 0.5))
    bounds = {}
    for _, p in TESTS:
        alpha = sign_size if p == "gsign_p" else 0.05
        sd = np.sqrt(alpha * (1 - alpha) / reps)
        bounds[p] = (alpha - 4 * sd, alpha + 4 * sd)
    return bounds


def test_without_an_effect_every_test_rejects_at_about_five_percent():
    """2,000 groups of 40 events: the bounds are ±4 binomial sd (about ±2 points) around each test's size."""
    reps, size = 2000, 40
    panel, events, _, _ = simulate(reps * size, seed=5)
    groups = Groups(
        np.full(reps * size, "rep", dtype=object),
        np.array([f"r{i // size}" for i in range(reps * size)], dtype=object),
        np.arange(reps * size),
    )
    result = run_event_study(panel, events, SPEC, groups)
    bounds = null_bounds(reps, size)
    assert bounds["csect_p"] == pytest.approx((0.0305, 0.0695), abs=1e-4)
    assert bounds["gsign_p"][0] == pytest.approx(0.0213, abs=1e-3)
    day0 = int(np.flatnonzero(result.rel_days == 0)[0])
    for name, rate in rejection_rates(result, day0).items():
        assert bounds[name][0] <= rate <= bounds[name][1], (name, rate)
    rows = result.group_types == "rep"
    window = result.windows.index((0, 5))
    for _, p in TESTS:
        rate = float(np.mean(result.window_stats[p][rows, window] < 0.05))
        assert bounds[p][0] <= rate <= bounds[p][1], (p, rate)


def test_kolari_pynnonen_corrects_for_events_on_the_same_day():
    """Residuals correlated across events on one day (ρ ≈ 0.2): BMP over-rejects, KP stays near 5%."""
    reps, size = 200, 30
    panel, events, _, _ = simulate(reps * size, seed=3, common_shock=0.01, cluster_size=size)
    groups = Groups(
        np.full(reps * size, "rep", dtype=object),
        np.array([f"r{i // size}" for i in range(reps * size)], dtype=object),
        np.arange(reps * size),
    )
    result = run_event_study(panel, events, SPEC, groups)
    rows = result.group_types == "rep"
    assert 0.1 < float(np.mean(result.r_bar_day[rows])) < 0.35
    day0 = int(np.flatnonzero(result.rel_days == 0)[0])
    rates = rejection_rates(result, day0)
    assert rates["bmp_p"] > 0.25 and rates["patell_p"] > 0.25
    assert rates["kp_bmp_p"] < 0.11 and rates["kp_patell_p"] < 0.11
