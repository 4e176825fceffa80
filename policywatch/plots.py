"""Figures from computed results (the computing lives in ``transforms.event_study.report``).

matplotlib with the Agg backend: files only, no display needed, safe on servers and in Airflow workers.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from transforms.event_study.report import CaarCurve

__all__ = ["caar_png", "plot_caar"]


def plot_caar(curves: Sequence[CaarCurve], path: str | Path, *, title: str, level: float = 0.95) -> Path:
    """CAAR per group with its confidence band, one line each; writes a PNG and returns its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(caar_png(curves, title=title, level=level))
    return path


def caar_png(curves: Sequence[CaarCurve], *, title: str, level: float = 0.95) -> bytes:
    """The same figure as PNG bytes (for a report that embeds its images)."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=120)
    try:
        for curve in curves:
            days = curve.rel_days
            note = "" if curve.n >= 2 else ", no band"
            label = f"{curve.label} (n={curve.n}{note})"
            (line,) = ax.plot(days, curve.caar * 100, marker="o", markersize=3, label=label)
            ax.fill_between(days, curve.lower * 100, curve.upper * 100, color=line.get_color(), alpha=0.15)
        ax.axhline(0, color="black", linewidth=0.6)
        ax.axvline(0, color="grey", linewidth=0.6, linestyle="--")
        ax.set_xlabel("trading days relative to day 0")
        ax.set_ylabel("CAAR (%)")
        ax.set_title(title)
        ax.text(
            0.01,
            0.01,
            f"bands: {level:.0%} confidence from the cross-section of CARs",
            transform=ax.transAxes,
            fontsize=7,
            color="grey",
        )
        if curves:
            ax.legend(fontsize=8, loc="best")
        fig.tight_layout()
        fig.savefig(buffer, format="png")
    finally:
        plt.close(fig)
    return buffer.getvalue()
