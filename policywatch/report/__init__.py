"""The HTML report: one self-contained page per article and an overview (images embedded, no network needed).

Per article: the measures with their themes and member stocks, Sina's links with their classes and reasons,
the CAAR per theme and per link class with confidence bands, the statistics table and every event. The
overview adds the comparison of link classes across all articles and, when a headline study exists (the
standardization outline on real prices), its answer first. Synthetic prices are labelled wherever they appear.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape

from policywatch.config import Settings
from policywatch.plots import caar_grid_png, caar_png
from policywatch.report.data import (
    caar_curves_from_db,
    read_article_view,
    read_overview,
    served_by_replay,
    window_stats,
)
from policywatch.transforms.errors import InputError
from policywatch.transforms.models import CHINA_TZ
from policywatch.warehouse.store import open_reader

__all__ = ["HEADLINE_STUDY", "ReportSummary", "write_reports"]

TEMPLATES = Path(__file__).resolve().parent / "templates"
#: the study the overview leads with, when it exists: the standardization policies on real prices only
HEADLINE_STUDY = "outline_real"


@dataclass(slots=True)
class ReportSummary:
    index: Path
    pages: list[Path] = field(default_factory=list)


def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]), trim_blocks=True,
        lstrip_blocks=True,
    )  # fmt: skip


def _page_name(article_id: str) -> str:
    return f"article-{''.join(c if c.isalnum() or c in '-_' else '_' for c in article_id)}.html"


#: the most panels a small-multiples chart shows; beyond it the title says which were chosen
MAX_PANELS = 40


def _chart(curves, title: str, caption: str, *, grid: bool = False) -> dict[str, str] | None:
    if not curves:
        return None
    draw = caar_grid_png if grid else caar_png
    png = base64.b64encode(draw(curves, title=title)).decode("ascii")
    return {"png": png, "alt": title, "caption": caption}


def _theme_chart(con, study: str, group_type: str, ids: list[str] | None, scope: str, label=lambda g: g):
    """Every theme as a small multiple (one panel per theme, one y-axis), or the MAX_PANELS with most events
    when there are more — the title says which, never silently fewer."""
    curves = caar_curves_from_db(con, study, group_type, ids, label=label)
    if not curves:
        return None
    shown = curves[:MAX_PANELS]
    which = (
        f"all {len(curves)} themes" if len(shown) == len(curves)
        else f"the {len(shown)} of {len(curves)} themes with most events (ties by name)"
    )  # fmt: skip
    return _chart(
        shown,
        f"CAAR by theme: {which} {scope}",
        f"One panel per theme ({which}), largest first, ties by name; one y-axis for all panels; 95% bands from "
        "the cross-section of CARs, clipped at the axis where wider",
        grid=True,
    )


def _source(view) -> dict[str, str | None]:
    """Where the article came from: a link to its page, or plain text when the page is gone or never existed
    (the demo's local replay serves it only while the demo runs)."""
    if view.replayed:
        path = urlsplit(view.url or "").path or view.origin_ref or ""
        return {"href": None, "text": f"demo replay (a local copy of Sina, offline now): {path}"}
    if view.url:
        return {"href": view.url, "text": view.url}
    return {"href": None, "text": view.origin_ref or ""}


def _when(value: datetime | None) -> str:
    return value.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M (China time)") if value else "unknown"


def _study_text(params: dict[str, Any] | None) -> str:
    if not params:
        return "no study run yet"
    return (
        f"{params.get('model')} model, {params.get('returns')} returns, estimation [{params.get('estimation')}], "
        f"event window [{params.get('window')}]"
    )


def write_reports(
    settings: Settings,
    out_dir: Path,
    *,
    article_ids: list[str] | None = None,
    study: str | None = None,
    headline_study: str = HEADLINE_STUDY,
) -> ReportSummary:
    """Write ``index.html`` and one page per article (all, or ``article_ids``) into ``out_dir``."""
    study = study or settings.study.name
    out_dir.mkdir(parents=True, exist_ok=True)
    env = _environment()
    generated = datetime.now(UTC).astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M %Z")
    common = {"generated": generated, "database": str(settings.db.path), "study": study}
    con = open_reader(settings.db.path, lock_timeout=settings.db.lock_timeout_s)
    try:
        overview = read_overview(con, study)
        known = overview.article_ids
        ids = _resolve_ids(article_ids, known) if article_ids else known
        summary = ReportSummary(out_dir / "index.html")
        study_text = _study_text(overview.study_params)
        replayed = served_by_replay(con, ids)
        for article_id in ids:
            view = read_article_view(con, article_id, study, replayed=article_id in replayed)
            charts = _article_charts(con, study, article_id)
            page = out_dir / _page_name(article_id)
            page.write_text(
                env.get_template("article.html.j2").render(
                    a=view,
                    published=_when(view.published_at),
                    charts=charts,
                    kept=sum(1 for e in view.events if e.get("status") == "kept"),
                    synthetic="synthetic" in view.price_sources,
                    real=any(s != "synthetic" for s in view.price_sources),
                    study_text=study_text,
                    source=_source(view),
                    **common,
                ),
                encoding="utf-8",
            )
            summary.pages.append(page)
        # the index links only the pages this folder holds (``report ID --out NEW`` writes one)
        listed = [a for main in overview.articles for a in (main, *main["flashes"])]
        for article in listed:
            article["page"] = _page_name(article["article_id"])
            article["page_exists"] = (out_dir / article["page"]).exists()
            article["published"] = _when(article["published_at"]).split(" (")[0]
        pages_here = sum(a["page_exists"] for a in listed)
        real_sources = [s for s in overview.price_sources if s != "synthetic"]
        class_charts = [
            _chart(caar_curves_from_db(con, study, "link_class", ["mention", "theme_stock", "name_collision"]),
                   "CAAR by class of Sina link (all articles)",
                   "Genuine mentions vs theme stocks vs name collisions, 95% bands"),
        ]  # fmt: skip
        theme_charts = [_theme_chart(con, study, "theme", None, "(all articles)")]
        headline = _headline(con, headline_study)
        summary.index.write_text(
            env.get_template("index.html.j2").render(
                o=overview,
                study_text=study_text,
                synthetic="synthetic" in overview.price_sources,
                real_sources=real_sources,
                class_charts=[c for c in class_charts if c],
                theme_charts=[c for c in theme_charts if c],
                headline=headline,
                pages_here=pages_here,
                pages_total=len(known),
                **common,
            ),
            encoding="utf-8",
        )
    finally:
        con.close()
    return summary


def _resolve_ids(wanted: list[str], known: list[str]) -> list[str]:
    """Each id as given, or the one stored id it is a prefix of; InputError names what matches nothing."""
    resolved, problems = [], []
    for item in wanted:
        matches = [k for k in known if k == item] or [k for k in known if k.startswith(item)]
        if len(matches) == 1:
            resolved.append(matches[0])
        else:
            problems.append(
                f"{item!r} " + ("matches no stored article" if not matches else f"is ambiguous: {matches[:5]}")
            )
    if problems:
        raise InputError("cannot report: " + "; ".join(problems), reason="unknown_article")
    return resolved


def _within_article(gid: str) -> str:
    return gid.split("|", 1)[1]


def _article_charts(con, study: str, article_id: str) -> list[dict[str, str]]:
    by_class = caar_curves_from_db(
        con, study, "article_link_class", _ids(con, study, "article_link_class", article_id), label=_within_article
    )
    charts = [
        _theme_chart(con, study, "article_theme", _ids(con, study, "article_theme", article_id), "of the article",
                     label=_within_article),
        _chart(by_class, "CAAR by class of Sina link", "Sina's links: genuine mentions, theme stocks, name "
               "collisions; 95% bands from the cross-section of CARs, clipped at the axis where wider"),
    ]  # fmt: skip
    return [c for c in charts if c]


def _ids(con, study: str, group_type: str, article_id: str) -> list[str]:
    rows = con.execute(
        "SELECT DISTINCT group_id FROM study_results WHERE study = ? AND group_type = ? AND starts_with(group_id, ?)",
        [study, group_type, f"{article_id}|"],
    ).fetchall()
    return [r[0] for r in rows]


def _headline(con, study: str) -> dict[str, Any] | None:
    rows = con.execute("SELECT params, n_kept FROM study_runs WHERE study = ?", [study]).fetchall()
    if not rows or not rows[0][1]:
        return None
    params = json.loads(rows[0][0]) if isinstance(rows[0][0], str) else rows[0][0]
    article_ids = params.get("article_ids") or []
    if len(article_ids) != 1:
        return None
    (article_id,) = article_ids
    view = read_article_view(con, article_id, study)
    kept = [e for e in view.events if e.get("status") == "kept"]
    if not kept:
        return None
    day0 = kept[0]["day0"]
    groups = [("All events with real prices", window_stats(con, study, "article", article_id))]
    for group_type, label in (("article_link_class", "Sina link class: {}"), ("article_via", "Reached via: {}")):
        for gid in sorted(_ids(con, study, group_type, article_id)):
            stats = window_stats(con, study, group_type, gid)
            if stats:
                groups.append((label.format(gid.split("|", 1)[1]), stats))
    curves = caar_curves_from_db(
        con, study, "article_link_class", _ids(con, study, "article_link_class", article_id),
        label=lambda gid: f"Sina link: {gid.split('|', 1)[1]}",
    ) + caar_curves_from_db(
        con, study, "article_via", [f"{article_id}|theme"], label=lambda gid: "theme member (via theme)"
    )  # fmt: skip
    sources = ", ".join(view.price_sources)
    coverage = con.execute(
        "SELECT min(date), max(date) FROM prices WHERE source IN (SELECT unnest(?::VARCHAR[]))",
        [list(view.price_sources)],
    ).fetchall()[0]
    sessions_note = (
        f"The prices used cover {coverage[0]} to {coverage[1]}: an estimation window that would start earlier is "
        "shorter than its nominal length (see each event's n_estimation)."
        if coverage[0]
        else ""
    )
    return {
        "title": view.title,
        "question": (
            f"Did it move the stocks it touched? Published {_when(view.published_at)}; day 0 is {day0}, the first "
            f"session whose close comes after publication. {len(kept)} events have real prices ({sources}); the "
            "events without real prices are left out of this section."
        ),
        "events": kept,
        "groups": groups,
        "charts": [c for c in [_chart(curves, "CAAR around the outline, real prices",
                                      "By how the article reached the stock; 95% bands from the cross-section of "
                                      "CARs, clipped at the axis where wider")] if c],
        "caveats": (
            f"{len(kept)} events are few, and all share one day 0: their abnormal returns are cross-correlated, so "
            "the plain t, Patell and BMP statistics overstate significance; the Kolari–Pynnönen-adjusted ones are the "
            "ones to read. A group of one event has no test (its statistics are empty), and two events make a weak "
            f"one. {sessions_note}"
        ),
    }  # fmt: skip
