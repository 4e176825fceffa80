"""Test statistics for many groups at once: rows are (group, event) memberships sorted by group.

Every statistic is computed per group and per column (an event day, or a CAR window). Conventions:

- cross-sectional t: mean / (sd / √n), sd with divisor n − 1, two-sided p from t(n − 1);
- Patell Z, days: Σ SAR / √(Σ d_i/(d_i − 2)); windows: (1/√n) Σ SCAR_i / √(d_i/(d_i − 2)); p from N(0, 1);
- BMP: √n · mean(SAR) / sd(SAR) (divisor n − 1), p from t(n − 1); on SCAR for windows;
- Kolari–Pynnönen: t_BMP · √((1 − r̄)/(1 + (n − 1) r̄)) with p from t(n − 1); Patell · √(1/(1 + (n − 1) r̄))
  with p from N(0, 1); NaN when 1 + (n − 1) r̄ ≤ 0;
- generalized sign (Cowan 1992): p̂ = mean over the group's events of each event's share of positive
  estimation-window ARs; Z = (w − n p̂)/√(n p̂ (1 − p̂)), w = events with AR (CAR) > 0; p from N(0, 1);
- Wilcoxon signed rank: W = sum of the ranks of |x| over positive x (zeros dropped, ties averaged), n = the
  nonzero values; p from the exact null distribution of W (all 2^n sign patterns equally likely,
  p = min(1, 2·min(P(W ≤ w), P(W ≥ w)))) when n ≤ 50 and no two |x| are tied, else the normal approximation
  with the tie correction and no continuity correction (scipy.stats.wilcoxon's "auto" for untied data);
  ``wilcoxon_z`` is the normal score in both cases;
- Corrado–Zivney rank: U_it = K_it/(T_i + 1) − ½ (ranks over each event's estimation and event windows);
  S_U² = (1/T) Σ_t N_t Ū_t² over the T relative days with data; z_t = √N_t Ū_t / S_U;
  window: Σ_{t∈w} √N_t Ū_t / (√L S_U); p from N(0, 1).
A group of fewer than two events has no test: every statistic (t, Patell, BMP, both KP versions, Corrado,
sign, Wilcoxon) is NaN for it and gets a note, Patell and Corrado included, although a one-event Patell Z or
rank would be a time-series test of that event: read the event's own standardized AR in ``event_returns``.
A statistic that cannot be computed otherwise (zero variance) is NaN and gets a note too.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from policywatch.transforms.event_study.ranks import segment_ranks
from scipy import sparse
from scipy.special import ndtr
from scipy.stats import t as student_t

__all__ = [
    "EXACT_WILCOXON_MAX_N",
    "TESTS",
    "TEST_KEYS",
    "Segments",
    "corrado",
    "cross_section",
    "kolari_pynnonen",
    "mean_sd",
    "no_tests_below_two",
    "two_sided_normal",
    "two_sided_t",
    "wilcoxon_exact_p",
]

#: (statistic, its p-value) for every test, in report order
TESTS: tuple[tuple[str, str], ...] = (
    ("csect_t", "csect_p"),
    ("patell_z", "patell_p"),
    ("bmp_t", "bmp_p"),
    ("kp_bmp_t", "kp_bmp_p"),
    ("kp_patell_z", "kp_patell_p"),
    ("corrado_z", "corrado_p"),
    ("gsign_z", "gsign_p"),
    ("wilcoxon_w", "wilcoxon_p"),
)
#: every test statistic and p-value a group gets (NaN for a group of fewer than two events)
TEST_KEYS = (*(key for pair in TESTS for key in pair), "wilcoxon_z")
#: the exact Wilcoxon distribution is used up to this many nonzero untied values
EXACT_WILCOXON_MAX_N = 50


@dataclass(frozen=True, slots=True)
class Segments:
    """Memberships sorted by group: row r belongs to group ``seg[r]`` and is event ``idx[r]``."""

    seg: np.ndarray
    idx: np.ndarray
    n_groups: int
    n_events: int

    @classmethod
    def build(cls, group_code: np.ndarray, event_idx: np.ndarray, n_groups: int, n_events: int) -> Segments:
        order = np.lexsort((event_idx, group_code))
        return cls(group_code[order], event_idx[order], n_groups, n_events)

    @property
    def starts(self) -> np.ndarray:
        return np.flatnonzero(np.r_[True, self.seg[1:] != self.seg[:-1]]) if self.seg.size else self.seg

    def sum_rows(self, matrix: np.ndarray, block: int = 16_384) -> tuple[np.ndarray, np.ndarray]:
        """Per-group sums of the finite values of ``matrix[event]`` rows, and their counts (float64).

        One sparse (group × event) product per block of events: no (members × width) temporary, and fast
        for many small groups (articles) as for a few large ones.
        """
        sums = np.zeros((self.n_groups, matrix.shape[1]))
        counts = np.zeros((self.n_groups, matrix.shape[1]))
        by_event = np.argsort(self.idx, kind="stable")
        idx_sorted = self.idx[by_event]
        bounds = np.searchsorted(idx_sorted, np.arange(0, self.n_events + block, block))
        for k, lo in enumerate(range(0, self.n_events, block)):
            rows = by_event[bounds[k] : bounds[k + 1]]
            if rows.size == 0:
                continue
            hi = min(lo + block, self.n_events)
            member = sparse.csr_matrix(
                (np.ones(rows.size), (self.seg[rows], self.idx[rows] - lo)), shape=(self.n_groups, hi - lo)
            )
            chunk = matrix[lo:hi].astype(np.float64)
            finite = np.isfinite(chunk)
            sums += member @ np.where(finite, chunk, 0.0)
            counts += member @ finite.astype(np.float64)
        return sums, counts

    def sum(self, values: np.ndarray) -> np.ndarray:
        """Per-group sums of (rows × columns) values; groups are assumed non-empty and in order 0..G-1."""
        if values.shape[0] == 0:
            return np.zeros((self.n_groups, *values.shape[1:]))
        return np.add.reduceat(values, self.starts, axis=0)


def two_sided_normal(z: np.ndarray) -> np.ndarray:
    return 2.0 * ndtr(-np.abs(z))


def two_sided_t(t: np.ndarray, dof: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        dof = np.where(dof >= 1, dof, np.nan)
        return 2.0 * student_t.sf(np.abs(t), dof)


def mean_sd(segs: Segments, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    finite = np.isfinite(x)
    n = segs.sum(finite.astype(float))
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = segs.sum(np.where(finite, x, 0.0)) / n
        dev = np.where(finite, x - mean[segs.seg], 0.0)
        var = segs.sum(dev * dev) / (n - 1)
    var = np.where(n >= 2, var, np.nan)
    return n, mean, np.sqrt(var)


def cross_section(
    segs: Segments,
    x: np.ndarray,
    sx: np.ndarray,
    dof: np.ndarray,
    p_hat: np.ndarray,
    *,
    window_form: bool,
) -> dict[str, np.ndarray]:
    """Parametric and sign/rank statistics of (rows × columns) ``x`` (AR or CAR) and ``sx`` (SAR or SCAR).

    ``dof`` per row, ``p_hat`` per group. Returns (groups × columns) arrays; the Kolari–Pynnönen versions
    are added by :func:`kolari_pynnonen` once r̄ is known.
    """
    n, mean, sd = mean_sd(segs, x)
    _, smean, ssd = mean_sd(segs, sx)
    var_sar = (dof / (dof - 2.0))[:, None]
    present = np.isfinite(sx)
    out: dict[str, np.ndarray] = {"n": n, "mean": mean, "sd": sd}
    with np.errstate(invalid="ignore", divide="ignore"):
        out["csect_t"] = np.where(sd > 0, mean / (sd / np.sqrt(n)), np.nan)
        out["csect_p"] = two_sided_t(out["csect_t"], n - 1)
        if window_form:
            out["patell_z"] = segs.sum(np.where(present, sx / np.sqrt(var_sar), 0.0)) / np.sqrt(n)
        else:
            out["patell_z"] = segs.sum(np.where(present, sx, 0.0)) / np.sqrt(segs.sum(np.where(present, var_sar, 0.0)))
        out["patell_z"] = np.where(n >= 1, out["patell_z"], np.nan)
        out["patell_p"] = two_sided_normal(out["patell_z"])
        out["bmp_t"] = np.where(ssd > 0, np.sqrt(n) * smean / ssd, np.nan)
        out["bmp_p"] = two_sided_t(out["bmp_t"], n - 1)
        positive = segs.sum((x > 0).astype(float))
        out["n_pos"] = positive
        out["n_neg"] = segs.sum((x < 0).astype(float))
        p = p_hat[:, None]
        out["gsign_z"] = np.where((p > 0) & (p < 1), (positive - n * p) / np.sqrt(n * p * (1.0 - p)), np.nan)
        out["gsign_p"] = two_sided_normal(out["gsign_z"])
    out.update(_wilcoxon(segs, x))
    return out


def kolari_pynnonen(stats: dict[str, np.ndarray], r_bar: np.ndarray) -> None:
    """Add the KP-adjusted BMP t and Patell Z to ``stats`` (in place), ``r_bar`` per group and column."""
    n = stats["n"]
    with np.errstate(invalid="ignore", divide="ignore"):
        inflation = 1.0 + (n - 1.0) * r_bar
        ok = inflation > 0
        stats["kp_bmp_t"] = np.where(ok, stats["bmp_t"] * np.sqrt((1.0 - r_bar) / inflation), np.nan)
        stats["kp_bmp_p"] = two_sided_t(stats["kp_bmp_t"], n - 1)
        stats["kp_patell_z"] = np.where(ok, stats["patell_z"] * np.sqrt(1.0 / inflation), np.nan)
        stats["kp_patell_p"] = two_sided_normal(stats["kp_patell_z"])


def no_tests_below_two(stats: dict[str, np.ndarray]) -> None:
    """Blank every test statistic of the (group, column) cells with fewer than two events (in place)."""
    few = stats["n"] < 2
    for key in TEST_KEYS:
        if key in stats:
            stats[key] = np.where(few, np.nan, stats[key])


@functools.cache
def _exact_wilcoxon_table(max_n: int = EXACT_WILCOXON_MAX_N) -> np.ndarray:
    """(max_n + 1, max_n(max_n + 1)/2 + 1): two-sided exact p of W⁺ = w for n untied nonzero values.

    Under H0 each of the 2^n sign patterns of ranks 1..n is equally likely; the number of patterns with
    W⁺ = w is the number of subsets of {1..n} summing to w (built rank by rank; below 2^53, exact in float64).
    """
    top = max_n * (max_n + 1) // 2
    table = np.ones((max_n + 1, top + 1))
    counts = np.zeros(top + 1)
    counts[0] = 1.0
    for n in range(1, max_n + 1):
        counts[n:] = counts[n:] + counts[: top + 1 - n].copy()
        total = 2.0**n
        cdf = np.cumsum(counts) / total  # P(W ≤ w)
        sf = 1.0 - np.r_[0.0, cdf[:-1]]  # P(W ≥ w)
        table[n] = np.minimum(1.0, 2.0 * np.minimum(cdf, sf))
    return table


def wilcoxon_exact_p(n: np.ndarray, w_plus: np.ndarray) -> np.ndarray:
    """Two-sided exact p-values for integer W⁺ with n ≤ EXACT_WILCOXON_MAX_N untied nonzero values (NaN
    elsewhere)."""
    table = _exact_wilcoxon_table()
    n = np.asarray(n, dtype=float)
    w = np.asarray(w_plus, dtype=float)
    ok = np.isfinite(n) & np.isfinite(w) & (n >= 1) & (n <= EXACT_WILCOXON_MAX_N) & (w >= 0)
    ni = np.where(ok, n, 0).astype(np.int64)
    wi = np.where(ok, np.rint(w), 0).astype(np.int64)
    ok &= wi <= ni * (ni + 1) // 2
    return np.where(ok, table[ni, np.where(ok, wi, 0)], np.nan)


def _wilcoxon(segs: Segments, x: np.ndarray) -> dict[str, np.ndarray]:
    g, c = segs.n_groups, x.shape[1]
    w = np.full((g, c), np.nan)
    z = np.full((g, c), np.nan)
    p = np.full((g, c), np.nan)
    for col in range(c):
        values = x[:, col]
        nonzero = np.isfinite(values) & (values != 0)
        magnitude = np.where(nonzero, np.abs(values), np.nan)
        ranks, tie_sum = segment_ranks(magnitude, segs.seg)
        count = np.bincount(segs.seg, weights=nonzero.astype(float), minlength=g)
        w_plus = np.bincount(segs.seg, weights=np.where(nonzero & (values > 0), ranks, 0.0), minlength=g)
        ties = np.zeros(g)
        ties[: tie_sum.size] = tie_sum  # Σ(t³ − t) over groups of equal |x|
        mean = count * (count + 1) / 4.0
        var = count * (count + 1) * (2 * count + 1) / 24.0 - ties / 48.0
        w[:, col] = np.where(count > 0, w_plus, np.nan)
        with np.errstate(invalid="ignore", divide="ignore"):
            z[:, col] = np.where(var > 0, (w_plus - mean) / np.sqrt(var), np.nan)
        exact = (ties == 0) & (count >= 1) & (count <= EXACT_WILCOXON_MAX_N)
        p[:, col] = np.where(exact, wilcoxon_exact_p(count, w_plus), two_sided_normal(z[:, col]))
    return {"wilcoxon_w": w, "wilcoxon_z": z, "wilcoxon_p": p}


def corrado(
    segs: Segments, ranks_u: np.ndarray, event_columns: slice, windows: list[tuple[int, int]]
) -> dict[str, np.ndarray]:
    """Corrado–Zivney z for the event days (``event_columns`` of ``ranks_u``) and for each CAR window.

    ``windows`` are (first, last) column indices of ``ranks_u``.
    """
    sums, counts = segs.sum_rows(ranks_u)
    with np.errstate(invalid="ignore", divide="ignore"):
        ubar = sums / counts
        has = counts > 0
        days_with_data = has.sum(axis=1)
        s_u = np.sqrt(np.where(has, counts * ubar * ubar, 0.0).sum(axis=1) / days_with_data)
        s_u = np.where(s_u > 0, s_u, np.nan)[:, None]
        scaled = np.where(has, np.sqrt(counts) * ubar, 0.0)
        day_z = np.where(has[:, event_columns], scaled[:, event_columns] / s_u, np.nan)
        win_z = np.column_stack(
            [
                np.where(
                    has[:, lo : hi + 1].any(axis=1),
                    scaled[:, lo : hi + 1].sum(axis=1) / (np.sqrt(hi - lo + 1) * s_u[:, 0]),
                    np.nan,
                )
                for lo, hi in windows
            ]
        )
    return {
        "corrado_z": day_z,
        "corrado_p": two_sided_normal(day_z),
        "corrado_window_z": win_z,
        "corrado_window_p": two_sided_normal(win_z),
    }
