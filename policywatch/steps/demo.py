"""The offline demo: the bundled sample articles through the pipeline into an embedded DuckDB file."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from policywatch.config import Settings
from policywatch.steps.import_archive import import_archive
from warehouse.store import open_reader

__all__ = ["SAMPLE_ARTICLES", "run_demo"]

SAMPLE_ARTICLES = Path(__file__).resolve().parent.parent / "data" / "samples" / "sina"


def run_demo(out: Path, *, base_settings: Settings, console: Console) -> str:
    """Run the demo into ``out``; returns a short summary of what it found."""
    out.mkdir(parents=True, exist_ok=True)
    settings = base_settings
    console.print(f"[bold]policywatch demo[/] → {out}  (offline; sample articles from {SAMPLE_ARTICLES})")
    summary = import_archive([SAMPLE_ARTICLES], settings)
    con = open_reader(settings.db.path)
    try:
        articles, links, measures = con.execute(
            "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM stock_links),"
            " (SELECT count(*) FROM measures)"
        ).fetchall()[0]
        top = con.execute(
            "SELECT a.title, count(m.ordinal) AS n FROM articles a JOIN measures m USING (article_id)"
            " GROUP BY ALL ORDER BY n DESC LIMIT 1"
        ).fetchall()
        outline_links = con.execute(
            "SELECT string_agg(l.anchor_text || ' ' || l.ticker, ', ' ORDER BY l.position)"
            " FROM stock_links l JOIN articles a USING (article_id) WHERE a.title LIKE '%标准%'"
        ).fetchall()[0][0]
    finally:
        con.close()
    lines = [
        f"import: {summary.found} posts, {summary.new} new, {summary.unchanged} unchanged,"
        f" {len(summary.skipped)} skipped (run {summary.run_id})",
        f"warehouse: {articles} articles, {links} Sina stock links, {measures} numbered measures",
    ]
    if top:
        lines.append(f"most measures: {top[0][1]} in 《{top[0][0][:50]}…》")
    if outline_links:
        lines.append(f"Sina's links in the standardization outline: {outline_links}")
    lines.append(f"database: {settings.db.path}  (try: policywatch --db {settings.db.path} articles)")
    return "\n".join(lines)
