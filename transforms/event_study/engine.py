"""Run an event study: the per-event pass in blocks, then every group's statistics at once.

Input shapes (all numpy, keyed by event, never by ticker — the same ticker appears in many events):

- ``PricePanel``: sessions × tickers of adjusted prices and the benchmark;
- ``EventTable``: per event its id, ticker index into the panel (-1: no prices), day-0 session index
  (-1: outside the sessions), whether the name was ST (for price limits) and whether its event window
  counts as confounding for the same ticker's other events (default: every event's does);
- ``Groups``: memberships (group type, group id, event index). Every study also has the group
  (``all``, ``all``) of all kept events.

One stock-day, one observation: inside every group, events with the same ticker and the same day 0 (a 7x24
flash, the article and its republished copies) count once. Their abnormal returns are identical (same
series, same day 0, same estimation window), so counting each would repeat one observation and inflate
every test statistic; the one kept is the group's member with the lowest event index (callers order events
by publication, so it is the earliest). A group of one article never has two events of one ticker, so
per-article groups are unaffected.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from policywatch.transforms.event_study.correlation import mean_correlations
from policywatch.transforms.event_study.estimation import EventBlock, WindowSource, estimate_block
from policywatch.transforms.event_study.limits import board_codes, limit_flags, limit_flags_from_prices, price_limits
from policywatch.transforms.event_study.panel import PricePanel, compute_returns
from policywatch.transforms.event_study.spec import StudySpec
from policywatch.transforms.event_study.statistics import (
    Segments,
    corrado,
    cross_section,
    kolari_pynnonen,
    mean_sd,
    no_tests_below_two,
)

__all__ = ["EventTable", "Groups", "StudyResult", "run_event_study"]


@dataclass(frozen=True, slots=True)
class EventTable:
    event_ids: np.ndarray  #: str/object (N,)
    ticker_idx: np.ndarray  #: int64 (N,), -1 = no prices
    day0_idx: np.ndarray  #: int64 (N,), -1 = outside the sessions
    is_st: np.ndarray | None = None  #: bool (N,)
    #: bool (N,): this event's window is masked out of the estimation windows of the ticker's other events
    #: (when the spec excludes other events); None = every event's is
    confounding: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.event_ids)


@dataclass(frozen=True, slots=True)
class Groups:
    group_type: np.ndarray  #: str/object per membership
    group_id: np.ndarray  #: str/object per membership
    event_idx: np.ndarray  #: int64 per membership

    @classmethod
    def empty(cls) -> Groups:
        none = np.array([], dtype=object)
        return cls(none, none, np.array([], dtype=np.int64))


@dataclass(slots=True)
class StudyResult:
    spec: StudySpec
    sessions: np.ndarray
    event_ids: np.ndarray
    rel_days: np.ndarray  #: (W,) event-window relative days
    windows: tuple[tuple[int, int], ...]
    # per event
    kept: np.ndarray
    reason: np.ndarray
    n_estimation: np.ndarray
    alpha: np.ndarray
    beta: np.ndarray
    sigma: np.ndarray
    day0_idx: np.ndarray
    ticker_idx: np.ndarray  #: (N,) index into the panel's tickers, -1 = no prices
    date_idx: np.ndarray  #: (N, W) session index of each event-window day (-1 outside the data)
    ret: np.ndarray
    bench: np.ndarray
    ar: np.ndarray
    sar: np.ndarray
    span: np.ndarray
    limit: np.ndarray  #: int8 (N, W): +1 limit-up, -1 limit-down
    car: np.ndarray  #: (N, n_windows)
    scar: np.ndarray
    # per group
    group_types: np.ndarray = field(default_factory=lambda: np.array([], dtype=object))
    group_ids: np.ndarray = field(default_factory=lambda: np.array([], dtype=object))
    n_events: np.ndarray = field(default_factory=lambda: np.array([]))
    days: dict[str, np.ndarray] = field(default_factory=dict)  #: statistic → (G, W)
    window_stats: dict[str, np.ndarray] = field(default_factory=dict)  #: statistic → (G, n_windows)
    r_bar_day: np.ndarray = field(default_factory=lambda: np.array([]))
    r_bar_window: np.ndarray = field(default_factory=lambda: np.array([]))

    def group_index(self, group_type: str, group_id: str) -> int:
        hits = np.flatnonzero((self.group_types == group_type) & (self.group_ids == group_id))
        if hits.size == 0:
            raise KeyError((group_type, group_id))
        return int(hits[0])


def run_event_study(
    panel: PricePanel, events: EventTable, spec: StudySpec | None = None, groups: Groups | None = None
) -> StudyResult:
    """The whole study: per-event estimates, ARs, CARs and reasons, then every statistic for every group.

    Events are processed in equal blocks on threads (numpy releases the GIL); nothing loops per event in
    Python. Groups are (type, id) pairs; ``("all", "all")`` is always added over the kept events.
    """
    spec = spec or StudySpec()
    tick = np.asarray(events.ticker_idx, dtype=np.int64)
    day0 = np.asarray(events.day0_idx, dtype=np.int64)
    block = _estimate_events(panel, tick, day0, spec, events.confounding)
    kept = block.reason == None  # noqa: E711
    w0, w1 = spec.window
    rel_days = np.arange(w0, w1 + 1)
    date_idx = np.where(day0[:, None] >= 0, day0[:, None] + rel_days[None, :], -1)
    date_idx = np.where((date_idx >= 0) & (date_idx < len(panel.sessions)), date_idx, -1)
    limit = _limits(panel, tick, date_idx, events.is_st, block.simple)
    result = StudyResult(
        spec=spec,
        sessions=panel.sessions,
        event_ids=np.asarray(events.event_ids, dtype=object),
        rel_days=rel_days,
        windows=spec.windows,
        kept=kept,
        reason=block.reason,
        n_estimation=block.n_estimation,
        alpha=block.alpha,
        beta=block.beta,
        sigma=block.sigma,
        day0_idx=day0,
        ticker_idx=tick,
        date_idx=date_idx,
        ret=block.ret,
        bench=block.bench,
        ar=block.ar,
        sar=block.sar,
        span=block.span,
        limit=limit,
        car=block.car,
        scar=block.scar,
    )
    _group_statistics(result, block, groups or Groups.empty())
    return result


def _estimate_events(
    panel: PricePanel, tick: np.ndarray, day0: np.ndarray, spec: StudySpec, confounding: np.ndarray | None
) -> EventBlock:
    """The per-event pass. The padded panel and the blocks live only here: what returns is one set of arrays."""
    returns = compute_returns(panel, spec.returns, spec.missing, pad=WindowSource.padding(spec))
    occupied = None
    if spec.exclude_other_events:
        counts = np.ones(len(tick), dtype=bool) if confounding is None else np.asarray(confounding, dtype=bool)
        occupied = _occupied(tick[counts], day0[counts], spec, panel.prices.shape)
    source = WindowSource(returns, spec, occupied)
    n = len(tick)
    workers = os.cpu_count() or 1
    # equal blocks, at least one per core, none larger than chunk_size (freed block memory is reused)
    n_blocks = max(workers, -(-n // spec.chunk_size)) if n else 1
    size = max(1, -(-n // n_blocks))
    starts = range(0, max(n, 1), size)

    def one(lo: int) -> EventBlock:
        return estimate_block(source, tick[lo : lo + size], day0[lo : lo + size], spec)

    # numpy releases the GIL in its loops: blocks on threads use every core without copying the panel;
    # each finished block is copied into the study's arrays and dropped (no second copy of everything)
    out: dict[str, np.ndarray] = {}
    with ThreadPoolExecutor(max_workers=min(len(starts), workers)) as pool:
        for lo, part in zip(starts, pool.map(one, starts), strict=True):
            for name in EventBlock.__slots__:
                values = getattr(part, name)
                if name not in out:
                    out[name] = np.empty((n, *values.shape[1:]), dtype=values.dtype)
                out[name][lo : lo + len(values)] = values
    return EventBlock(**out)


def _occupied(tick, day0, spec: StudySpec, shape) -> np.ndarray:
    """Sessions inside the event window of some (confounding) event of the ticker (ticker × session booleans).

    Events are first collapsed to their stock-days: many events of one ticker on one day 0 are one window."""
    n_t, n_s = shape
    ok = (tick >= 0) & (day0 >= 0)
    stock_days = np.unique(tick[ok].astype(np.int64) * (n_s + 1) + day0[ok])
    tick, day0 = stock_days // (n_s + 1), stock_days % (n_s + 1)
    diff = np.zeros((n_t, n_s + 1), dtype=np.int32)
    w0, w1 = spec.window
    np.add.at(diff, (tick, np.clip(day0 + w0, 0, n_s)), 1)
    np.add.at(diff, (tick, np.clip(day0 + w1 + 1, 0, n_s)), -1)
    return np.cumsum(diff, axis=1)[:, :n_s] > 0


def _limits(panel: PricePanel, tick, date_idx, is_st, simple) -> np.ndarray:
    """Limit flags from the traded close against the exchange's limit price where the pre-close is known,
    else from the one-session return (``limits`` documents both rules)."""
    boards = np.append(board_codes(panel.tickers), np.int8(0))  # index -1 (no prices) → no board
    board = boards[tick]
    sessions = np.append(panel.sessions, np.datetime64("NaT", "D"))  # index -1 → NaT
    dates = sessions[date_idx]
    st = np.zeros(len(tick), dtype=bool) if is_st is None else np.asarray(is_st, dtype=bool)
    limits = price_limits(board, st, dates)
    flags = limit_flags(simple, limits)
    if panel.close is None or panel.pre_close is None or tick.size == 0:
        return flags
    valid = (tick[:, None] >= 0) & (date_idx >= 0)
    rows, cols = np.broadcast_to(np.where(tick >= 0, tick, 0)[:, None], date_idx.shape), np.where(valid, date_idx, 0)
    close = np.where(valid, panel.close[rows, cols], np.nan)
    pre_close = np.where(valid, panel.pre_close[rows, cols], np.nan)
    known = np.isfinite(close) & np.isfinite(pre_close)
    return np.where(known, limit_flags_from_prices(close, pre_close, limits), flags).astype(np.int8)


def _one_per_stock_day(code: np.ndarray, members: np.ndarray, result: StudyResult) -> tuple[np.ndarray, np.ndarray]:
    """Memberships with each (group, ticker, day 0) once, represented by its lowest event index. This also
    counts an event listed twice in one group (two theme rows of one article, say) once."""
    if members.size == 0:
        return code, members
    n_s = len(result.sessions) + 1
    stock_day = result.ticker_idx[members].astype(np.int64) * n_s + result.day0_idx[members]
    order = np.lexsort((members, stock_day, code))
    code, stock_day, members = code[order], stock_day[order], members[order]
    first = np.r_[True, (code[1:] != code[:-1]) | (stock_day[1:] != stock_day[:-1])]
    return code[first], members[first]


def _group_statistics(result: StudyResult, block: EventBlock, groups: Groups) -> None:
    spec = result.spec
    kept_idx = np.flatnonzero(result.kept)
    types = np.concatenate([np.full(kept_idx.size, "all", dtype=object), np.asarray(groups.group_type, object)])
    ids = np.concatenate([np.full(kept_idx.size, "all", dtype=object), np.asarray(groups.group_id, object)])
    members = np.concatenate([kept_idx, np.asarray(groups.event_idx, dtype=np.int64)])
    keep = result.kept[members] if members.size else np.zeros(0, dtype=bool)
    types, ids, members = types[keep], ids[keep], members[keep]
    keys = np.char.add(np.char.add(types.astype(str), "\x1f"), ids.astype(str)) if members.size else ids
    unique_keys, code = np.unique(keys, return_inverse=True)
    split = [k.split("\x1f", 1) for k in unique_keys]
    result.group_types = np.array([s[0] for s in split], dtype=object)
    result.group_ids = np.array([s[1] for s in split], dtype=object)
    n_groups, n_events = len(unique_keys), len(result.kept)
    group_code, members = _one_per_stock_day(code.astype(np.int64), members, result)
    segs = Segments.build(group_code, members, n_groups, n_events)
    result.n_events = np.bincount(segs.seg, minlength=n_groups).astype(float)
    lengths = [b - a + 1 for a, b in result.windows]
    rows = segs.idx
    with np.errstate(invalid="ignore", divide="ignore"):
        p_hat = segs.sum(block.p_positive[rows][:, None])[:, 0] / result.n_events
    k_est = spec.estimation[1] - spec.estimation[0] + 1
    w0 = spec.window[0]
    rank_windows = [(k_est + a - w0, k_est + b - w0) for a, b in result.windows]
    dof = block.dof[rows]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        correlations = pool.submit(mean_correlations, segs.seg, rows, result.day0_idx, block.z, n_groups, lengths)
        day_stats = pool.submit(cross_section, segs, result.ar[rows], result.sar[rows], dof, p_hat, window_form=False)
        win_stats = pool.submit(cross_section, segs, result.car[rows], result.scar[rows], dof, p_hat, window_form=True)
        rank_stats = pool.submit(corrado, segs, block.ranks_u, slice(k_est, None), rank_windows)
        path_n, path_mean, path_sd = mean_sd(segs, block.car_path[rows])
        r_day, r_win = correlations.result()
        days, wins, ranks = day_stats.result(), win_stats.result(), rank_stats.result()
    result.r_bar_day, result.r_bar_window = r_day, r_win
    kolari_pynnonen(days, np.repeat(r_day[:, None], len(result.rel_days), axis=1))
    kolari_pynnonen(wins, r_win)
    days["corrado_z"], days["corrado_p"] = ranks["corrado_z"], ranks["corrado_p"]
    wins["corrado_z"], wins["corrado_p"] = ranks["corrado_window_z"], ranks["corrado_window_p"]
    no_tests_below_two(days)  # a group of one has no test (statistics module docstring)
    no_tests_below_two(wins)
    days["aar"] = days.pop("mean")
    # CAAR_t and its standard error over the same events: those whose CAR from the window's first day to t
    # exists (with no day missing for any event this is the running sum of AAR)
    days["caar"] = path_mean
    days["caar_n"] = path_n
    with np.errstate(invalid="ignore", divide="ignore"):
        days["caar_se"] = path_sd / np.sqrt(path_n)
    wins["caar"] = wins.pop("mean")
    days["r_bar"] = np.repeat(r_day[:, None], len(result.rel_days), axis=1)
    wins["r_bar"] = r_win
    result.days, result.window_stats = days, wins
