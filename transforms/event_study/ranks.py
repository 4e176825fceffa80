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
    order = np.argsort(values, axis=1, kind="stable")  # NaN sorts last
    sorted_values = np.take_along_axis(values, order, axis=1)
    starts = np.zeros((n, k), dtype=bool)
    starts[:, 0] = True
    ranks_sorted = _average_ranks(sorted_values.ravel(), starts.ravel()).reshape(n, k)
    ranks = np.empty_like(ranks_sorted)
    np.put_along_axis(ranks, order, ranks_sorted, axis=1)
    finite = np.isfinite(values)
    ranks[~finite] = np.nan
    return ranks, finite.sum(axis=1)


def segment_ranks(values: np.ndarray, segment: np.ndarray) -> np.ndarray:
    """Ranks (ties averaged) of ``values`` within each segment label; NaN values get NaN and are not counted."""
    values = np.asarray(values, dtype=float)
    out = np.full(values.shape, np.nan)
    keep = np.flatnonzero(np.isfinite(values))
    if keep.size == 0:
        return out
    order = keep[np.lexsort((values[keep], segment[keep]))]
    seg_sorted = segment[order]
    starts = np.ones(order.size, dtype=bool)
    starts[1:] = seg_sorted[1:] != seg_sorted[:-1]
    out[order] = _average_ranks(values[order], starts)
    return out
