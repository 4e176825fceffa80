"""Daily bars from Yahoo Finance through ``yfinance.download``, batched.

What ``yf.download`` does that this module handles (yfinance 1.7, ``multi.py``):

- it returns one frame with MultiIndex columns (``Price`` × ``Ticker`` with ``group_by="column"``);
- it never raises for a ticker that fails: that ticker's columns are all NaN, and the reason is only
  *logged* on the ``yfinance`` logger as ``"['TICKER']: YFPricesMissingError('possibly delisted; …')"``.
  The log is captured during the call and each NaN ticker is recorded with that reason;
- rate limiting (``YFRateLimitError``, "Too Many Requests") arrives the same way: those tickers are
  retried with exponential backoff, then recorded as ``rate_limited`` (a transient failure);
- an unknown symbol is logged as a missing time zone ("possibly delisted") or, for the first ones of a
  process, as the 404 of Yahoo's quote page: both are ``not_found``. When Yahoo is unreachable, yfinance
  logs the refused connection first and then *also* reports the ticker as "no timezone found": the first
  message is the cause, so the ticker is a ``network`` failure and the run can be retried;
- each ticker's bars are validated on their own: a series with a zero or negative price fails that ticker
  (``bad_data``), never the batch;
- adjustment is explicit: ``auto_adjust=False`` keeps the traded ``Close`` and Yahoo's split-and-dividend
  ``Adj Close`` side by side (returns use the adjusted one);
- daily bars are indexed at the exchange's midnight; with ``ignore_tz=True`` the index is the exchange's
  local date. A tz-aware index (other settings) is reduced to its wall-clock date in the exchange's zone.

Yahoo has no Beijing (``.BJ``) listings: those tickers fail with reason ``unsupported`` here and are routed
to another provider by the caller.
"""

from __future__ import annotations

import ast
import logging
import re
import time
import warnings
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pandas as pd
from policywatch.crawlers.prices.backoff import backoff
from policywatch.crawlers.prices.base import FetchFailure, PriceBatch, normalise_rows
from policywatch.transforms.errors import InputError
from tenacity import retry_if_exception_type

__all__ = ["YFinanceProvider", "parse_download"]

_TZ_CAUSE = re.compile(r"^Failed to get ticker '(?P<symbol>[^']+)' reason: (?P<error>.*)$", re.DOTALL)
_LOGGED = re.compile(r"^\s*\[(?P<symbols>[^\]]*)\]:\s*(?P<error>.*)$", re.DOTALL)
#: requests ("404 Client Error: Not Found for url") and curl_cffi ("HTTP Error 404: …") HTTPError messages
_HTTP_STATUS = re.compile(r"\b([45]\d\d) (?:client|server) error|\bhttp error ([45]\d\d)")
_COLUMNS = {
    "Open": "open",
    "High": "high",
    "Low": "low",
    "Close": "close",
    "Adj Close": "adj_close",
    "Volume": "volume",
}


class _Capture(logging.Handler):
    """Collects the per-ticker errors yfinance logs. When its time-zone lookup raised (a refused connection,
    say) yfinance first logs ``Failed to get ticker 'X' reason: …`` and later reports the ticker as
    ``possibly delisted; no timezone found``: the first message is the cause and is the one kept."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.reported: dict[str, str] = {}
        self.causes: dict[str, str] = {}

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if cause := _TZ_CAUSE.match(message):
            self.causes[cause["symbol"].upper()] = cause["error"].strip()
            return
        match = _LOGGED.match(message)
        if not match:
            return
        try:
            symbols = ast.literal_eval(f"[{match['symbols']}]")
        except (ValueError, SyntaxError):
            return
        for symbol in symbols:
            self.reported[str(symbol).upper()] = match["error"].strip()

    @property
    def errors(self) -> dict[str, str]:
        out = dict(self.reported)
        for symbol, error in self.reported.items():
            if "no timezone" in error.lower() and symbol in self.causes:
                out[symbol] = self.causes[symbol]
        return out


def classify(message: str) -> str:
    """A failure reason from the message yfinance logged for a ticker."""
    text = message.lower()
    status = _HTTP_STATUS.search(text)
    code = int(status[1] or status[2]) if status else None
    if "ratelimit" in text or "rate limit" in text or "too many requests" in text or code == 429:
        return "rate_limited"
    if "delisted" in text or "no price data" in text or "no timezone" in text or "not found" in text:
        return "not_found"
    if code is not None and 400 <= code < 500:  # Yahoo has no such symbol (its quote page 404s): do not retry
        return "not_found"
    if any(word in text for word in ("timeout", "timed out", "connection", "curl", "ssl", "resolve", "http")):
        return "network"
    return "bad_data"


def parse_download(
    frame: pd.DataFrame | None, tickers: Sequence[str], errors: dict[str, str]
) -> tuple[pd.DataFrame, list[FetchFailure]]:
    """Long rows and failures from a ``yf.download`` frame for ``tickers`` (as requested)."""
    failures: list[FetchFailure] = []
    parts: list[pd.DataFrame] = []
    columns = frame.columns if frame is not None else pd.Index([])
    multi = isinstance(columns, pd.MultiIndex)
    names = set(columns.get_level_values(1)) if multi else set()
    for ticker in tickers:
        symbol = ticker.upper()
        if multi and symbol in names:
            sub = frame.xs(symbol, axis=1, level=1)
        elif not multi and frame is not None and len(tickers) == 1 and "Close" in columns:
            sub = frame
        else:
            sub = None
        bars = None if sub is None else sub[sub["Close"].notna()] if "Close" in sub.columns else None
        if bars is None or bars.empty:
            message = errors.get(symbol, "Yahoo returned no bars in the range")
            failures.append(FetchFailure(ticker, classify(message) if symbol in errors else "not_found", message))
            continue
        index = pd.DatetimeIndex(bars.index)
        if index.tz is not None:
            index = index.tz_localize(None)  # wall-clock time in the exchange's zone, as yfinance sets it
        part = pd.DataFrame({"date": index.date, "ticker": ticker})
        for source, target in _COLUMNS.items():
            part[target] = bars[source].to_numpy(dtype=float) if source in bars.columns else float("nan")
        try:  # per ticker: one bad series (a zero or negative bar) fails that ticker, not the batch
            parts.append(normalise_rows(part, what=f"yfinance {ticker}"))
        except InputError as exc:
            failures.append(FetchFailure(ticker, "bad_data", str(exc)))
    rows = pd.concat(parts, ignore_index=True) if parts else normalise_rows(_empty(), what="yfinance")
    return rows, failures


class _RateLimited(Exception):
    """Tickers of an attempt that Yahoo answered "Too Many Requests" for: the retried error."""

    def __init__(self, failures: list[FetchFailure]) -> None:
        super().__init__(f"{len(failures)} ticker(s) rate-limited by Yahoo")
        self.failures = failures


class YFinanceProvider:
    name = "yfinance"

    def __init__(
        self,
        *,
        download: Callable[..., pd.DataFrame | None] | None = None,
        batch_size: int = 50,
        max_retries: int = 4,
        backoff_s: float = 2.0,
        sleep: Callable[[float], None] = time.sleep,
        threads: bool = True,
        timeout: float = 20.0,
        session: Any = None,
    ) -> None:
        """``session``: a ``curl_cffi`` or ``requests`` Session for every Yahoo request (a proxy, say);
        None lets yfinance make its own."""
        self._download = download
        self.session = session
        self.batch_size = batch_size
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.sleep = sleep
        self.threads = threads
        self.timeout = timeout

    def _call(self, tickers: list[str], start: date, end: date | None) -> tuple[pd.DataFrame | None, dict[str, str]]:
        if self._download is None:
            import yfinance  # heavy import: only when Yahoo is used

            self._download = yfinance.download
        capture = _Capture()
        logger = logging.getLogger("yfinance")
        logger.addHandler(capture)
        try:
            with warnings.catch_warnings():
                # yfinance 1.7 passes inplace=True, deprecated by pandas 3.1: theirs to fix, not the user's
                warnings.filterwarnings("ignore", category=FutureWarning, module="yfinance")
                warnings.filterwarnings("ignore", message="The inplace keyword", module="yfinance")
                frame = self._download(
                    tickers,
                    start=start.isoformat(),
                    # yfinance's end is exclusive
                    end=(end + timedelta(days=1)).isoformat() if end else None,
                    auto_adjust=False,
                    actions=False,
                    group_by="column",
                    ignore_tz=True,
                    multi_level_index=True,
                    progress=False,
                    threads=self.threads,
                    timeout=self.timeout,
                    session=self.session,
                )
        except Exception as exc:  # the library itself failed (network stack, parsing): every ticker failed
            capture.reported.update({t.upper(): f"{type(exc).__name__}: {exc}" for t in tickers})
            frame = None
        finally:
            logger.removeHandler(capture)
        return frame, capture.errors

    def _fetch_batch(
        self, tickers: list[str], start: date, end: date | None
    ) -> tuple[list[pd.DataFrame], list[FetchFailure]]:
        """One ``yf.download`` batch; the tickers Yahoo rate-limited are asked again, alone, after a pause,
        and are ``rate_limited`` failures after the last attempt."""
        parts: list[pd.DataFrame] = []
        failures: list[FetchFailure] = []
        pending = tickers

        def attempt() -> None:
            nonlocal pending
            frame, errors = self._call(pending, start, end)
            rows, failed = parse_download(frame, pending, errors)
            if len(rows):
                parts.append(rows)
            failures.extend(f for f in failed if f.reason != "rate_limited")
            if limited := [f for f in failed if f.reason == "rate_limited"]:
                pending = [f.ticker for f in limited]
                raise _RateLimited(limited)

        retrying = backoff(
            retry=retry_if_exception_type(_RateLimited),
            max_retries=self.max_retries,
            backoff_s=self.backoff_s,
            sleep=self.sleep,
        )
        try:
            retrying(attempt)
        except _RateLimited as last:
            failures.extend(last.failures)
        return parts, failures

    def fetch(self, tickers: Sequence[str], start: date, end: date | None = None) -> PriceBatch:
        fetched_at = datetime.now(UTC)
        parts: list[pd.DataFrame] = []
        failures: list[FetchFailure] = []
        wanted = [t for t in dict.fromkeys(tickers) if not t.upper().endswith(".BJ")]
        failures += [
            FetchFailure(t, "unsupported", "Yahoo Finance has no Beijing Stock Exchange listings")
            for t in dict.fromkeys(tickers)
            if t.upper().endswith(".BJ")
        ]
        for lo in range(0, len(wanted), self.batch_size):
            batch_parts, batch_failures = self._fetch_batch(wanted[lo : lo + self.batch_size], start, end)
            parts += batch_parts
            failures += batch_failures
        rows = pd.concat(parts, ignore_index=True) if parts else normalise_rows(_empty(), what="yfinance")
        return PriceBatch(self.name, "yfinance", "yahoo_adj_close", rows, tuple(failures), fetched_at)


def _empty() -> pd.DataFrame:
    frame: dict[str, Any] = {"date": [], "ticker": [], "close": []}
    return pd.DataFrame(frame)
