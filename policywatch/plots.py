"""Figures from computed results (the computing lives in ``policywatch.transforms.event_study.report``).

matplotlib with the Agg backend: files only, no display needed, safe on servers and in Airflow workers.

The y-axis rule (every figure): the axis covers the CAAR curves with a margin (half their span, at least two
percentage points), not the confidence bands. A band wider than that — a group of three events can have a band
of ±30% — is clipped at the axis and its curve is labelled "band clipped", instead of flattening every other
curve into a line at zero. Small multiples share one y-axis so their panels compare at a glance.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from policywatch.transforms.event_study.report import CaarCurve

__all__ = ["caar_grid_png", "caar_png", "plot_caar", "y_range"]

_NOTE = "y-axis set by the CAAR curves; bands wider than it are clipped at the axis"


def plot_caar(curves: Sequence[CaarCurve], path: str | Path, *, title: str, level: float = 0.95) -> Path:
    """CAAR per group with its confidence band, one line each; writes a PNG and returns its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(caar_png(curves, title=title, level=level))
    return path


def y_range(curves: Sequence[CaarCurve]) -> tuple[float, float]:
    """Axis limits in percent: the curves' range (and zero) padded by half its span, at least 2 points."""
    values = np.concatenate([np.asarray(c.caar, dtype=float) * 100 for c in curves] or [np.zeros(1)])
    values = values[np.isfinite(values)]
    lo, hi = float(values.min(initial=0.0)), float(values.max(initial=0.0))  # zero always in range
    pad = max(0.5 * (hi - lo), 2.0)
    return lo - pad, hi + pad


def _clipped(curve: CaarCurve, limits: tuple[float, float]) -> bool:
    lower, upper = np.asarray(curve.lower) * 100, np.asarray(curve.upper) * 100
    with np.errstate(invalid="ignore"):
        return bool(np.nanmin(lower, initial=np.inf) < limits[0] or np.nanmax(upper, initial=-np.inf) > limits[1])


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _draw(ax, curve: CaarCurve, limits: tuple[float, float], color=None):
    """One curve with its band on ``ax``; returns its line and the note for its label ('', 'no band' or
    'band clipped')."""
    days = curve.rel_days
    (line,) = ax.plot(days, curve.caar * 100, marker="o", markersize=3, color=color)
    lower = np.clip(curve.lower * 100, *limits)
    upper = np.clip(curve.upper * 100, *limits)
    ax.fill_between(days, lower, upper, color=line.get_color(), alpha=0.15)
    if curve.n < 2:
        return line, "no band"
    return line, "band clipped" if _clipped(curve, limits) else ""


def _label(curve: CaarCurve, note: str) -> str:
    return f"{curve.label} (n={curve.n}{', ' + note if note else ''})"


def caar_png(curves: Sequence[CaarCurve], *, title: str, level: float = 0.95) -> bytes:
    """All curves on one axis (for a few groups), as PNG bytes."""
    plt = _pyplot()
    buffer = io.BytesIO()
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=120)
    try:
        limits = y_range(curves)
        clipped = False
        for curve in curves:
            line, note = _draw(ax, curve, limits)
            clipped |= note == "band clipped"
            line.set_label(_label(curve, note))
        ax.set_ylim(*limits)
        ax.axhline(0, color="black", linewidth=0.6)
        ax.axvline(0, color="grey", linewidth=0.6, linestyle="--")
        ax.set_xlabel("trading days relative to day 0")
        ax.set_ylabel("CAAR (%)")
        ax.set_title(title)
        footnote = f"bands: {level:.0%} confidence from the cross-section of CARs" + (f"; {_NOTE}" if clipped else "")
        ax.text(0.01, 0.01, footnote, transform=ax.transAxes, fontsize=7, color="grey")
        if curves:
            ax.legend(fontsize=8, loc="upper left")
        fig.tight_layout()
        fig.savefig(buffer, format="png")
    finally:
        plt.close(fig)
    return buffer.getvalue()


def caar_grid_png(curves: Sequence[CaarCurve], *, title: str, columns: int = 4, level: float = 0.95) -> bytes:
    """Small multiples: one panel per curve (for many groups, e.g. every theme of an article), sharing one
    y-axis, in the order given; as PNG bytes."""
    plt = _pyplot()
    rows = max(1, math.ceil(len(curves) / columns))
    columns = max(1, min(columns, len(curves)))
    buffer = io.BytesIO()
    fig, axes = plt.subplots(rows, columns, figsize=(3.1 * columns, 2.3 * rows + 0.9), dpi=100, squeeze=False,
                             sharex=True, sharey=True)  # fmt: skip
    try:
        limits = y_range(curves)
        clipped = False
        for k, ax in enumerate(axes.ravel()):
            if k >= len(curves):
                ax.axis("off")
                continue
            curve = curves[k]
            _, note = _draw(ax, curve, limits, color="#1f77b4")
            clipped |= note == "band clipped"
            ax.set_ylim(*limits)
            ax.axhline(0, color="black", linewidth=0.5)
            ax.axvline(0, color="grey", linewidth=0.5, linestyle="--")
            ax.set_title(_label(curve, note), fontsize=8)
            ax.tick_params(labelsize=7)
        for ax in axes[-1]:
            ax.set_xlabel("day", fontsize=7)
        for ax in axes[:, 0]:
            ax.set_ylabel("CAAR (%)", fontsize=7)
        fig.suptitle(title, fontsize=11)
        footnote = f"bands: {level:.0%} confidence from the cross-section of CARs; one y-axis for all panels"
        fig.text(0.01, 0.005, footnote + (f"; {_NOTE}" if clipped else ""), fontsize=7, color="grey")
        fig.tight_layout(rect=(0, 0.02, 1, 0.97))
        fig.savefig(buffer, format="png")
    finally:
        plt.close(fig)
    return buffer.getvalue()
