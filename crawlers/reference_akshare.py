"""The exchanges' current code/name lists through akshare (online only): a fresh securities snapshot.

akshare scrapes the exchanges' own list pages: Shanghai main board and STAR (``stock_info_sh_name_code``),
Shenzhen (``stock_info_sz_name_code``) and Beijing (``stock_info_bj_name_code``), with their Chinese columns.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import date
from types import ModuleType
from typing import Any

from policywatch.transforms.errors import FetchError, InputError

__all__ = ["SecurityRow", "fetch_securities"]


@dataclass(frozen=True, slots=True)
class SecurityRow:
    code: str
    name: str
    exchange: str
    list_date: date | None


#: (exchange, akshare function, its keyword arguments, code column, name column, list-date column)
_SOURCES: tuple[tuple[str, str, dict[str, str], str, str, str], ...] = (
    ("SH", "stock_info_sh_name_code", {"symbol": "主板A股"}, "证券代码", "证券简称", "上市日期"),
    ("SH", "stock_info_sh_name_code", {"symbol": "科创板"}, "证券代码", "证券简称", "上市日期"),
    ("SZ", "stock_info_sz_name_code", {"symbol": "A股列表"}, "A股代码", "A股简称", "A股上市日期"),
    ("BJ", "stock_info_bj_name_code", {}, "证券代码", "证券简称", "上市日期"),
)


def _as_date(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value
    text = str(value).strip().replace("-", "")[:8]
    if len(text) == 8 and text.isdigit():
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    return None


def fetch_securities(ak: ModuleType | None = None) -> list[SecurityRow]:
    """Every A-share on the three exchanges today. FetchError when the network fails (retry later);
    InputError when an answer lacks the columns akshare documents (its source changed)."""
    ak = ak or importlib.import_module("akshare")
    rows: list[SecurityRow] = []
    for exchange, function, kwargs, code_col, name_col, date_col in _SOURCES:
        try:
            frame = getattr(ak, function)(**kwargs)
        except (OSError, ConnectionError, TimeoutError) as exc:
            raise FetchError(f"akshare.{function}({kwargs}) failed: {exc}") from None
        except Exception as exc:  # akshare wraps requests' errors in its own ways
            if "requests" in type(exc).__module__ or "urllib3" in type(exc).__module__:
                raise FetchError(f"akshare.{function}({kwargs}) failed: {exc}") from None
            raise
        missing = {code_col, name_col} - set(frame.columns)
        if missing:
            raise InputError(
                f"akshare.{function}({kwargs}) answered without the columns {sorted(missing)}"
                f" (got {list(frame.columns)[:8]}…)",
                reason="unexpected_columns",
            )
        for record in frame.to_dict("records"):
            code = str(record[code_col]).strip().split(".")[0].zfill(6)
            name = str(record[name_col]).strip()
            if code.isdigit() and name:
                rows.append(SecurityRow(code, name, exchange, _as_date(record.get(date_col))))
    return rows
