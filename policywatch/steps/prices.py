"""Fetch daily prices into the warehouse: incremental, batched, every failure recorded with its reason.

Which tickers: the ones named, or every stock ticker linked from an article (``article_tickers``), plus
the benchmarks (CSI 300 by default) either way. Where to start: ``--since`` if given, else a few days
before the last stored bar (the overlap rebases the adjusted close), else ``prices.since``.
Beijing tickers go to ``prices.beijing_provider`` when the main provider is Yahoo (which has none).
Each provider batch is loaded in its own transaction. When every ticker failed for a transient reason
(rate limit, network) the step raises FetchError so a scheduler retries it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import duckdb
import pandas as pd

from policywatch.config import Settings
from policywatch.crawlers.prices import FetchFailure, PriceBatch, PriceProvider, make_provider
from policywatch.transforms.errors import FetchError
from policywatch.transforms.linking.tickers import security_from_code
from policywatch.warehouse.prices import benchmark_levels, last_price_dates, load_prices, record_fetch_failures
from policywatch.warehouse.runs import finish_run, record_skip, start_run
from policywatch.warehouse.store import open_writer

__all__ = [
    "PriceFetchSummary",
    "PricePlan",
    "PriceRequest",
    "download_prices",
    "fetch_prices",
    "linked_tickers",
    "load_batch",
    "normalise_ticker",
    "plan_prices",
    "price_run",
]

_TICKER = re.compile(r"^(?P<symbol>\d{6})\.(?P<suffix>SS|SH|SZ|BJ)$", re.IGNORECASE)


@dataclass(slots=True)
class PriceFetchSummary:
    run_id: str
    requested: list[str] = field(default_factory=list)
    new_rows: int = 0
    replaced_rows: int = 0
    fetched: set[str] = field(default_factory=set)
    failures: list[tuple[str, FetchFailure]] = field(default_factory=list)  #: (provider, failure)
    rescaled: set[str] = field(default_factory=set)
    unjoined: set[str] = field(default_factory=set)  #: fill_gaps: no date shared with the stored series

    def counts(self) -> dict[str, int]:
        return {
            "requested": len(self.requested),
            "fetched": len(self.fetched),
            "new_rows": self.new_rows,
            "replaced_rows": self.replaced_rows,
            "failed": len(self.failures),
        }


def normalise_ticker(text: str) -> str | None:
    """``300024.sz`` → ``300024.SZ``; ``600000.SH`` → ``600000.SS`` (Yahoo's suffix); None if not an A-share."""
    match = _TICKER.match(text.strip())
    if not match:
        return None
    suffix = match["suffix"].upper()
    return f"{match['symbol']}.{'SS' if suffix == 'SH' else suffix}"


def linked_tickers(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every stock (not index) ticker an article reached, from ``article_tickers``."""
    rows = con.execute("SELECT DISTINCT code, ticker FROM article_tickers ORDER BY ticker").fetchall()
    out = []
    for code, ticker in rows:
        security = security_from_code(code)
        if security is not None and security.kind == "stock" and security.exchange in ("SH", "SZ", "BJ"):
            out.append(ticker)
    return list(dict.fromkeys(out))


@dataclass(frozen=True, slots=True)
class PriceRequest:
    """One provider call to make: these tickers from ``start`` (to ``end``)."""

    provider: str
    start: date
    end: date | None
    tickers: tuple[str, ...]


@dataclass(slots=True)
class PricePlan:
    requested: list[str]
    requests: list[PriceRequest]
    #: tickers refused before any call (not an A-share ticker, no provider for Beijing)
    refused: list[tuple[str, FetchFailure]]
    #: when a request goes to the synthetic provider: the study benchmark's stored real levels by date, its
    #: market factor (read here, where the database is at hand, so a download that has none makes the same bars)
    market: pd.Series | None = None


def plan_prices(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    *,
    tickers: Sequence[str] | None = None,
    since: date | None = None,
    end: date | None = None,
    provider: str | None = None,
    fill_gaps: bool = False,
) -> PricePlan:
    """Which provider calls a fetch needs: per ticker, where to start (``since``, else a few days before its
    last stored bar, else ``prices.since``) and which provider (Beijing goes to ``beijing_provider`` when the
    main provider is Yahoo)."""
    cfg = settings.prices
    name = provider or cfg.provider
    wanted = list(tickers) if tickers is not None else linked_tickers(con)
    normalised: list[str] = []
    refused: list[tuple[str, FetchFailure]] = []
    for text in [*wanted, *cfg.benchmarks]:
        ticker = normalise_ticker(text)
        if ticker is None:
            refused.append((name, FetchFailure(text, "bad_ticker", f"{text!r} is not an A-share ticker")))
        else:
            normalised.append(ticker)
    requested = list(dict.fromkeys(normalised))
    last = last_price_dates(con, requested)
    routes: dict[tuple[str, date], list[str]] = defaultdict(list)
    for ticker in requested:
        if fill_gaps:
            start = since or cfg.since
        else:
            start = since or (last[ticker] - timedelta(days=cfg.overlap_days) if ticker in last else cfg.since)
        route = name
        if ticker.endswith(".BJ") and name == "yfinance":
            route = cfg.beijing_provider
        routes[(route, start)].append(ticker)
    requests: list[PriceRequest] = []
    for (route, start), group in sorted(routes.items()):
        if route == "none":
            refused += [
                ("none", FetchFailure(t, "unsupported", "no provider configured for Beijing tickers")) for t in group
            ]
            continue
        for lo in range(0, len(group), cfg.batch_size):
            requests.append(PriceRequest(route, start, end, tuple(group[lo : lo + cfg.batch_size])))
    market = None
    if any(request.provider == "synthetic" for request in requests):
        market = benchmark_levels(con, settings.study.benchmark, adjustment=cfg.adjustment)
    return PricePlan(requested, requests, refused, market)


def provider_factory_for(
    settings: Settings, file: str | None = None, market: Mapping[date, float] | pd.Series | None = None
) -> Callable[[str], PriceProvider]:
    """Providers by name from the settings. Given ``market`` (a plan's: the study benchmark's stored real
    levels), the synthetic one takes its market factor from it, so synthetic stocks are market-model stocks
    *of that benchmark* and a study of them is null on average; without real bars it draws its own."""
    cfg = settings.prices
    return lambda which: make_provider(
        which,
        file=file or cfg.file,
        seed=cfg.synthetic_seed,
        batch_size=cfg.batch_size,
        max_retries=cfg.max_retries,
        backoff_s=cfg.backoff_s,
        benchmark=settings.study.benchmark,
        market=market,
    )


def download_prices(
    requests: Sequence[PriceRequest], factory: Callable[[str], PriceProvider]
) -> Iterator[tuple[PriceRequest, PriceBatch]]:
    """Make the provider calls; touches no database (an Airflow task can run it outside the writers' pool)."""
    providers: dict[str, PriceProvider] = {}
    for request in requests:
        if request.provider not in providers:
            providers[request.provider] = factory(request.provider)
        yield request, providers[request.provider].fetch(list(request.tickers), request.start, request.end)


def fetch_prices(
    settings: Settings,
    *,
    tickers: Sequence[str] | None = None,
    since: date | None = None,
    provider: str | None = None,
    file: str | None = None,
    end: date | None = None,
    provider_factory: Callable[[str], PriceProvider] | None = None,
    fill_gaps: bool = False,
) -> PriceFetchSummary:
    """Fetch ``tickers`` (None: every linked stock ticker) and the benchmarks; load them; return what happened.

    ``fill_gaps``: fetch from ``since`` (or ``prices.since``) for every ticker and add only the dates that have
    no bar yet, keeping every stored bar (a second source behind a first one: real prices, then synthetic)."""
    name = provider or settings.prices.provider

    def fetch_and_load(con: duckdb.DuckDBPyConnection, summary: PriceFetchSummary) -> None:
        plan = plan_prices(con, settings, tickers=tickers, since=since, end=end, provider=name, fill_gaps=fill_gaps)
        record_refused(con, summary, plan)
        factory = provider_factory or provider_factory_for(settings, file, plan.market)
        for request, batch in download_prices(plan.requests, factory):
            load_batch(con, summary, request, batch, fill_gaps=fill_gaps)

    return price_run(settings, {"provider": name, "tickers": tickers, "since": since}, fetch_and_load)


def price_run(
    settings: Settings,
    args: dict[str, Any],
    load: Callable[[duckdb.DuckDBPyConnection, PriceFetchSummary], None],
) -> PriceFetchSummary:
    """One ``prices fetch`` run recorded in ``runs``: ``load`` loads prices and fills in the summary; the run
    ends partial when any ticker failed, failed (and the error raised) when ``load`` raises. Whether the
    command fetched the prices or a scheduler staged them beforehand, the run is recorded alike."""
    con = open_writer(settings.db.path, lock_timeout=settings.db.lock_timeout_s)
    try:
        run_id = start_run(con, "prices fetch", args)
        summary = PriceFetchSummary(run_id)
        try:
            load(con, summary)
        except BaseException as exc:
            finish_run(con, run_id, "failed", summary.counts(), f"{type(exc).__name__}: {exc}")
            raise
        finish_run(con, run_id, "partial" if summary.failures else "ok", summary.counts())
    finally:
        con.close()
    raise_if_all_transient(summary)
    return summary


def record_refused(con: duckdb.DuckDBPyConnection, summary: PriceFetchSummary, plan: PricePlan) -> None:
    """Tickers refused before any provider call go where every failed fetch goes (``price_fetch_failures``),
    so ``events`` can say why they have no prices; a string that is no ticker is also a run skip."""
    summary.requested = plan.requested
    attempted_at = datetime.now(UTC)
    for provider, failure in plan.refused:
        summary.failures.append((provider, failure))
        record_fetch_failures(con, provider, [failure], attempted_at=attempted_at, run_id=summary.run_id)
        if failure.reason == "bad_ticker":
            record_skip(con, summary.run_id, failure.ticker, failure.reason, failure.message)


def load_batch(
    con: duckdb.DuckDBPyConnection,
    summary: PriceFetchSummary,
    request: PriceRequest,
    batch: PriceBatch,
    *,
    fill_gaps: bool = False,
) -> None:
    loaded = load_prices(con, batch, run_id=summary.run_id, start=request.start, end=request.end, fill_gaps=fill_gaps)
    summary.new_rows += loaded.new
    summary.replaced_rows += loaded.replaced
    summary.rescaled.update(loaded.rescaled)
    summary.unjoined.update(loaded.unjoined)
    summary.fetched.update(batch.tickers)
    summary.failures.extend((batch.provider, f) for f in batch.failures)


def raise_if_all_transient(summary: PriceFetchSummary) -> None:
    """Every ticker failed for a transient reason (rate limit, network): a scheduler should retry."""
    if summary.failures and not summary.fetched and all(f.transient for _, f in summary.failures):
        reasons = sorted({f.reason for _, f in summary.failures})
        raise FetchError(f"every price fetch failed for a transient reason ({', '.join(reasons)}); retry later")
