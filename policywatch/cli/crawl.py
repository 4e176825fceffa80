"""``policywatch crawl`` (the live crawl) and ``policywatch replay serve`` (a local Sina to crawl offline)."""

from __future__ import annotations

import signal
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from policywatch.cli.common import EXIT_PARTIAL, AppState, console, err_console, guarded, labelled
from policywatch.steps.crawl.sources import plan_sources
from policywatch.transforms.errors import ConfigError

if TYPE_CHECKING:
    from policywatch.steps.crawl.run import CrawlSummary
    from policywatch.steps.import_archive import Skip

__all__ = ["register"]


def _channels(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def crawl(
    ctx: typer.Context,
    roll_url: Annotated[
        str | None, typer.Option("--roll-url", help="The roll API to list from (default: Sina's, from config).")
    ] = None,
    channels: Annotated[
        list[str] | None,
        typer.Option("--channels", help="PAGEID:LID channels, comma-separated or repeated (default from config)."),
    ] = None,
    since: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Page back to this day (China time) instead of stopping at known."),
    ] = None,
    max_pages: Annotated[int | None, typer.Option("--max-pages", help="Roll pages per channel at most.")] = None,
    zhibo_url: Annotated[
        str | None, typer.Option("--zhibo-url", help="The 7x24 feed ('' to skip it; default from config).")
    ] = None,
    rss_urls: Annotated[
        list[str] | None, typer.Option("--rss-url", help="An RSS feed to read (repeatable; replaces the config's).")
    ] = None,
) -> None:
    """Crawl Sina Finance: list new articles, fetch their pages politely, store them.

    A source URL given here takes the others along: the roll API and the 7x24 feed not given are read from
    the same host (same path), and configured RSS feeds on other hosts are left out; the crawl says so.

    Example (a local replay: policywatch replay serve): policywatch crawl --roll-url
    http://127.0.0.1:8765/api/roll/get --channels 155:1686 --max-pages 3
    """
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from policywatch.steps.crawl.run import CrawlProgress, run_crawl

    settings = ctx.ensure_object(AppState).settings
    sources = plan_sources(
        configured_roll=settings.crawl.roll_url,
        configured_zhibo=settings.crawl.zhibo_url,
        configured_rss=settings.crawl.rss_feeds,
        roll_url=roll_url,
        zhibo_url=zhibo_url,
        rss_feeds=rss_urls or None,
    )
    for note in sources.notes:
        err_console.print(labelled("source", note), highlight=False, soft_wrap=True)
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.fields[stage]}[/]"),
        TextColumn("listed {task.fields[listed]} · fetched {task.fields[fetched]} · failed {task.fields[failed]}"),
        TextColumn("· loaded {task.fields[loaded]}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as progress:
        task = progress.add_task("crawl", total=None, stage="starting", listed=0, fetched=0, failed=0, loaded=0)

        def show(event: CrawlProgress) -> None:
            progress.update(task, stage=event.stage, listed=event.listed, fetched=event.fetched,
                            failed=event.failed, loaded=event.loaded)  # fmt: skip

        summary = run_crawl(
            settings,
            roll_url=sources.roll_url,
            channels=_channels(channels),
            since=since.date() if since else None,
            max_pages=max_pages,
            zhibo_url=sources.zhibo_url,
            rss_feeds=list(sources.rss_feeds),
            on_progress=show,
        )
    _print_summary(summary, settings.db.path)
    if summary.status != "ok":
        raise typer.Exit(EXIT_PARTIAL)


def _reasons(skips: tuple[Skip, ...]) -> str:
    return ", ".join(f"{reason} ×{n}" for reason, n in Counter(s.reason for s in skips).most_common())


def _print_summary(summary: CrawlSummary, db: Path) -> None:
    filtered = ", ".join(f"{k} {v}" for k, v in sorted(summary.filtered.items()))
    console.print(
        f"run {summary.run_id}: listed {summary.listed} (known {summary.known}{', ' + filtered if filtered else ''}),"
        f" fetched {summary.fetched} pages in {summary.requests} requests, {summary.new} new, {summary.updated}"
        f" updated, {summary.unchanged} unchanged, {len(summary.skipped)} skipped, {len(summary.failed)} failed"
        f" → {db}",
        highlight=False,
        soft_wrap=True,
    )
    if summary.zhibo_items or summary.rss_items:
        ignored = summary.zhibo_tags_ignored
        not_stored = ""
        if ignored:
            named = ", ".join(f"{tag} ×{n}" for tag, n in list(ignored.items())[:5])
            not_stored = f" ({sum(ignored.values())} tags not A-shares, not stored as links: {named})"
        console.print(
            f"7x24: {summary.zhibo_items} items, {summary.zhibo_tag_links} stock tags{not_stored}"
            f" · RSS: {summary.rss_items} items",
            highlight=False,
            soft_wrap=True,
        )
    if summary.resumed_jobs:
        console.print(f"resumed {summary.resumed_jobs} unfinished job(s) first", highlight=False, soft_wrap=True)
    if not summary.job_finished:
        err_console.print(
            labelled("stopped by crawl.max_requests:", "the next run resumes this job"), highlight=False, soft_wrap=True
        )
    for label, skips in (("skipped", summary.skipped), ("failed", summary.failed)):
        if not skips:
            continue
        err_console.print(labelled(label, f"{len(skips)}: {_reasons(skips)}"), highlight=False, soft_wrap=True)
        for skip in skips[:20]:
            line = labelled(f"  {skip.item}:", skip.message, style="", reason=skip.reason)
            err_console.print(line, highlight=False, soft_wrap=True)
        if len(skips) > 20:
            err_console.print(f"  … and {len(skips) - 20} more (table skips)", highlight=False, soft_wrap=True)


def replay_serve(
    articles: Annotated[
        Path | None,
        typer.Option("--articles", help="A folder of archive posts to serve (default: the bundled samples)."),
    ] = None,
    port: Annotated[int, typer.Option(help="Port to listen on (0: any free port).")] = 8765,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    fault_rate: Annotated[
        float, typer.Option("--fault-rate", min=0.0, max=1.0, help="Share of answers that are faults (0..1).")
    ] = 0.0,
    seed: Annotated[int, typer.Option(help="Seed of the faults and of the page templates.")] = 0,
    slow: Annotated[
        float,
        typer.Option("--slow", help="Seconds a slow answer takes: past the crawl's timeout (20 s by default)."),
    ] = 25.0,
) -> None:
    """Serve archive posts the way Sina does: roll API (JSON/JSONP), article pages, 7x24 feed, RSS, robots.txt.

    Slow answers (with faults on) take ``--slow`` seconds, past the crawl's timeout, so that they exercise it.
    When stopped, it prints how many requests it answered, by route, status and fault.

    Example: policywatch replay serve --articles policywatch/data/samples/sina --port 8765 --fault-rate 0.3 --seed 1
    """
    from policywatch.crawlers.replay.server import start_replay
    from policywatch.steps.demo import SAMPLE_ARTICLES

    articles = articles or SAMPLE_ARTICLES
    if not articles.is_dir():
        raise ConfigError(f"--articles {articles} is not a folder")
    handle = start_replay(articles, port=port, host=host, fault_rate=fault_rate, seed=seed, slow_s=slow)
    if not handle.articles:
        handle.stop()
        raise ConfigError(f"no usable archive posts under {articles}")

    def say(text: str) -> None:
        console.print(text, highlight=False, soft_wrap=True)  # URLs stay on one line

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    # Ctrl-C, or a `kill` of a server started with `&` (which a shell starts with Ctrl-C ignored): stop cleanly
    # and say what was served
    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)
    try:  # from here on Ctrl-C stops the server cleanly, even while the banner prints
        say(f"replaying {len(handle.articles)} articles at {handle.base_url}  (Ctrl-C to stop)")
        say(f"  roll API  {handle.roll_url}?pageid=155&lid=1686&num=50&page=1")
        say(f"  7x24      {handle.zhibo_url}&page=1&page_size=20")
        say(f"  RSS       {handle.rss_url}")
        say(
            f"crawl it:  policywatch crawl --roll-url {handle.roll_url} --zhibo-url '{handle.zhibo_url}'"
            f" --rss-url {handle.rss_url}"
        )
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        handle.stop()
        say(f"stopped after {len(handle.requests)} requests:")
        for route, status, fault, count in handle.request_summary():
            say(f"  {route:<8} {status or 'unanswered':<10} {fault or '':<15} {count:>6}")


def register(app: typer.Typer) -> None:
    app.command()(guarded(crawl))
    replay = typer.Typer(help="A local replay of Sina Finance, to try the crawler offline.", no_args_is_help=True)
    replay.command("serve")(guarded(replay_serve))
    app.add_typer(replay, name="replay")
