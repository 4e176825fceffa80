"""The offline demo: the bundled sample articles through the pipeline into an embedded DuckDB file."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from policywatch.config import Settings
from policywatch.steps.import_archive import import_archive
from policywatch.steps.link import link_articles
from warehouse.store import open_reader

__all__ = ["SAMPLE_ARTICLES", "run_demo"]

SAMPLE_ARTICLES = Path(__file__).resolve().parent.parent / "data" / "samples" / "sina"


def run_demo(out: Path, *, base_settings: Settings, console: Console) -> str:
    """Run the demo into ``out``; returns a short summary of what it found."""
    out.mkdir(parents=True, exist_ok=True)
    settings = base_settings
    console.print(f"[bold]policywatch demo[/] → {out}  (offline; sample articles from {SAMPLE_ARTICLES})")
    summary = import_archive([SAMPLE_ARTICLES], settings)
    linked = link_articles(settings)
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
            "SELECT string_agg(l.anchor_text || ' ' || l.ticker || ' → ' || l.link_class, ', ' ORDER BY l.position)"
            " FROM stock_links l JOIN article_policy p USING (article_id) WHERE p.is_standardization"
        ).fetchall()[0][0]
        classes = con.execute(
            "SELECT string_agg(link_class || ' ' || n, ', ' ORDER BY n DESC) FROM"
            " (SELECT link_class, count(*) AS n FROM stock_links GROUP BY 1)"
        ).fetchall()[0][0]
        policies = con.execute(
            "SELECT count(*) FILTER (WHERE is_policy), count(*) FILTER (WHERE is_standardization) FROM article_policy"
        ).fetchall()[0]
        pairs = con.execute("SELECT count(*) FROM article_ticker_summary").fetchall()[0][0]
    finally:
        con.close()
    lines = [
        f"import: {summary.found} posts, {summary.new} new, {summary.unchanged} unchanged,"
        f" {len(summary.skipped)} skipped (run {summary.run_id})",
        f"warehouse: {articles} articles, {links} Sina stock links, {measures} numbered measures",
    ]
    if top:
        lines.append(f"most measures: {top[0][1]} in 《{top[0][0][:50]}…》")
    lines.append(
        f"linking: {linked.linked} articles linked; {policies[0]} policy articles, {policies[1]} on standardization;"
        f" Sina's links judged: {classes}; {pairs} (article, ticker) pairs"
    )
    if outline_links:
        lines.append(f"Sina's links in the standardization policy: {outline_links}")
    lines.append(f"database: {settings.db.path}  (try: policywatch --db {settings.db.path} articles)")
    return "\n".join(lines)
