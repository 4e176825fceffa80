"""Study results as plain records: the JSON shape of ``policywatch study`` and the long rows of ``study_results``.

Statistics without a value are ``None`` (JSON null) and their row says why in ``notes``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from policywatch.transforms.event_study.engine import StudyResult
from policywatch.transforms.event_study.spec import window_label
from policywatch.transforms.event_study.statistics import TESTS
from scipy.stats import t as student_t

__all__ = ["TESTS", "CaarCurve", "caar_band", "caar_curves", "event_records", "group_report", "long_rows"]

_DAY_VALUES = ("aar", "caar", "caar_se", "caar_n", "n_pos", "n_neg", "r_bar", "wilcoxon_z")
_WINDOW_VALUES = ("caar", "n_pos", "n_neg", "r_bar", "wilcoxon_z")


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _notes(stats: dict[str, np.ndarray], g: int, c: int) -> list[str]:
    n = stats["n"][g, c]
    notes = []
    if n < 2:
        notes.append("fewer than 2 events: no test statistic (a single event's standardized AR is in event_returns)")
        return notes
    if not stats["sd"][g, c] > 0:
        notes.append("zero cross-sectional variance: t and BMP undefined")
    if not np.isfinite(stats["kp_bmp_t"][g, c]) and np.isfinite(stats["bmp_t"][g, c]):
        notes.append("1 + (n − 1) r̄ ≤ 0: no Kolari–Pynnönen adjustment")
    if not np.isfinite(stats["gsign_z"][g, c]):
        notes.append("p̂ of positive estimation ARs is 0 or 1: no generalized sign test")
    if not np.isfinite(stats["corrado_z"][g, c]):
        notes.append("zero rank variance: no Corrado statistic")
    return notes


def _row(stats: dict[str, np.ndarray], g: int, c: int, values: tuple[str, ...]) -> dict[str, Any]:
    row: dict[str, Any] = {"n": int(stats["n"][g, c])}
    for name in values:
        row[name] = _plain(float(stats[name][g, c]))
    for name, p in TESTS:
        row[name] = _plain(float(stats[name][g, c]))
        row[p] = _plain(float(stats[p][g, c]))
    for name in ("n_pos", "n_neg", "caar_n"):  # counts (caar_n on day rows only)
        if name in row:
            row[name] = int(stats[name][g, c])
    row["notes"] = _notes(stats, g, c)
    return row


def group_report(result: StudyResult, group_type: str = "all", group_id: str = "all") -> dict[str, Any]:
    """``{"days": [...], "windows": [...]}`` for one group; empty lists when it has no kept event."""
    try:
        g = result.group_index(group_type, group_id)
    except KeyError:
        return {"days": [], "windows": []}
    days = [{"rel_day": int(day), **_row(result.days, g, c, _DAY_VALUES)} for c, day in enumerate(result.rel_days)]
    windows = [
        {"window": window_label(w), **_row(result.window_stats, g, c, _WINDOW_VALUES)}
        for c, w in enumerate(result.windows)
    ]
    return {"days": days, "windows": windows}


def event_records(result: StudyResult) -> list[dict[str, Any]]:
    """Per event: status, reason, estimation results and the CAR over the whole event window."""
    full = result.windows.index(result.spec.window)
    day0 = np.append(result.sessions, np.datetime64("NaT", "D"))[result.day0_idx]
    limit_days = (result.limit != 0).sum(axis=1)
    records = []
    for i, event_id in enumerate(result.event_ids):
        kept = bool(result.kept[i])
        records.append(
            {
                "event_id": str(event_id),
                "status": "kept" if kept else "dropped",
                "reason": None if kept else str(result.reason[i]),
                "day0": None if np.isnat(day0[i]) else str(day0[i]),
                "n_estimation": int(result.n_estimation[i]),
                "alpha": _plain(float(result.alpha[i])) if kept else None,
                "beta": _plain(float(result.beta[i])) if kept else None,
                "sigma": _plain(float(result.sigma[i])) if kept else None,
                "car": _plain(float(result.car[i, full])) if kept else None,
                "n_limit_days": int(limit_days[i]),
            }
        )
    return records


def long_rows(result: StudyResult) -> dict[str, np.ndarray]:
    """Columns of ``study_results`` (without the study name), vectorised over groups, columns and statistics:
    group_type, group_id, car_window, rel_day, statistic, value, p_value, n, note."""
    parts = [
        _long(result, result.days, [None] * len(result.rel_days), [int(d) for d in result.rel_days], _DAY_VALUES),
        _long(
            result,
            result.window_stats,
            [window_label(w) for w in result.windows],
            [None] * len(result.windows),
            _WINDOW_VALUES,
        ),
    ]
    return {key: np.concatenate([part[key] for part in parts]) for key in parts[0]}


def _note_matrix(stats: dict[str, np.ndarray]) -> np.ndarray:
    n, sd = stats["n"], stats["sd"]
    few = n < 2
    flat = ~few & ~(sd > 0)
    kp = ~few & ~np.isfinite(stats["kp_bmp_t"]) & np.isfinite(stats["bmp_t"])
    note = np.full(n.shape, "", dtype=object)
    note = np.where(few, "fewer than 2 events", note)
    note = np.where(flat, "zero cross-sectional variance", note)
    note = np.where(kp, "1 + (n - 1) r_bar <= 0", note)
    return note


def _long(result: StudyResult, stats, windows, days, values) -> dict[str, np.ndarray]:
    g, c = stats["n"].shape
    names = list(values) + [name for name, _ in TESTS]
    k = len(names)
    cell = g * c
    note = _note_matrix(stats).ravel()
    value = np.concatenate([stats[name].ravel() for name in names])
    p_value = np.concatenate([np.full(cell * len(values), np.nan)] + [stats[p].ravel() for _, p in TESTS])
    missing = ~np.isfinite(value)
    notes = np.where(missing, np.tile(note, k), "")
    note_column = notes.astype(object)
    note_column[notes == ""] = None
    return {
        "group_type": np.tile(np.repeat(result.group_types, c), k),
        "group_id": np.tile(np.repeat(result.group_ids, c), k),
        "car_window": np.tile(np.tile(np.array(windows, dtype=object), g), k),
        "rel_day": np.tile(np.tile(np.array(days, dtype=object), g), k),
        "statistic": np.repeat(np.array(names, dtype=object), cell),
        "value": value,
        "p_value": p_value,
        "n": np.tile(stats["n"].ravel(), k).astype(np.int64),
        "note": note_column,
    }


@dataclass(frozen=True, slots=True)
class CaarCurve:
    """CAAR over the event window with a two-sided confidence band from the cross-section of CARs."""

    label: str
    n: int
    rel_days: np.ndarray
    caar: np.ndarray
    lower: np.ndarray
    upper: np.ndarray


def caar_band(caar: np.ndarray, se: np.ndarray, n: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """``(lower, upper)``: CAAR_t ± q_t·se_t, q_t the two-sided ``level`` quantile of t(n_t − 1) over the n_t
    events whose CAR to day t exists; NaN where fewer than 2 do."""
    with np.errstate(invalid="ignore"):
        q = np.where(n >= 2, student_t.ppf(0.5 + level / 2.0, np.maximum(n, 2) - 1), np.nan)
    return caar - q * se, caar + q * se


def caar_curves(
    result: StudyResult, group_type: str = "all", *, level: float = 0.95, limit: int = 8
) -> list[CaarCurve]:
    """One curve per group of ``group_type`` (the ``limit`` largest): CAAR_t ± q_t·sd_i(CAR_i(t1..t))/√n_t over
    the n_t events whose CAR to t exists, q_t the two-sided ``level`` quantile of t(n_t − 1)."""
    rows = np.flatnonzero(result.group_types == group_type)
    rows = rows[np.argsort(-result.n_events[rows], kind="stable")][:limit]
    curves = []
    for g in rows:
        caar = result.days["caar"][g]
        lower, upper = caar_band(caar, result.days["caar_se"][g], result.days["caar_n"][g], level)
        label = str(result.group_ids[g]) if group_type != "all" else "all events"
        curves.append(CaarCurve(label, int(result.n_events[g]), result.rel_days, caar, lower, upper))
    return curves
