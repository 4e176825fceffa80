"""The offline demo: the bundled sample articles through the pipeline into an embedded DuckDB file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console

from policywatch.config import Settings
from policywatch.steps.alerts import run_alerts
from policywatch.steps.import_archive import import_archive
from policywatch.steps.link import link_articles
from warehouse.store import open_reader

__all__ = ["SAMPLE_ARTICLES", "run_demo"]

SAMPLE_ARTICLES = Path(__file__).resolve().parent.parent / "data" / "samples" / "sina"


_DEMO_WATCHLIST = """\
# The demo's watchlist: alerts go to the console and to a file beside the database.
lookback_days: 3
channels:
  console:
    url: "console://"
  file:
    url: "file://{alerts_file}"
rules:
  - id: standardization-tech
    description: 新的标准化政策涉及人工智能、机器人或数据
    standardization_only: true
    themes: [ai, robots, big_data, data_security, database]
    channels: [console, file]
  - id: compute-and-data
    description: 算力与数据中心政策
    themes: [computing]
    keywords: [东数西算]
    channels: [file]
"""


def _demo_watchlist(out: Path) -> Path:
    path = out / "watchlist.yaml"
    path.write_text(_DEMO_WATCHLIST.format(alerts_file=(out / "alerts.md").resolve()), encoding="utf-8")
    return path


def run_demo(out: Path, *, base_settings: Settings, console: Console) -> str:
    """Run the demo into ``out``; returns a short summary of what it found."""
    out.mkdir(parents=True, exist_ok=True)
    settings = base_settings
    console.print(f"[bold]policywatch demo[/] → {out}  (offline; sample articles from {SAMPLE_ARTICLES})")
    summary = import_archive([SAMPLE_ARTICLES], settings)
    linked = link_articles(settings)
    watchlist = _demo_watchlist(out)
    console.rule("alerts (console channel)")
    alerts = run_alerts(
        settings,
        watchlist_path=watchlist,
        since=datetime(2021, 1, 1, tzinfo=UTC),  # the samples are from 2021-22: alert on all of them
        echo=lambda text: console.print(text, highlight=False, markup=False),
    )
    console.rule()
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
    lines.append(
        f"alerts: {alerts.matches} rule matches, {alerts.sent} sent, {alerts.already_sent} already sent earlier,"
        f" {len(alerts.failed)} failed → console and {out / 'alerts.md'} (watchlist {watchlist})"
    )
    lines.append(f"database: {settings.db.path}  (try: policywatch --db {settings.db.path} articles)")
    return "\n".join(lines)
