"""Kolari–Pynnönen's mean cross-correlation r̄, in O(N·M) per group.

Each event's estimation residuals are centred and scaled to unit length (z_i), so z_i·z_j over common
sessions is their correlation. Events with the same day 0 share the same calendar sessions position by
position; their correlation sum is ‖Σ z_i‖² − N_c (the sum of all off-diagonal products), computed from
the cluster sum without forming pairs.

Which pairs count (the documented choice): r̄ is the mean over all N(N − 1) ordered pairs of a group of

- for an event day: ρ_ij if the two events have the same day 0 (their ARs on that relative day fall on the
  same calendar session), else 0 — events on different sessions are independent under the model;
- for a CAR window of L days: ρ_ij · (shared sessions)/L, where two windows whose day 0 differ by δ < L
  sessions share L − δ sessions (the covariance of two CARs built from equicorrelated daily SARs).

Pairs of clusters whose days 0 are δ sessions apart are compared position-shifted: Σ_k S_p[k + δ] S_q[k].
With every event on one day this is the textbook r̄ = (‖Σ z_i‖²/(M − 1) − N)/(N(N − 1)) for z_i standardised
with divisor M − 1; here z_i has unit length, which folds the 1/(M − 1) in. Where residual series have gaps,
z_i·z_j over the sessions both have approximates their Pearson correlation (each z_i is centred and scaled
over its own window).
"""

from __future__ import annotations

import itertools

import numpy as np

__all__ = ["mean_correlations"]

_BLOCK_CLUSTERS = 4096
_BLOCK_ROWS = 16_384


def mean_correlations(
    seg: np.ndarray,
    idx: np.ndarray,
    day0: np.ndarray,
    z: np.ndarray,
    n_groups: int,
    lengths: list[int],
) -> tuple[np.ndarray, np.ndarray]:
    """r̄ per group for an event day, and per group and window length in ``lengths``.

    ``seg``/``idx``: memberships (group code, event index); ``day0``: session index per event;
    ``z``: (events × M) unit-length residuals. Groups with fewer than two events get NaN.
    """
    same = np.zeros(n_groups)
    cross = np.zeros((n_groups, len(lengths)))
    n_per_group = np.bincount(seg, minlength=n_groups).astype(float)
    if seg.size:
        days = day0[idx]
        order = np.lexsort((days, seg))
        seg_s, idx_s, day_s = seg[order], idx[order], days[order]
        new = np.r_[True, (seg_s[1:] != seg_s[:-1]) | (day_s[1:] != day_s[:-1])]
        cluster = np.cumsum(new) - 1
        n_clusters = int(cluster[-1]) + 1
        c_seg, c_day = seg_s[new], day_s[new]
        c_size = np.bincount(cluster, minlength=n_clusters).astype(float)
        first_row = np.append(np.flatnonzero(new), idx_s.size)
        for lo, hi in _blocks_on_group_edges(c_seg, _BLOCK_CLUSTERS):
            sums = _cluster_sums(z, idx_s, cluster, first_row[lo], first_row[hi], lo, hi - lo)
            np.add.at(same, c_seg[lo:hi], (sums * sums).sum(axis=1) - c_size[lo:hi])
            _add_cross_terms(sums, c_seg[lo:hi], c_day[lo:hi], lengths, cross)
    with np.errstate(invalid="ignore", divide="ignore"):
        pairs = n_per_group * (n_per_group - 1.0)
        r_day = np.where(pairs > 0, same / pairs, np.nan)
        r_win = np.where(pairs[:, None] > 0, (same[:, None] + cross) / pairs[:, None], np.nan)
    return r_day, r_win


def _cluster_sums(z, idx_s, cluster, row_lo, row_hi, first_cluster, n_clusters) -> np.ndarray:
    """Σ z_i per cluster for clusters first_cluster … + n_clusters, reading at most _BLOCK_ROWS rows at a
    time (a group of all events is one block of clusters but must not be gathered whole)."""
    sums = np.zeros((n_clusters, z.shape[1]))
    for start in range(row_lo, row_hi, _BLOCK_ROWS):
        stop = min(start + _BLOCK_ROWS, row_hi)
        local = cluster[start:stop] - first_cluster
        edges = np.flatnonzero(np.r_[True, local[1:] != local[:-1]])
        sums[local[edges]] += np.add.reduceat(z[idx_s[start:stop]].astype(np.float64), edges, axis=0)
    return sums


def _blocks_on_group_edges(c_seg: np.ndarray, size: int):
    """Cluster ranges of about ``size`` that never split a group (cross terms stay inside a block)."""
    edges = np.flatnonzero(np.r_[True, c_seg[1:] != c_seg[:-1]])
    lo = 0
    n = c_seg.size
    while lo < n:
        target = lo + size
        if target >= n:
            yield lo, n
            return
        nxt = edges[np.searchsorted(edges, target, side="left")] if target <= edges[-1] else n
        hi = max(nxt, lo + 1)
        yield lo, hi
        lo = hi


def _add_cross_terms(sums, c_seg, c_day, lengths, cross) -> None:
    """Cluster pairs of one group whose days 0 are δ = 1 … L − 1 sessions apart, on a dense day grid per
    group: Σ_d Σ_k S[d, k + δ] · S[d + δ, k] for every δ at once per group (groups, not events, are looped)."""
    longest = max(lengths)
    if longest <= 1 or len(c_seg) < 2:
        return
    weights = np.asarray(lengths, dtype=float)
    edges = np.flatnonzero(np.r_[True, c_seg[1:] != c_seg[:-1], True])
    width = sums.shape[1]
    for lo, hi in itertools.pairwise(edges):
        if hi - lo < 2:
            continue  # one day 0: no pair across days
        days = c_day[lo:hi] - c_day[lo]
        grid = np.zeros((int(days[-1]) + 1, width))
        grid[days] = sums[lo:hi]
        for delta in range(1, min(longest, grid.shape[0])):
            dot = float(np.einsum("ij,ij->", grid[:-delta, delta:], grid[delta:, : width - delta]))
            share = np.clip(weights - delta, 0.0, None) / weights
            cross[c_seg[lo]] += 2.0 * dot * share
