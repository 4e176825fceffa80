"""The per-event pass, vectorised over a block of events: normal-return model, ARs, SARs, CARs, ranks.

Conventions (documented in docs/event-studies.md too):

- Estimation window E_i = sessions day0+τ0 … day0+τ1. A return counts when stock and benchmark are observed,
  it spans one session (multi-session trade-to-trade returns are kept out of estimation: their variance is
  larger) and no other (confounding) event of the same ticker has its event window on that session.
  M_i = their number. An event with fewer than ``min_estimation`` is dropped as
  ``too_few_estimation_returns``, or as ``estimation_confounded`` when it had enough before the exclusion.
- Market model: OLS α̂, β̂; s_i² = Σ ε̂² / (M_i − 2). Constant mean: μ̂ = mean; s_i² = Σ (R − μ̂)² / (M_i − 1).
  Market-adjusted: AR = R − R_m; s_i² = Σ (AR − mean AR)² / (M_i − 1). d_i = M_i − 2 or M_i − 1 is the
  degrees of freedom used for Patell's Var(SAR) = d_i / (d_i − 2).
- A return spanning g sessions (trade-to-trade after a suspension) is predicted as g·α̂ + β̂·R_m(g) (g·μ̂ for
  constant mean) and its forecast-error variance is s_i²·[g + g²/M_i + (R_m − g·R̄_m)²/Σ(R_mτ − R̄_m)²]
  (market model), s_i²·(g + g²/M_i) (constant mean), s_i²·g (market-adjusted): Patell's correction with the
  CAR formula for L = g. With g = 1 these are the textbook one-day formulas.
- The CAAR curve's CAR to day t (``car_path``) follows the same rule with a = the window's first day.
- CAR over [a, b] needs the stock observed on day a−1 and on day b (trade-to-trade: the returns dated
  a…b then cover exactly the window) — under the drop rule, every day's AR in [a, b]; otherwise it is missing.
  S²(CAR) uses L = b − a + 1 and Σ R_m over the window's returns.
- Residual ranks for Corrado's test run over the estimation residuals and the event-window ARs together.
- Residuals standardised to unit length (z_i) feed the cross-correlation r̄ of Kolari–Pynnönen.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from policywatch.transforms.event_study.panel import ReturnPanel
from policywatch.transforms.event_study.ranks import row_ranks
from policywatch.transforms.event_study.spec import StudySpec

__all__ = ["EventBlock", "WindowSource", "estimate_block"]

#: reasons an event is dropped, in the order they are checked
REASONS = (
    "no_prices",
    "day0_outside_calendar",
    "missing_day0",
    "too_few_estimation_returns",
    #: enough returns in the estimation window, too few left once other events' windows are masked out
    "estimation_confounded",
    "benchmark_zero_variance",
    "zero_variance",
)


@dataclass(slots=True)
class EventBlock:
    reason: np.ndarray  #: object (n,): None when kept, else one of REASONS
    n_estimation: np.ndarray  #: int (n,): M, the estimation returns used (after the exclusion)
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
    #: (n, W) CAR from the first event-window day to each day, by the CAR rule (NaN where it does not exist)
    car_path: np.ndarray
    p_positive: np.ndarray  #: (n,) share of positive estimation residuals
    ranks_u: np.ndarray  #: float32 (n, K_est + W): U = rank/(T+1) − ½, NaN where no AR
    z: np.ndarray  #: float32 (n, K_est): unit-length centred estimation residuals (0 where none)


class WindowSource:
    """Window reads over a padded return panel (``compute_returns(..., pad=WindowSource.padding(spec))``)
    through sliding-window views: each event's window is one contiguous copy. The estimation-usable
    returns are pre-selected once (NaN elsewhere)."""

    def __init__(self, returns: ReturnPanel, spec: StudySpec, occupied: np.ndarray | None) -> None:
        (e0, e1), (w0, _w1) = spec.estimation, spec.window
        self.pad = returns.pad
        if self.pad < self.padding(spec):
            raise ValueError(f"the return panel needs {self.padding(spec)} sessions of padding")
        self.e0, self.w0 = e0, w0
        self.k_est, self.k_evt = e1 - e0 + 1, spec.window[1] - w0 + 2
        usable = returns.span == 1
        #: running count of usable returns before any exclusion (one leading zero column): M without it
        self.unmasked_count: np.ndarray | None = None
        if occupied is not None:
            self.unmasked_count = np.zeros((usable.shape[0], usable.shape[1] + 1), dtype=np.int32)
            np.cumsum(usable & np.isfinite(returns.stock) & np.isfinite(returns.bench_one)[None, :], axis=1,
                      out=self.unmasked_count[:, 1:])  # fmt: skip
            usable[:, self.pad : self.pad + occupied.shape[1]] &= ~occupied
        self.r_est = sliding_window_view(np.where(usable, returns.stock, np.nan), self.k_est, axis=1)
        # a session usable for estimation has the benchmark on it and on the one before: its one-session return
        self.m_est = sliding_window_view(returns.bench_one[None, :], self.k_est, axis=1)
        self.returns = returns
        self.stock = sliding_window_view(returns.stock, self.k_evt, axis=1)
        self.span = sliding_window_view(returns.span, self.k_evt, axis=1)
        self.observed = sliding_window_view(returns.observed, self.k_evt, axis=1)

    @staticmethod
    def padding(spec: StudySpec) -> int:
        (e0, e1), (w0, w1) = spec.estimation, spec.window
        return max(-e0, 1 - w0, w1, e1, 0) + 1

    def estimation(self, tick: np.ndarray, day0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        start = day0 + self.e0 + self.pad
        return self.r_est[tick, start], self.m_est[np.zeros_like(tick), start]

    def unmasked(self, tick: np.ndarray, day0: np.ndarray) -> np.ndarray | None:
        """Usable estimation returns per event had no other event been masked out (None: nothing is)."""
        if self.unmasked_count is None:
            return None
        start = day0 + self.e0 + self.pad
        return self.unmasked_count[tick, start + self.k_est] - self.unmasked_count[tick, start]

    def event(self, view: np.ndarray, tick: np.ndarray, day0: np.ndarray) -> np.ndarray:
        """The event window with the day before it in front (column 0)."""
        return view[tick, day0 + self.w0 - 1 + self.pad]


def estimate_block(source: WindowSource, tick: np.ndarray, day0: np.ndarray, spec: StudySpec) -> EventBlock:
    """Everything per event for ``tick``/``day0`` (indices into the panel; -1 = missing)."""
    valid = (tick >= 0) & (day0 >= 0)
    t = np.where(valid, tick, 0)
    # an invalid event reads the first window of the padded panel, then everything of it is blanked
    first = np.where(valid, day0, -spec.estimation[0] - source.pad)
    r, m = source.estimation(t, first)
    r[~valid] = np.nan
    fit = _fit(spec, r, m)
    window = _event_window(source, spec, t, valid, day0, fit)
    unmasked = source.unmasked(t, first)
    unmasked = fit.big_m if unmasked is None else np.where(valid, unmasked, 0)
    has_return = np.isfinite(window.ret) & np.isfinite(window.bench)
    reason = _reasons(spec, valid, tick, day0, has_return, fit.big_m, unmasked, fit.sxx, fit.s2)
    kept = reason == None  # noqa: E711 (object array)
    ranks, counts = row_ranks(np.concatenate([fit.resid, window.ar], axis=1))
    ranks_u = (ranks / (counts[:, None] + 1.0) - 0.5).astype(np.float32)
    ranks_u[~kept] = np.nan
    fit.z[~kept] = 0.0
    return EventBlock(
        reason=reason,
        n_estimation=fit.big_m,
        alpha=fit.alpha,
        beta=fit.beta,
        sigma=fit.sigma,
        dof=fit.dof,
        ret=window.ret,
        bench=window.bench,
        ar=window.ar,
        sar=window.sar,
        span=window.span,
        simple=window.simple,
        car=window.car,
        scar=window.scar,
        car_path=window.car_path,
        p_positive=fit.p_positive,
        ranks_u=ranks_u,
        z=fit.z,
    )


@dataclass(frozen=True, slots=True)
class _Fit:
    """The normal-return model fitted on each event's estimation window (NaN where the model has no such term)."""

    big_m: np.ndarray  #: M: the returns used
    safe_m: np.ndarray  #: M, at least 1 (a divisor)
    xbar: np.ndarray  #: mean benchmark return
    sxx: np.ndarray  #: Σ(R_m − R̄_m)² (market model only)
    alpha: np.ndarray
    beta: np.ndarray
    resid: np.ndarray  #: (n, K_est) residuals, NaN where no return
    dof: np.ndarray
    s2: np.ndarray
    sigma: np.ndarray
    p_positive: np.ndarray
    z: np.ndarray  #: float32 unit-length centred residuals


def _fit(spec: StudySpec, r: np.ndarray, m: np.ndarray) -> _Fit:
    n = r.shape[0]
    ok = np.isfinite(r)
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
            dx = np.where(ok, m0 - xbar[:, None], 0.0)
            sxx = np.einsum("ij,ij->i", dx, dx)
            beta = np.einsum("ij,ij->i", dx, r0) / sxx
            alpha = ybar - beta * xbar
            resid = r - alpha[:, None] - beta[:, None] * m0
        elif spec.model == "constant_mean":
            alpha, beta = ybar, nan.copy()
            resid = r - ybar[:, None]
        else:
            alpha, beta = nan.copy(), nan.copy()
            resid = r - m0
        resid0 = np.where(ok, resid, 0.0)
        resid_mean = resid0.sum(axis=1) / safe_m
        centred = np.where(ok, resid0 - resid_mean[:, None], 0.0)
        ssr = np.einsum("ij,ij->i", centred, centred)
        dof = (big_m - spec.n_parameters).astype(float)
        s2 = ssr / dof
        sigma = np.sqrt(s2)
        p_positive = (resid0 > 0).sum(axis=1) / safe_m
        norm = np.sqrt(ssr)
        z = (centred * (1.0 / np.where(norm > 0, norm, np.inf))[:, None]).astype(np.float32)
    return _Fit(big_m, safe_m, xbar, sxx, alpha, beta, resid, dof, s2, sigma, p_positive, z)


@dataclass(frozen=True, slots=True)
class _Window:
    """Each event's event window: returns, ARs and SARs per day, CARs per CAR window, the CAR path."""

    ret: np.ndarray
    bench: np.ndarray
    span: np.ndarray
    simple: np.ndarray
    ar: np.ndarray
    sar: np.ndarray
    car: np.ndarray
    scar: np.ndarray
    car_path: np.ndarray


def _event_window(
    source: WindowSource, spec: StudySpec, t: np.ndarray, valid: np.ndarray, day0: np.ndarray, fit: _Fit
) -> _Window:
    with np.errstate(invalid="ignore", divide="ignore"):
        # event window, with the day before it (observed there = a CAR can start at the window's first day)
        day = np.where(valid, day0, 1 - spec.window[0] - source.pad)
        observed = source.event(source.observed, t, day)
        rw = source.event(source.stock, t, day)[:, 1:]
        gw = source.event(source.span, t, day)[:, 1:]
        rw[~valid] = np.nan
        gw[~valid] = 0
        columns = (day + source.pad)[:, None] + np.arange(spec.window[0], spec.window[1] + 1)[None, :]
        mw = source.returns.bench_over(columns, gw)
        simple = source.returns.simple_from(rw, gw)
        observed[~valid] = False
        g = gw.astype(float)
        ar, factor = _abnormal(spec.model, rw, mw, g, fit.alpha, fit.beta, fit.xbar, fit.sxx, fit.safe_m)
        sar = ar / np.sqrt(fit.s2[:, None] * factor)
        car, scar = _cars(spec, ar, mw, observed, fit.alpha, fit.beta, fit.xbar, fit.sxx, fit.safe_m, fit.s2)
        car_path = _car_path(spec, ar, observed)
    return _Window(rw, mw, gw, simple, ar, sar, car, scar, car_path)


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


def _car_path(spec, ar, observed):
    """CAR over [w0, t] for every event-window day t, under the same rule as a CAR window: observed on the day
    before the window and on day t (drop rule: every AR up to t). The CAAR curve averages these, so the curve
    and its band are over one sample of events per day."""
    total = np.nancumsum(ar, axis=1)
    if spec.missing == "drop":
        complete = np.logical_and.accumulate(np.isfinite(ar), axis=1)
    else:
        complete = observed[:, :1] & observed[:, 1:]
    return np.where(complete, total, np.nan)


def _reasons(spec, valid, tick, day0, has_return, big_m, unmasked, sxx, s2) -> np.ndarray:
    reason = np.full(len(tick), None, dtype=object)

    def mark(condition, code):
        reason[(reason == None) & condition] = code  # noqa: E711

    mark(tick < 0, "no_prices")
    mark(day0 < 0, "day0_outside_calendar")
    w0, w1 = spec.window
    if w0 <= 0 <= w1:
        mark(~has_return[:, -w0], "missing_day0")
    mark(unmasked < spec.min_estimation, "too_few_estimation_returns")
    mark(big_m < spec.min_estimation, "estimation_confounded")
    if spec.model == "market":
        mark(~(sxx > 0), "benchmark_zero_variance")
    mark(~(s2 > 1e-20), "zero_variance")  # below ~1e-10 per-day sd: a constant series up to rounding
    return reason
