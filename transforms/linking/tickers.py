"""Stock code normalisation: Sina codes (``sz300024``) and bare codes (``601728``) to tickers.

Yahoo's suffixes are the canonical ticker form: ``.SS`` Shanghai, ``.SZ`` Shenzhen, ``.BJ`` Beijing (Yahoo
itself has no Beijing listings; the suffix is kept so every A-share has one form), ``.HK`` Hong Kong.
Never drop the market prefix: ``sh000001`` is the SSE Composite index, ``sz000001`` is Ping An Bank.
"""

from __future__ import annotations

import re
from typing import Literal

from policywatch.transforms.models import Exchange, Security

__all__ = [
    "code_for_ticker",
    "exchange_for_symbol",
    "is_index",
    "security_from_code",
    "security_from_symbol",
    "ticker_for",
]

_SUFFIX: dict[str, str] = {"SH": "SS", "SZ": "SZ", "BJ": "BJ", "HK": "HK"}
_SINA_CODE = re.compile(r"^(sh|sz|bj)(\d{6})$|^(hk)(\d{5})$", re.IGNORECASE)


def ticker_for(symbol: str, exchange: Exchange) -> str:
    """``('600000', 'SH')`` → ``600000.SS``; Hong Kong uses Yahoo's four-digit form (``0700.HK``)."""
    if exchange == "HK":
        return f"{int(symbol):04d}.HK"
    return f"{symbol}.{_SUFFIX[exchange]}"


def code_for_ticker(ticker: str) -> str:
    """``300024.SZ`` → ``sz300024``; ``600000.SS`` → ``sh600000``; ``838275.BJ`` → ``bj838275``."""
    symbol, _, suffix = ticker.partition(".")
    prefix = {"SS": "sh", "SH": "sh", "SZ": "sz", "BJ": "bj"}.get(suffix.upper())
    if prefix is None or not symbol.isdigit():
        raise ValueError(f"{ticker!r} is not an A-share ticker like 300024.SZ")
    return prefix + symbol


def is_index(exchange: Exchange, symbol: str) -> bool:
    """SSE indices are ``sh000xxx``, SZSE indices ``sz399xxx``, BSE indices ``bj899xxx``."""
    return (
        (exchange == "SH" and symbol.startswith("000"))
        or (exchange == "SZ" and symbol.startswith("399"))
        or (exchange == "BJ" and symbol.startswith("899"))
    )


def security_from_code(code: str) -> Security | None:
    """Parse a Sina code such as ``sz300024``, ``sh000300``, ``bj838275`` or ``hk00700``; None if not one."""
    match = _SINA_CODE.match(code.strip())
    if not match:
        return None
    if match.group(1):
        exchange: Exchange = match.group(1).upper()  # type: ignore[assignment]
        symbol = match.group(2)
    else:
        exchange, symbol = "HK", match.group(4)
    kind: Literal["stock", "index"] = "index" if is_index(exchange, symbol) else "stock"
    return Security(
        code=f"{exchange.lower()}{symbol}",
        symbol=symbol,
        exchange=exchange,
        ticker=ticker_for(symbol, exchange),
        kind=kind,
    )


def exchange_for_symbol(symbol: str) -> Exchange | None:
    """Infer the exchange of a bare six-digit A-share code from its prefix; None if no A-share uses it.

    Shanghai: 60 (main board), 68 (STAR), 90 (B shares). Shenzhen: 00, 30 (ChiNext), 20 (B shares).
    Beijing: 920 (since 2024), 43/83/87/88 (the older codes).
    """
    if not re.fullmatch(r"\d{6}", symbol):
        return None
    if symbol.startswith(("60", "68", "900")):
        return "SH"
    if symbol.startswith(("00", "30", "200")):
        return "SZ"
    if symbol.startswith(("920", "43", "83", "87", "88")):
        return "BJ"
    return None


def security_from_symbol(symbol: str, exchange: Exchange | None = None) -> Security | None:
    """A bare code plus an optional exchange (``.SH``/``.SS``/``.SZ``/``.BJ`` already mapped) → Security."""
    exchange = exchange or exchange_for_symbol(symbol)
    if exchange is None:
        return None
    return security_from_code(f"{exchange.lower()}{symbol}")
