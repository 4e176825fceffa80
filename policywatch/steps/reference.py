"""Refreshing the securities master from the exchanges (through akshare) into a dated snapshot file."""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

from policywatch.config import Settings
from policywatch.crawlers.reference_akshare import SecurityRow, fetch_securities
from policywatch.reference import load_master
from policywatch.transforms.errors import InputError

__all__ = ["MIN_SECURITIES", "refresh_reference"]

#: fewer rows than this means a partial answer: it is refused rather than written
MIN_SECURITIES = 4000


def refresh_reference(
    settings: Settings, *, fetch: Callable[[], list[SecurityRow]] = fetch_securities, today: date | None = None
) -> tuple[Path, int]:
    """Write ``a_share_code_name_<today>.csv`` into the reference directory; returns it and its row count."""
    rows = fetch()
    by_exchange = {ex: sum(1 for r in rows if r.exchange == ex) for ex in ("SH", "SZ", "BJ")}
    if len(rows) < MIN_SECURITIES or not all(by_exchange.values()):
        raise InputError(
            f"the exchanges' lists came back incomplete ({by_exchange}); the snapshot was not written",
            reason="incomplete_reference",
        )
    today = today or date.today()
    directory = settings.linking.reference_dir
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"a_share_code_name_{today.isoformat()}.csv"
    # write beside, then rename: a reader never sees half a file
    with tempfile.NamedTemporaryFile(
        "w", dir=directory, suffix=".tmp", delete=False, encoding="utf-8", newline=""
    ) as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "name", "exchange", "list_date", "source"])
        for row in sorted(rows, key=lambda r: (r.exchange, r.code)):
            writer.writerow([row.code, row.name, row.exchange, row.list_date or "", f"akshare {today.isoformat()}"])
    os.replace(handle.name, target)
    load_master.cache_clear()
    return target, len(rows)
