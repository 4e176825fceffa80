"""The per-event pass, vectorised over a block of events: normal-return model, ARs, SARs, CARs, ranks.

Conventions (documented in the README too):

- Estimation window E_i = sessions day0+τ0 … day0+τ1. A return counts when stock and benchmark are observed,
  it spans one session (multi-session trade-to-trade returns are kept out of estimation: their variance is
  larger) and no other event of the same ticker has its event window on that session. M_i = their number.
- Market model: OLS α̂, β̂; s_i² = Σ ε̂² / (M_i − 2). Constant mean: μ̂ = mean; s_i² = Σ (R − μ̂)² / (M_i − 1).
  Market-adjusted: AR = R − R_m; s_i² = Σ (AR − mean AR)² / (M_i − 1). d_i = M_i − 2 or M_i − 1 is the
  degrees of freedom used for Patell's Var(SAR) = d_i / (d_i − 2).
- A return spanning g sessions (trade-to-trade after a suspension) is predicted as g·α̂ + β̂·R_m(g) (g·μ̂ for
  constant mean) and its forecast-error variance is s_i²·[g + g²/M_i + (R_m − g·R̄_m)²/Σ(R_mτ − R̄_m)²]
  (market model), s_i²·(g + g²/M_i) (constant mean), s_i²·g (market-adjusted): Patell's correction with the
  CAR formula for L = g. With g = 1 these are the textbook one-day formulas.
- CAR over [a, b] needs the stock observed on day a−1 and on day b (trade-to-trade: the returns dated
  a…b then cover exactly the window) — under the drop rule, every day's AR in [a, b]; otherwise it is missing.
  S²(CAR) uses L = b − a + 1 and Σ R_m over the window's returns.
- Residual ranks for Corrado's test run over the estimation residuals and the event-window ARs together.
- Residuals standardised to unit length (z_i) feed the cross-correlation r̄ of Kolari–Pynnönen.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from transforms.event_study.panel import ReturnPanel
from transforms.event_study.ranks import row_ranks
from transforms.event_study.spec import StudySpec

__all__ = ["EventBlock", "estimate_block"]

#: reasons an event is dropped, in the order they are checked
REASONS = (
    "no_prices",
    "day0_outside_calendar",
    "missing_day0",
    "too_few_estimation_returns",
    "benchmark_zero_variance",
    "zero_variance",
)


@dataclass(slots=True)
class EventBlock:
    reason: np.ndarray  #: object (n,): None when kept, else one of REASONS
    n_estimation: np.ndarray  #: int (n,)
    alpha: np.ndarray
    beta: np.ndarray
    sigma: np.ndarray
    dof: np.ndarray  #: float (n,): M − parameters
    ret: np.ndarray  #: (n, W) stock return on each event-window day
    bench: np.ndarray  #: (n, W) benchmark return over the same span
    ar: np.ndarray  #: (n, W)
    sar: np.ndarray  #: (n, W)
    span: np.ndarray  #: int32 (n, W), 0 = no return
    simple: np.ndarray  #: (n, W) one-session simple return (limit flags)
    car: np.ndarray  #: (n, n_windows)
    scar: np.ndarray  #: (n, n_windows)
    p_positive: np.ndarray  #: (n,) share of positive estimation residuals
    ranks_u: np.ndarray  #: float32 (n, K_est + W): U = rank/(T+1) − ½, NaN where no AR
    z: np.ndarray  #: float32 (n, K_est): unit-length centred estimation residuals (0 where none)


def _gather(matrix: np.ndarray, tick: np.ndarray, pos: np.ndarray, fill) -> np.ndarray:
    n_s = matrix.shape[1]
    inside = (pos >= 0) & (pos < n_s)
    out = matrix[tick[:, None], np.clip(pos, 0, n_s - 1)]
    out[~inside] = fill
    return out


def estimate_block(
    returns: ReturnPanel,
    tick: np.ndarray,
    day0: np.ndarray,
    spec: StudySpec,
    occupied: np.ndarray | None,
) -> EventBlock:
    """Everything per event for ``tick``/``day0`` (indices into the panel; -1 = missing)."""
    n = len(tick)
    (e0, e1), (w0, w1) = spec.estimation, spec.window
    valid = (tick >= 0) & (day0 >= 0)
    t = np.where(valid, tick, 0)
    d = np.where(valid, day0, -(10**9))  # far outside: every gathered value becomes missing

    est_pos = d[:, None] + np.arange(e0, e1 + 1)[None, :]
    r = _gather(returns.stock, t, est_pos, np.nan)
    m = _gather(returns.bench, t, est_pos, np.nan)
    ok = np.isfinite(r) & np.isfinite(m) & (_gather(returns.span, t, est_pos, 0) == 1)
    if occupied is not None:
        ok &= ~_gather(occupied, t, est_pos, False)
    big_m = ok.sum(axis=1)
    safe_m = np.maximum(big_m, 1)
    r0 = np.where(ok, r, 0.0)
    m0 = np.where(ok, m, 0.0)
    ybar = r0.sum(axis=1) / safe_m
    xbar = m0.sum(axis=1) / safe_m
    nan = np.full(n, np.nan)
    sxx = nan.copy()
    with np.errstate(invalid="ignore", divide="ignore"):
        if spec.model == "market":
            dx = np.where(ok, m - xbar[:, None], 0.0)
            dy = np.where(ok, r - ybar[:, None], 0.0)
            sxx = (dx * dx).sum(axis=1)
            beta = (dx * dy).sum(axis=1) / sxx
            alpha = ybar - beta * xbar
            resid = np.where(ok, r - alpha[:, None] - beta[:, None] * m, np.nan)
        elif spec.model == "constant_mean":
            alpha, beta = ybar, nan.copy()
            resid = np.where(ok, r - ybar[:, None], np.nan)
        else:
            alpha, beta = nan.copy(), nan.copy()
            resid = np.where(ok, r - m, np.nan)
        resid_mean = np.where(ok, resid, 0.0).sum(axis=1) / safe_m
        centred = np.where(ok, resid - resid_mean[:, None], 0.0)
        ssr = (centred * centred).sum(axis=1)
        dof = (big_m - spec.n_parameters).astype(float)
        s2 = ssr / dof
        sigma = np.sqrt(s2)
        p_positive = (np.where(ok, resid, 0.0) > 0).sum(axis=1) / safe_m
        norm = np.sqrt(ssr)
        z = np.where(norm[:, None] > 0, centred / np.where(norm > 0, norm, 1.0)[:, None], 0.0).astype(np.float32)

        # event window, with the day before it (observed there = a CAR can start at the window's first day)
        evt_pos = d[:, None] + np.arange(w0 - 1, w1 + 1)[None, :]
        observed = _gather(returns.observed, t, evt_pos, False)
        rw = _gather(returns.stock, t, evt_pos[:, 1:], np.nan)
        mw = _gather(returns.bench, t, evt_pos[:, 1:], np.nan)
        gw = _gather(returns.span, t, evt_pos[:, 1:], 0)
        simple = _gather(returns.simple, t, evt_pos[:, 1:], np.nan)
        g = gw.astype(float)
        ar, factor = _abnormal(spec.model, rw, mw, g, alpha, beta, xbar, sxx, safe_m)
        sar = ar / np.sqrt(s2[:, None] * factor)
        car, scar = _cars(spec, ar, mw, observed, alpha, beta, xbar, sxx, safe_m, s2)

    reason = _reasons(spec, valid, tick, day0, np.isfinite(rw) & np.isfinite(mw), big_m, sxx, s2)
    kept = reason == None  # noqa: E711 (object array)
    ranks, counts = row_ranks(np.concatenate([resid, ar], axis=1))
    ranks_u = (ranks / (counts[:, None] + 1.0) - 0.5).astype(np.float32)
    ranks_u[~kept] = np.nan
    z[~kept] = 0.0
    return EventBlock(
        reason=reason,
        n_estimation=big_m,
        alpha=alpha,
        beta=beta,
        sigma=sigma,
        dof=dof,
        ret=rw,
        bench=mw,
        ar=ar,
        sar=sar,
        span=gw,
        simple=simple,
        car=car,
        scar=scar,
        p_positive=p_positive,
        ranks_u=ranks_u,
        z=z,
    )


def _abnormal(model, rw, mw, g, alpha, beta, xbar, sxx, big_m):
    """ARs of the event window and their forecast-error variance factors (times s_i²)."""
    if model == "market":
        ar = rw - alpha[:, None] * g - beta[:, None] * mw
        factor = g + g * g / big_m[:, None] + (mw - g * xbar[:, None]) ** 2 / sxx[:, None]
    elif model == "constant_mean":
        ar = rw - alpha[:, None] * g
        factor = g + g * g / big_m[:, None]
    else:
        ar = rw - mw
        factor = g.copy()
    return ar, factor


def _cars(spec, ar, mw, observed, alpha, beta, xbar, sxx, big_m, s2):
    w0 = spec.window[0]
    windows = spec.windows
    car = np.full((ar.shape[0], len(windows)), np.nan)
    scar = car.copy()
    for j, (a, b) in enumerate(windows):
        ia, ib = a - w0, b - w0  # columns in ar; observed has one more column in front
        block = ar[:, ia : ib + 1]
        # drop rule: every day's AR; trade-to-trade: observed the day before and on the last day
        drop = spec.missing == "drop"
        complete = np.isfinite(block).all(axis=1) if drop else observed[:, ia] & observed[:, ib + 1]
        total = np.nansum(block, axis=1)
        length = float(b - a + 1)
        x = np.nansum(mw[:, ia : ib + 1], axis=1)
        if spec.model == "market":
            factor = length + length**2 / big_m + (x - length * xbar) ** 2 / sxx
        elif spec.model == "constant_mean":
            factor = length + length**2 / big_m
        else:
            factor = np.full(ar.shape[0], length)
        car[:, j] = np.where(complete, total, np.nan)
        scar[:, j] = car[:, j] / np.sqrt(s2 * factor)
    return car, scar


def _reasons(spec, valid, tick, day0, has_return, big_m, sxx, s2) -> np.ndarray:
    reason = np.full(len(tick), None, dtype=object)

    def mark(condition, code):
        reason[(reason == None) & condition] = code  # noqa: E711

    mark(tick < 0, "no_prices")
    mark(day0 < 0, "day0_outside_calendar")
    w0, w1 = spec.window
    if w0 <= 0 <= w1:
        mark(~has_return[:, -w0], "missing_day0")
    mark(big_m < spec.min_estimation, "too_few_estimation_returns")
    if spec.model == "market":
        mark(~(sxx > 0), "benchmark_zero_variance")
    mark(~(s2 > 1e-20), "zero_variance")  # below ~1e-10 per-day sd: a constant series up to rounding
    return reason
