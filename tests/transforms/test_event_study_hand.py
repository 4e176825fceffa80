"""A small study worked by hand: every expected value is computed here with plain arithmetic
(Python floats, ``math``), from the formulas in docs/event-study.md, never by the engine."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from policywatch.transforms.event_study import EventTable, PricePanel, StudySpec, run_event_study
from policywatch.transforms.event_study.report import event_records, group_report

# returns of sessions 1..10 (session 0 is the base price); day 0 = session 9
MARKET = [0.010, -0.005, 0.003, 0.012, -0.008, 0.004, -0.002, 0.006, 0.001, -0.003]
STOCKS = {
    "600001.SS": [0.015, -0.010, 0.002, 0.020, -0.012, 0.010, -0.001, 0.004, 0.030, 0.002],
    "600002.SS": [0.005, 0.001, 0.006, 0.010, -0.010, 0.000, 0.003, 0.009, 0.018, -0.004],
    "600003.SS": [0.020, -0.015, 0.001, 0.015, -0.004, 0.008, -0.006, -0.002, 0.025, 0.001],
}
EST = range(0, 7)  # list positions of sessions 1..7 = relative days -8..-2
EVT = range(7, 10)  # sessions 8, 9, 10 = relative days -1, 0, +1
SPEC = StudySpec(estimation=(-8, -2), window=(-1, 1), car_windows=((0, 0), (-1, 1)), min_estimation=5)


def prices(returns: list[float]) -> list[float]:
    out = [100.0]
    for r in returns:
        out.append(out[-1] * (1.0 + r))
    return out


def panel() -> PricePanel:
    sessions = np.arange(np.datetime64("2021-03-01"), np.datetime64("2021-03-12")).astype("datetime64[D]")
    tickers = tuple(STOCKS)
    return PricePanel(sessions, tickers, np.array([prices(STOCKS[t]) for t in tickers]), np.array(prices(MARKET)))


def run(spec=SPEC):
    events = EventTable(np.array(["a", "b", "c"], dtype=object), np.array([0, 1, 2]), np.array([9, 9, 9]))
    return run_event_study(panel(), events, spec)


def mean(xs):
    return sum(xs) / len(xs)


def sd(xs):
    m = mean(xs)
    return math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1))


def normal_p(z):
    return math.erfc(abs(z) / math.sqrt(2.0))


def hand_market_model(y):
    x = [MARKET[i] for i in EST]
    ys = [y[i] for i in EST]
    m = len(x)
    xbar, ybar = mean(x), mean(ys)
    sxx = sum((xi - xbar) ** 2 for xi in x)
    beta = sum((xi - xbar) * (yi - ybar) for xi, yi in zip(x, ys, strict=True)) / sxx
    alpha = ybar - beta * xbar
    resid = [yi - alpha - beta * xi for xi, yi in zip(x, ys, strict=True)]
    s2 = sum(e * e for e in resid) / (m - 2)
    ar = [y[i] - alpha - beta * MARKET[i] for i in EVT]
    sar = [a / math.sqrt(s2 * (1 + 1 / m + (MARKET[i] - xbar) ** 2 / sxx)) for a, i in zip(ar, EVT, strict=True)]
    xs = sum(MARKET[i] for i in EVT)
    car = sum(ar)
    scar = car / math.sqrt(s2 * (3 + 9 / m + (xs - 3 * xbar) ** 2 / sxx))
    return {"alpha": alpha, "beta": beta, "s2": s2, "resid": resid, "ar": ar, "sar": sar, "car": car, "scar": scar}


HAND = {t: hand_market_model(r) for t, r in STOCKS.items()}


def test_market_model_per_event():
    result = run()
    assert result.kept.all()
    for i, ticker in enumerate(STOCKS):
        h = HAND[ticker]
        assert result.alpha[i] == pytest.approx(h["alpha"], rel=1e-9)
        assert result.beta[i] == pytest.approx(h["beta"], rel=1e-9)
        assert result.sigma[i] ** 2 == pytest.approx(h["s2"], rel=1e-9)
        assert result.n_estimation[i] == 7
        assert result.ar[i].tolist() == pytest.approx(h["ar"], rel=1e-9)
        assert result.sar[i].tolist() == pytest.approx(h["sar"], rel=1e-9)
        assert result.car[i, 1] == pytest.approx(h["car"], rel=1e-9)
        assert result.scar[i, 1] == pytest.approx(h["scar"], rel=1e-9)


def test_day_zero_statistics():
    day0 = group_report(run())["days"][1]
    assert day0["rel_day"] == 0 and day0["n"] == 3
    ar0 = [HAND[t]["ar"][1] for t in STOCKS]
    sar0 = [HAND[t]["sar"][1] for t in STOCKS]
    assert day0["aar"] == pytest.approx(mean(ar0), rel=1e-9)
    assert day0["csect_t"] == pytest.approx(mean(ar0) / (sd(ar0) / math.sqrt(3)), rel=1e-9)
    # Patell: d = M − 2 = 5, Var(SAR) = 5/3 per event
    patell = sum(sar0) / math.sqrt(3 * 5 / 3)
    assert day0["patell_z"] == pytest.approx(patell, rel=1e-9)
    assert day0["patell_p"] == pytest.approx(normal_p(patell), rel=1e-7)
    bmp = math.sqrt(3) * mean(sar0) / sd(sar0)
    assert day0["bmp_t"] == pytest.approx(bmp, rel=1e-9)
    assert (day0["n_pos"], day0["n_neg"]) == (sum(a > 0 for a in ar0), sum(a < 0 for a in ar0))


def test_kolari_pynnonen_uses_the_mean_residual_correlation():
    res = [HAND[t]["resid"] for t in STOCKS]

    def corr(a, b):
        ma, mb = mean(a), mean(b)
        num = sum((x - ma) * (y - mb) for x, y in zip(a, b, strict=True))
        return num / math.sqrt(sum((x - ma) ** 2 for x in a) * sum((y - mb) ** 2 for y in b))

    r_bar = mean([corr(res[0], res[1]), corr(res[0], res[2]), corr(res[1], res[2])])
    day0 = group_report(run())["days"][1]
    assert day0["r_bar"] == pytest.approx(r_bar, rel=1e-6)
    sar0 = [HAND[t]["sar"][1] for t in STOCKS]
    bmp = math.sqrt(3) * mean(sar0) / sd(sar0)
    assert day0["kp_bmp_t"] == pytest.approx(bmp * math.sqrt((1 - r_bar) / (1 + 2 * r_bar)), rel=1e-6)
    patell = sum(sar0) / math.sqrt(5)
    assert day0["kp_patell_z"] == pytest.approx(patell * math.sqrt(1 / (1 + 2 * r_bar)), rel=1e-6)
    # a window of 3 days, every event on the same day 0: the same r̄ (they share all 3 sessions)
    window = group_report(run())["windows"][1]
    assert window["r_bar"] == pytest.approx(r_bar, rel=1e-6)


def test_car_window_statistics():
    window = group_report(run())["windows"][1]
    assert window["window"] == "-1:1"
    cars = [HAND[t]["car"] for t in STOCKS]
    scars = [HAND[t]["scar"] for t in STOCKS]
    assert window["caar"] == pytest.approx(mean(cars), rel=1e-9)
    assert window["csect_t"] == pytest.approx(mean(cars) / (sd(cars) / math.sqrt(3)), rel=1e-9)
    assert window["patell_z"] == pytest.approx(sum(s / math.sqrt(5 / 3) for s in scars) / math.sqrt(3), rel=1e-9)
    assert window["bmp_t"] == pytest.approx(math.sqrt(3) * mean(scars) / sd(scars), rel=1e-9)


def ranks_of(values):
    """Average ranks, 1-based, by counting: rank = #smaller + (#equal + 1)/2."""
    return [sum(v < x for v in values) + (sum(v == x for v in values) + 1) / 2 for x in values]


def test_corrado_zivney_rank_test():
    # U_it = K_it/(T + 1) − ½ over 7 estimation residuals and 3 event-window ARs (T = 10)
    u = []
    for t in STOCKS:
        k = ranks_of(HAND[t]["resid"] + HAND[t]["ar"])
        u.append([ki / 11 - 0.5 for ki in k])
    ubar = [mean([u[i][d] for i in range(3)]) for d in range(10)]
    s_u = math.sqrt(sum(3 * x * x for x in ubar) / 10)
    report = group_report(run())
    z0 = math.sqrt(3) * ubar[8] / s_u
    assert report["days"][1]["corrado_z"] == pytest.approx(z0, rel=1e-6)
    z_window = sum(math.sqrt(3) * ubar[d] for d in (7, 8, 9)) / (math.sqrt(3) * s_u)
    assert report["windows"][1]["corrado_z"] == pytest.approx(z_window, rel=1e-6)


def test_generalized_sign_and_wilcoxon():
    p_hat = mean([sum(e > 0 for e in HAND[t]["resid"]) / 7 for t in STOCKS])
    ar0 = [HAND[t]["ar"][1] for t in STOCKS]
    w = sum(a > 0 for a in ar0)
    z = (w - 3 * p_hat) / math.sqrt(3 * p_hat * (1 - p_hat))
    day0 = group_report(run())["days"][1]
    assert day0["gsign_z"] == pytest.approx(z, rel=1e-9)
    ranks = ranks_of([abs(a) for a in ar0])
    w_plus = sum(r for r, a in zip(ranks, ar0, strict=True) if a > 0)
    assert day0["wilcoxon_w"] == pytest.approx(w_plus)
    z_w = (w_plus - 3 * 4 / 4) / math.sqrt(3 * 4 * 7 / 24)
    assert day0["wilcoxon_z"] == pytest.approx(z_w, rel=1e-9)
    # three untied values: the exact p, by enumerating the 2³ equally likely sign patterns of the ranks 1, 2, 3
    null = [sum(r for r, s in zip((1, 2, 3), signs, strict=True) if s) for signs in itertools.product((0, 1), repeat=3)]
    exact = min(1.0, 2 * min(sum(v <= w_plus for v in null), sum(v >= w_plus for v in null)) / 8)
    assert day0["wilcoxon_p"] == pytest.approx(exact, rel=1e-12)


def test_constant_mean_and_market_adjusted_models():
    y = STOCKS["600001.SS"]
    ys = [y[i] for i in EST]
    mu = mean(ys)
    s2 = sum((v - mu) ** 2 for v in ys) / 6
    ar0 = y[8] - mu
    const = run(StudySpec(**{**_spec_args(), "model": "constant_mean"}))
    assert const.alpha[0] == pytest.approx(mu) and const.sigma[0] ** 2 == pytest.approx(s2)
    assert const.ar[0, 1] == pytest.approx(ar0)
    assert const.sar[0, 1] == pytest.approx(ar0 / math.sqrt(s2 * (1 + 1 / 7)))
    adjusted = run(StudySpec(**{**_spec_args(), "model": "market_adjusted"}))
    diffs = [y[i] - MARKET[i] for i in EST]
    s2_ma = sum((d - mean(diffs)) ** 2 for d in diffs) / 6
    assert adjusted.ar[0, 1] == pytest.approx(y[8] - MARKET[8])
    assert adjusted.sar[0, 1] == pytest.approx((y[8] - MARKET[8]) / math.sqrt(s2_ma))
    records = event_records(adjusted)
    assert records[0]["alpha"] is None and records[0]["beta"] is None


def test_log_returns():
    result = run(StudySpec(**{**_spec_args(), "returns": "log"}))
    p = prices(STOCKS["600002.SS"])
    assert result.ret[1, 1] == pytest.approx(math.log(p[9] / p[8]))
    assert result.bench[1, 1] == pytest.approx(math.log(prices(MARKET)[9] / prices(MARKET)[8]))


def _spec_args():
    return {"estimation": (-8, -2), "window": (-1, 1), "car_windows": ((0, 0), (-1, 1)), "min_estimation": 5}


def test_the_caar_band_uses_student_t_of_the_events_that_reach_each_day():
    """q from a printed t table (two-sided 95%): 12.7062 with 1 degree of freedom, 2.2281 with 10; no band
    where fewer than 2 events reach the day."""
    from policywatch.transforms.event_study.report import caar_band

    caar = np.array([0.01, 0.02, 0.03, 0.04])
    se = np.array([0.01, 0.01, 0.002, 0.01])
    lower, upper = caar_band(caar, se, np.array([0, 1, 2, 11]))
    assert np.isnan(lower[:2]).all() and np.isnan(upper[:2]).all()
    assert lower[2:] == pytest.approx([0.03 - 12.7062 * 0.002, 0.04 - 2.2281 * 0.01], abs=1e-6)
    assert upper[2:] == pytest.approx([0.03 + 12.7062 * 0.002, 0.04 + 2.2281 * 0.01], abs=1e-6)
