"""Price providers behind one interface (:class:`~policywatch.crawlers.prices.base.PriceProvider`).

yfinance   Yahoo Finance, batched ``yf.download`` (default; no Beijing listings)
akshare    East Money through akshare (Shanghai, Shenzhen and Beijing)
file       a user's long CSV/Parquet file
synthetic  seeded generated prices for offline demos, labelled ``synthetic``
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from policywatch.crawlers.prices.base import PRICE_COLUMNS, FetchFailure, PriceBatch, PriceProvider
from policywatch.transforms.errors import ConfigError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["PRICE_COLUMNS", "PROVIDERS", "FetchFailure", "PriceBatch", "PriceProvider", "make_provider"]

PROVIDERS = ("yfinance", "akshare", "file", "synthetic")


def make_provider(
    name: str,
    *,
    file: str | Path | None = None,
    seed: int = 20211010,
    batch_size: int = 50,
    max_retries: int = 4,
    backoff_s: float = 2.0,
    benchmark: str = "000300.SS",
    market: Mapping[date, float] | pd.Series | None = None,
) -> PriceProvider:
    """A provider by name; ConfigError for an unknown name or a file provider without a file.

    ``market`` (synthetic only): the stored ``benchmark``'s price levels by date, whose returns are the
    synthetic stocks' market factor (so they are studied against the returns they were made
    from)."""
    if name == "yfinance":
        from policywatch.crawlers.prices.yahoo import YFinanceProvider

        return YFinanceProvider(batch_size=batch_size, max_retries=max_retries, backoff_s=backoff_s)
    if name == "akshare":
        from policywatch.crawlers.prices.akshare_daily import AkshareProvider

        return AkshareProvider(max_retries=max_retries, backoff_s=backoff_s)
    if name == "file":
        if file is None:
            raise ConfigError("the file provider needs a file: --file PATH or prices.file in the config")
        from policywatch.crawlers.prices.files import FilePriceProvider

        return FilePriceProvider(file)
    if name == "synthetic":
        from policywatch.crawlers.prices.synthetic import SyntheticProvider

        return SyntheticProvider(seed, benchmark=benchmark, market=market)
    raise ConfigError(f"unknown price provider {name!r}; choose one of {', '.join(PROVIDERS)}")
