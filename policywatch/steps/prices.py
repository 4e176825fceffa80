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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import duckdb

from crawlers.prices import FetchFailure, PriceProvider, make_provider
from policywatch.config import Settings
from transforms.errors import FetchError
from transforms.tickers import security_from_code
from warehouse.prices import last_price_dates, load_prices
from warehouse.runs import finish_run, record_skip, start_run
from warehouse.store import open_writer

__all__ = ["PriceFetchSummary", "fetch_prices", "linked_tickers", "normalise_ticker"]

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
    cfg = settings.prices
    name = provider or cfg.provider
    factory = provider_factory or (
        lambda which: make_provider(
            which,
            file=file or cfg.file,
            seed=cfg.synthetic_seed,
            batch_size=cfg.batch_size,
            max_retries=cfg.max_retries,
            backoff_s=cfg.backoff_s,
        )
    )
    con = open_writer(settings.db.path, lock_timeout=settings.db.lock_timeout_s)
    try:
        wanted = list(tickers) if tickers is not None else linked_tickers(con)
        run_id = start_run(con, "prices fetch", {"provider": name, "tickers": tickers, "since": since})
        summary = PriceFetchSummary(run_id)
        try:
            _fetch(con, summary, wanted, cfg.benchmarks, name, factory, since, end, settings, fill_gaps)
        except BaseException as exc:
            finish_run(con, run_id, "failed", summary.counts(), f"{type(exc).__name__}: {exc}")
            raise
        status = "partial" if summary.failures else "ok"
        finish_run(con, run_id, status, summary.counts())
    finally:
        con.close()
    if summary.failures and not summary.fetched and all(f.transient for _, f in summary.failures):
        reasons = sorted({f.reason for _, f in summary.failures})
        raise FetchError(f"every price fetch failed for a transient reason ({', '.join(reasons)}); retry later")
    return summary


def _fetch(con, summary, wanted, benchmarks, name, factory, since, end, settings, fill_gaps=False) -> None:
    cfg = settings.prices
    normalised: list[str] = []
    for text in [*wanted, *benchmarks]:
        ticker = normalise_ticker(text)
        if ticker is None:
            summary.failures.append((name, FetchFailure(text, "bad_ticker", f"{text!r} is not an A-share ticker")))
            record_skip(con, summary.run_id, text, "bad_ticker", f"{text!r} is not an A-share ticker")
        else:
            normalised.append(ticker)
    summary.requested = list(dict.fromkeys(normalised))
    last = last_price_dates(con, summary.requested)
    routes: dict[tuple[str, date], list[str]] = defaultdict(list)
    for ticker in summary.requested:
        if fill_gaps:
            start = since or cfg.since
        else:
            start = since or (last[ticker] - timedelta(days=cfg.overlap_days) if ticker in last else cfg.since)
        route = name
        if ticker.endswith(".BJ") and name == "yfinance":
            route = cfg.beijing_provider
        routes[(route, start)].append(ticker)
    providers: dict[str, PriceProvider] = {}
    for (route, start), group in sorted(routes.items()):
        if route == "none":
            for ticker in group:
                failure = FetchFailure(ticker, "unsupported", "no provider configured for Beijing tickers")
                summary.failures.append(("none", failure))
            continue
        if route not in providers:
            providers[route] = factory(route)
        for lo in range(0, len(group), cfg.batch_size):
            batch = providers[route].fetch(group[lo : lo + cfg.batch_size], start, end)
            loaded = load_prices(con, batch, run_id=summary.run_id, start=start, end=end, fill_gaps=fill_gaps)
            summary.new_rows += loaded.new
            summary.replaced_rows += loaded.replaced
            summary.rescaled.update(loaded.rescaled)
            summary.fetched.update(batch.tickers)
            summary.failures.extend((batch.provider, f) for f in batch.failures)
