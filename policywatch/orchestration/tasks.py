"""What each Airflow task does, as plain functions of the DAG run's params: the DAG files stay thin and these
can be tested and called without Airflow. Every function returns a JSON-ready summary (an XCom)."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from policywatch.config import Settings, load_settings
from policywatch.crawlers.prices import FetchFailure, PriceBatch
from policywatch.transforms.errors import ConfigError

__all__ = [
    "alert",
    "crawl",
    "download_prices",
    "events",
    "link",
    "load",
    "load_prices",
    "plan_prices",
    "record_alerts",
    "study",
]

log = logging.getLogger("policywatch.tasks")


def _settings() -> Settings:
    """The deployment's settings: ``$POLICYWATCH_CONFIG`` (or ./policywatch.toml) and the environment."""
    return load_settings()


def _date(value: Any, param: str | None = None) -> date | None:
    """A date param (``YYYY-MM-DD``, or an ISO time whose date counts); a bad one is a terminal error naming
    the param. (The DAGs' params say ``format: date``, so Airflow refuses a bad one when the run is made.)"""
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        what = f"the param {param}" if param else "a date param"
        raise ConfigError(f"{what}: {value!r} is not a date like 2026-01-31 ({exc})") from None


def crawl(params: Mapping[str, Any]) -> dict[str, Any]:
    """The crawl phase: Scrapy into staging files; the database is only read, briefly (outside the writers' pool).
    Returns what was staged, for ``load``."""
    from policywatch.steps.crawl.run import crawl_to_staging

    staged = crawl_to_staging(
        _settings(),
        roll_url=params.get("roll_url") or None,
        channels=params.get("channels") or None,
        since=_date(params.get("since")),
        max_pages=params.get("max_pages") or None,
        zhibo_url=params.get("zhibo_url"),
        rss_feeds=params.get("rss_feeds"),
    )
    log.info("crawl: %s", {k: v for k, v in staged.to_json().items() if k != "args"})
    if error := staged.problem_error():
        # a terminal one is not retried; a transient one is retried by Airflow: the retry resumes the job, and
        # what is staged waits for the next load
        raise error
    return json.loads(json.dumps(staged.to_json(), default=str))


def load(staged: Mapping[str, Any] | None, params: Mapping[str, Any]) -> dict[str, Any]:
    """The load phase: store every staged crawl job not loaded yet (the writer: run it in the writers' pool)."""
    from policywatch.steps.crawl.run import StagedCrawl, load_staged

    summary = load_staged(_settings(), StagedCrawl.from_json(dict(staged)) if staged else None)
    counts = summary.counts()
    log.info("load: %s", counts)
    for skip in [*summary.skipped, *summary.failed][:50]:
        log.info("  %s: %s (%s)", skip.item, skip.message, skip.reason)
    return json.loads(json.dumps(counts, default=str))


def link(params: Mapping[str, Any], outlet_events: Any = None) -> dict[str, Any]:
    """Link what is new or stale; the articles asset gets an event only when some article was (re)linked."""
    from policywatch.orchestration.airflow import ARTICLES_ASSET, ARTICLES_LANDED, announce
    from policywatch.steps.link import link_articles

    summary = link_articles(_settings(), relink_all=bool(params.get("relink_all")))
    landed = announce(outlet_events, ARTICLES_LANDED, ARTICLES_ASSET, landed=summary.linked > 0,
                      extra={"linked": summary.linked})  # fmt: skip
    return {**summary.counts(), "asset_event": landed}


def alert(params: Mapping[str, Any], run_id: str | None = None) -> dict[str, Any]:
    """Send what is due (outside the writers' pool: the database is only read, briefly). The outcomes wait in
    a journal for ``record_alerts``. When a delivery failed, raises a retryable error after journaling it:
    the task's retry sends the failed ones again (and only those), and the run shows it."""
    from policywatch.alerts import AlertsNotDeliveredError
    from policywatch.steps.alerts import send_alerts
    from policywatch.transforms.models import CHINA_TZ

    settings = _settings()
    if settings.alerts.watchlist is None:
        log.warning("no watchlist configured ([alerts] watchlist): nothing to alert on")
        return {"skipped": "no watchlist configured"}
    since = _date(params.get("alert_since"), "alert_since")
    summary = send_alerts(
        settings,
        since=datetime.combine(since, datetime.min.time(), tzinfo=CHINA_TZ) if since else None,
        echo=log.info,
        label=run_id or "airflow",
    )
    for article_id, rule, channel, error in summary.failed:
        log.warning("alert to %s failed (%s, %s): %s", channel, rule, article_id, error)
    # a channel unusable as configured fails the same way on every retry: only the others are worth one
    retryable = [f for f in summary.failed if f[2] not in summary.unusable]
    if retryable:
        channels = sorted({channel for _, _, channel, _ in retryable})
        raise AlertsNotDeliveredError(
            f"{len(retryable)} of {len(summary.failed) + summary.sent} alert deliveries failed (channels "
            f"{', '.join(channels)}); record_alerts records them as failed, and a retry or the next run sends "
            "them again"
        )
    if summary.unusable:
        why = "; ".join(f"{channel}: {reason}" for channel, reason in sorted(summary.unusable.items()))
        raise ConfigError(
            f"alert channels cannot be used as configured ({why}); their alerts are recorded as failed and go out"
            " on the first run after the configuration is fixed"
        )
    return {**summary.counts(), "journal": summary.journal}


def record_alerts(params: Mapping[str, Any]) -> dict[str, Any]:
    """Record the alert journals into DuckDB (the writer, briefly: run it in the writers' pool)."""
    from policywatch.steps.alerts import record_alert_journals

    summary = record_alert_journals(_settings())
    return {"run_id": summary.run_id, **summary.counts()}


def plan_prices(params: Mapping[str, Any]) -> dict[str, Any]:
    """Which provider calls to make, and for synthetic prices the stored benchmark's levels they are built on
    (reads the database: run it in the writers' pool)."""
    from policywatch.steps.prices import plan_prices as plan
    from policywatch.warehouse.store import open_writer

    settings = _settings()
    con = open_writer(settings.db.path, lock_timeout=settings.db.lock_timeout_s)
    try:
        result = plan(
            con,
            settings,
            tickers=params.get("tickers") or None,
            since=_date(params.get("since"), "since"),
            provider=params.get("provider") or None,
            fill_gaps=bool(params.get("fill_gaps")),
        )
    finally:
        con.close()
    market = None
    if result.market is not None:  # JSON: ISO dates to levels (Python's floats come back from JSON exactly)
        market = {day.isoformat(): float(level) for day, level in result.market.items()}
    return {
        "market": market,
        "requests": [
            {"provider": r.provider, "start": r.start.isoformat(), "end": r.end.isoformat() if r.end else None,
             "tickers": list(r.tickers)}
            for r in result.requests
        ],
        "refused": [{"provider": p, **asdict(f)} for p, f in result.refused],
        "requested": result.requested,
    }  # fmt: skip


def download_prices(plan: Mapping[str, Any], run_id: str) -> list[str]:
    """Make the provider calls and stage each batch as Parquet plus a JSON sidecar; no database (the synthetic
    provider's market factor, the stored benchmark's levels, comes with the plan)."""
    from policywatch.steps.prices import PriceRequest, download_prices, provider_factory_for

    settings = _settings()
    folder = Path(settings.prices.staging_dir) / _safe(run_id)
    folder.mkdir(parents=True, exist_ok=True)
    requests = [
        PriceRequest(r["provider"], date.fromisoformat(r["start"]), _date(r["end"]), tuple(r["tickers"]))
        for r in plan["requests"]
    ]
    market = {date.fromisoformat(day): level for day, level in (plan.get("market") or {}).items()} or None
    factory = provider_factory_for(settings, market=market)
    staged = []
    for i, (request, batch) in enumerate(download_prices(requests, factory)):
        stem = folder / f"batch-{i:04d}"
        batch.rows.to_parquet(stem.with_suffix(".parquet"), index=False)
        meta = {
            "request": {**asdict(request), "start": request.start.isoformat(),
                        "end": request.end.isoformat() if request.end else None},
            "provider": batch.provider, "source": batch.source, "adjustment": batch.adjustment,
            "failures": [asdict(f) for f in batch.failures], "fetched_at": batch.fetched_at.isoformat(),
        }  # fmt: skip
        stem.with_suffix(".json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        staged.append(str(stem))
    return staged


def load_prices(
    plan: Mapping[str, Any], staged: list[str], params: Mapping[str, Any], outlet_events: Any = None
) -> dict[str, Any]:
    """Load the staged batches (the writer: run it in the writers' pool). The prices asset gets an event only
    when bars were added or a stored series was rebased (the overlap a fetch re-reads changes nothing)."""
    from policywatch.steps.prices import PricePlan, PriceRequest, load_batch, price_run, record_refused

    fill_gaps = bool(params.get("fill_gaps"))

    def load_staged(con, summary) -> None:
        refused = [(r["provider"], FetchFailure(r["ticker"], r["reason"], r["message"])) for r in plan["refused"]]
        record_refused(con, summary, PricePlan(list(plan["requested"]), [], refused))
        for stem in map(Path, staged):
            meta = json.loads(stem.with_suffix(".json").read_text(encoding="utf-8"))
            r = meta["request"]
            start, end = date.fromisoformat(r["start"]), _date(r["end"])
            request = PriceRequest(r["provider"], start, end, tuple(r["tickers"]))
            rows = pd.read_parquet(stem.with_suffix(".parquet"))
            batch = PriceBatch(
                meta["provider"], meta["source"], meta["adjustment"], rows,
                tuple(FetchFailure(**f) for f in meta["failures"]), datetime.fromisoformat(meta["fetched_at"]),
            )  # fmt: skip
            load_batch(con, summary, request, batch, fill_gaps=fill_gaps)

    summary = price_run(_settings(), {"staged": len(staged), "fill_gaps": fill_gaps}, load_staged)
    from policywatch.orchestration.airflow import PRICES_ASSET, PRICES_LANDED, announce

    landed = announce(outlet_events, PRICES_LANDED, PRICES_ASSET, landed=bool(summary.new_rows or summary.rescaled),
                      extra={"new_rows": summary.new_rows, "rescaled": sorted(summary.rescaled)})  # fmt: skip
    return {**summary.counts(), "asset_event": landed}


def events(params: Mapping[str, Any]) -> dict[str, Any]:
    from policywatch.steps.study.events import build_events

    summary = build_events(_settings())
    return {"run_id": summary.run_id, **summary.counts()}


def study(params: Mapping[str, Any]) -> dict[str, Any]:
    from policywatch.steps.study.run import run_study

    outcome = run_study(_settings(), name=params.get("study_name") or None, refresh_events=False)
    return {
        "study": outcome.name,
        "run_id": outcome.run_id,
        "events": outcome.n_events,
        "kept": outcome.n_kept,
        "dropped": dict(outcome.dropped),
        "price_sources": list(outcome.price_sources),
    }


def _safe(run_id: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in run_id)
