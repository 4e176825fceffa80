"""The offline demo: the whole pipeline on the bundled sample articles, served by the local replay of Sina.

1. the replay serves the samples as Sina would (roll API, pages, 7x24, RSS); the real crawler fetches them;
2. linking: Sina's links judged, themes per measure, tickers, policy scores;
3. prices: the bundled real bars (2020-10..2022-01) wherever they exist, the seeded synthetic generator for
   every other ticker and date (``prices.source`` says which, per row);
4. events and the event study on all of it, plus the headline study: the standardization outline on real
   prices only;
5. alerts from a sample watchlist to the console and a file;
6. the HTML report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from rich.console import Console
from rich.text import Text

from policywatch.config import Settings
from policywatch.crawlers.replay.server import start_replay
from policywatch.reference import BUNDLED_PRICES
from policywatch.report import HEADLINE_STUDY, write_reports
from policywatch.steps.alerts import run_alerts
from policywatch.steps.crawl.run import run_crawl
from policywatch.steps.link import link_articles
from policywatch.steps.prices import fetch_prices
from policywatch.steps.study.run import run_study
from policywatch.warehouse.store import open_reader

__all__ = ["SAMPLE_ARTICLES", "demo_settings", "run_demo"]

SAMPLE_ARTICLES = Path(__file__).resolve().parent.parent / "data" / "samples" / "sina"
#: synthetic prices start early enough for a full estimation window before the oldest sample (2021-08)
SYNTHETIC_SINCE = date(2020, 6, 1)

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


@dataclass(frozen=True, slots=True)
class DemoPaths:
    out: Path
    database: Path
    report: Path
    alerts: Path
    watchlist: Path


def demo_settings(out: Path, base: Settings, database: Path | None = None) -> tuple[Settings, DemoPaths]:
    out = out.resolve()
    db = database.resolve() if database else out / "policywatch.duckdb"
    paths = DemoPaths(out, db, out / "report", out / "alerts.md", out / "watchlist.yaml")
    settings = base.model_copy(
        update={
            "db": base.db.model_copy(update={"path": paths.database}),
            "crawl": base.crawl.model_copy(
                update={"staging_dir": out / "staging" / "crawl", "download_delay_s": 0.0, "autothrottle": False}
            ),
            "prices": base.prices.model_copy(update={"staging_dir": out / "staging" / "prices"}),
            "alerts": base.alerts.model_copy(update={"watchlist": paths.watchlist}),
            "linking": base.linking.model_copy(update={"reference_dir": out / "reference"}),
        }
    )
    return settings, paths


def run_demo(out: Path, *, base_settings: Settings, console: Console, database: Path | None = None) -> str:
    """Run the demo into ``out`` (the database there too, unless ``database`` names one); returns a short
    summary of what it found and where the outputs are."""
    settings, paths = demo_settings(out, base_settings, database)
    paths.out.mkdir(parents=True, exist_ok=True)
    paths.watchlist.write_text(_DEMO_WATCHLIST.format(alerts_file=paths.alerts), encoding="utf-8")
    console.print(
        Text.assemble(
            ("policywatch demo", "bold"), f" → {paths.out}  (offline: a local replay of Sina serves the samples)"
        ),
        soft_wrap=True,
    )

    with start_replay(SAMPLE_ARTICLES) as replay:
        console.print(f"1/6 crawl {replay.roll_url}", highlight=False)
        crawl = run_crawl(settings, roll_url=replay.roll_url, zhibo_url=replay.zhibo_url, rss_feeds=[replay.rss_url])
    console.print("2/6 link")
    linked = link_articles(settings)
    console.print("3/6 prices: real bars where they exist, synthetic for the rest")
    real = fetch_prices(settings, provider="file", file=str(BUNDLED_PRICES), since=date(2020, 10, 1))
    fetch_prices(settings, provider="synthetic", since=SYNTHETIC_SINCE, fill_gaps=True)
    console.print("4/6 events and studies")
    study = run_study(settings)
    headline_ids = _standardization_articles(settings)
    headline = run_study(
        settings,
        name=HEADLINE_STUDY,
        refresh_events=False,
        article_ids=headline_ids,
        price_sources=[f"file:{BUNDLED_PRICES.name}"],
    )
    console.print("5/6 alerts (console channel)")
    console.rule()
    alerts = run_alerts(
        settings,
        since=datetime(2021, 1, 1, tzinfo=UTC),  # the samples are from 2021-22: alert on all of them
        echo=lambda text: console.print(text, highlight=False, markup=False),
    )
    console.rule()
    console.print("6/6 report")
    report = write_reports(settings, paths.report)

    con = open_reader(settings.db.path)
    try:
        classes = con.execute(
            "SELECT string_agg(link_class || ' ' || n, ', ' ORDER BY n DESC) FROM"
            " (SELECT link_class, count(*) AS n FROM stock_links WHERE origin = 'sina_link' GROUP BY 1)"
        ).fetchall()[0][0]
        outline = con.execute(
            "SELECT string_agg(l.anchor_text || ' ' || l.ticker || ' → ' || l.link_class, ', ' ORDER BY l.position)"
            " FROM stock_links l JOIN article_policy p USING (article_id)"
            " WHERE p.is_standardization AND l.origin = 'sina_link'"
        ).fetchall()[0][0]
        sources = con.execute("SELECT source, count(*) FROM prices GROUP BY 1 ORDER BY 1").fetchall()
        headline_rows = con.execute(
            "SELECT e.ticker, round(100 * sum(r.abnormal_ret) FILTER (WHERE r.rel_day BETWEEN 0 AND 1), 2)"
            " FROM events e JOIN event_returns r ON r.event_id = e.event_id AND r.study = ?"
            " JOIN event_diagnostics d ON d.event_id = e.event_id AND d.study = r.study AND d.status = 'kept'"
            " GROUP BY 1 ORDER BY 1",
            [HEADLINE_STUDY],
        ).fetchall()
    finally:
        con.close()
    counts = crawl.counts()
    lines = [
        f"crawl: {counts['listed']} listed, {counts['new']} new articles stored (run {crawl.run_id})",
        f"linking: {linked.linked} articles; Sina's links judged: {classes}",
        f"the standardization outline's links: {outline}",
        "prices: "
        + ", ".join(f"{n:,} rows {source}" for source, n in sources)
        + f" (real for {len(real.fetched)} tickers; synthetic rows are labelled in prices.source)",
        f"study '{study.name}': {study.n_kept} of {study.n_events} events kept (mixed sources, labelled);"
        f" '{headline.name}': {headline.n_kept} events on real prices only",
        "outline CAR[0,1] on real prices: " + ", ".join(f"{t} {v:+.2f}%" for t, v in headline_rows if v is not None),
        f"alerts: {alerts.matches} rule matches, {alerts.sent} sent now, {alerts.already_sent} sent before →"
        f" console and {paths.alerts}",
        f"report: {report.index}  (open it in a browser; {len(report.pages)} article pages)",
        f"database: {paths.database}  (try: .venv/bin/policywatch --db {paths.database} articles)",
    ]
    return "\n".join(lines)


def _standardization_articles(settings: Settings) -> list[str]:
    con = open_reader(settings.db.path)
    try:
        rows = con.execute("SELECT article_id FROM article_policy WHERE is_standardization ORDER BY 1").fetchall()
    finally:
        con.close()
    return [r[0] for r in rows]
