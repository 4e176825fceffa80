"""Ranks with average ties, vectorised: along rows (Corrado) and within sorted segments (Wilcoxon)."""

from __future__ import annotations

import numpy as np

__all__ = ["row_ranks", "segment_ranks"]


def _average_ranks(sorted_values: np.ndarray, segment_start: np.ndarray) -> np.ndarray:
    """1-based ranks of a flat array already sorted within segments; equal values share their mean rank.

    ``segment_start`` is True where a new segment begins (so ties never cross segments).
    """
    size = sorted_values.size
    new_run = segment_start.copy()
    new_run[1:] |= sorted_values[1:] != sorted_values[:-1]
    new_run[0] = True
    run_first = np.flatnonzero(new_run)
    run_last = np.append(run_first[1:], size) - 1
    seg_first_flat = np.flatnonzero(segment_start)
    # the segment each run belongs to → its first flat position, to turn flat positions into ranks
    seg_of_run = np.searchsorted(seg_first_flat, run_first, side="right") - 1
    base = seg_first_flat[seg_of_run]
    run_rank = (run_first + run_last) / 2.0 - base + 1.0
    run_id = np.cumsum(new_run) - 1
    return run_rank[run_id]


def row_ranks(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ranks of each row's finite values (1..T_i, ties averaged; NaN stays NaN) and T_i per row."""
    n, k = values.shape
    if values.size == 0:
        return np.full(values.shape, np.nan), np.zeros(n, dtype=np.int64)
    finite = np.isfinite(values)
    # missing values as +inf sort last like NaN, but keep numpy's SIMD argsort path (NaN makes it ~6x slower);
    # ties are averaged below, so the sort need not be stable
    keyed = np.where(finite, values, np.inf)
    order = np.argsort(keyed, axis=1)
    # the inverse permutation with flat indices (put_along_axis builds slower fancy indices)
    flat = (order + (np.arange(n, dtype=np.int64) * k)[:, None]).ravel()
    ranks: np.ndarray = np.empty(values.size)
    ranks[flat] = np.tile(np.arange(1.0, k + 1.0), n)
    ranks = ranks.reshape(n, k)
    sorted_values = np.sort(keyed, axis=1)
    equal = (sorted_values[:, 1:] == sorted_values[:, :-1]) & np.isfinite(sorted_values[:, 1:])
    tied_rows = np.flatnonzero(equal.any(axis=1))
    if tied_rows.size:  # rare with returns: only those rows pay for averaging
        sub = np.where(np.isfinite(sorted_values[tied_rows]), sorted_values[tied_rows], np.nan)
        starts = np.zeros(sub.shape, dtype=bool)
        starts[:, 0] = True
        averaged = _average_ranks(sub.ravel(), starts.ravel()).reshape(sub.shape)
        fixed = np.empty(sub.shape)
        np.put_along_axis(fixed, order[tied_rows], averaged, axis=1)
        ranks[tied_rows] = fixed
    ranks[~finite] = np.nan
    return ranks, finite.sum(axis=1)


def segment_ranks(values: np.ndarray, segment: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ranks (ties averaged) of ``values`` within each segment label, and Σ(t³ − t) over the tie groups
    of each segment (indexed by label). NaN values get NaN and are not counted."""
    values = np.asarray(values, dtype=float)
    out = np.full(values.shape, np.nan)
    ties = np.zeros(int(segment.max()) + 1 if segment.size else 0)
    keep = np.flatnonzero(np.isfinite(values))
    if keep.size == 0:
        return out, ties
    # order by (segment, value) with two fast argsorts instead of a (merge-sort) lexsort: the value's
    # global rank breaks ties inside a segment key
    kept_values = values[keep]
    global_rank = np.empty(keep.size, dtype=np.int64)
    global_rank[np.argsort(kept_values)] = np.arange(keep.size)
    order = keep[np.argsort(segment[keep].astype(np.int64) * keep.size + global_rank)]
    seg_sorted = segment[order]
    sorted_values = values[order]
    starts = np.ones(order.size, dtype=bool)
    starts[1:] = seg_sorted[1:] != seg_sorted[:-1]
    out[order] = _average_ranks(sorted_values, starts)
    run_start = starts.copy()
    run_start[1:] |= sorted_values[1:] != sorted_values[:-1]
    first = np.flatnonzero(run_start)
    length = np.diff(np.append(first, order.size)).astype(float)
    np.add.at(ties, seg_sorted[first], length**3 - length)
    return out, ties
