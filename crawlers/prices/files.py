"""A user's own prices from a long CSV or Parquet file.

Columns: ``date,ticker,close`` required; ``open,high,low,pre_close,volume,amount,adj_close`` optional —
the layout of the bundled reference file (``date,ticker,open,high,low,close,pre_close,volume,amount,adj_close``).
Returns prefer ``adj_close``; without it but with ``pre_close`` the total-return chain close / pre_close is
built (so a bonus issue is not a crash); with neither, the plain close is used.
An empty close marks a session without trade. Rows are labelled ``file:<file name>``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from policywatch.crawlers.prices.base import FetchFailure, PriceBatch, chain_adjusted, normalise_rows
from policywatch.transforms.errors import InputError

__all__ = ["FilePriceProvider", "read_price_file"]


def read_price_file(path: str | Path) -> tuple[pd.DataFrame, str]:
    """All rows of a price file in PRICE_COLUMNS, and the adjustment used; InputError for a bad file."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"price file {path} does not exist", reason="not_found")
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            frame = pd.read_parquet(path)
        else:
            frame = pd.read_csv(path, dtype={"ticker": str}, skipinitialspace=True)
    except Exception as exc:  # pandas/pyarrow raise many types for unreadable files
        raise InputError(f"cannot read price file {path}: {exc}", reason="unreadable") from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    rows = normalise_rows(frame, what=f"price file {path.name}")
    if rows.empty:
        raise InputError(f"price file {path} has no prices", reason="empty")
    has_adj = "adj_close" in frame.columns and rows["adj_close"].notna().all()
    if has_adj:
        return rows, "file_adj_close"
    if rows["pre_close"].notna().any():
        for _ticker, part in rows.groupby("ticker", sort=False):
            rows.loc[part.index, "adj_close"] = chain_adjusted(part["close"].to_numpy(), part["pre_close"].to_numpy())
        return rows, "pre_close_chain"
    rows["adj_close"] = np.nan
    return rows, "none"


class FilePriceProvider:
    name = "file"

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._rows: pd.DataFrame | None = None
        self._adjustment = "none"

    def _all(self) -> pd.DataFrame:
        if self._rows is None:
            self._rows, self._adjustment = read_price_file(self.path)
        return self._rows

    def available(self) -> list[str]:
        return sorted(self._all()["ticker"].unique())

    def fetch(self, tickers: Sequence[str] | None, start: date, end: date | None = None) -> PriceBatch:
        rows = self._all()
        wanted = list(dict.fromkeys(tickers)) if tickers is not None else self.available()
        present = set(rows["ticker"])
        failures = tuple(
            FetchFailure(t, "not_found", f"{self.path.name} has no rows for {t}") for t in wanted if t not in present
        )
        chosen = rows[rows["ticker"].isin(wanted) & (rows["date"] >= start)]
        if end is not None:
            chosen = chosen[chosen["date"] <= end]
        in_range = set(chosen["ticker"])
        failures += tuple(
            FetchFailure(t, "not_found", f"{self.path.name} has no rows for {t} from {start}")
            for t in wanted
            if t in present and t not in in_range
        )
        return PriceBatch(
            self.name,
            f"file:{self.path.name}",
            self._adjustment,
            chosen.reset_index(drop=True),
            failures,
            datetime.now(UTC),
        )
