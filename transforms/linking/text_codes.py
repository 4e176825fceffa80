"""Stock codes written in the article text: ``（601728.SH）``, ``(300750.SZ)``, ``（601899）``, ``SH600519``.

Sina's linker never links these, so they are found here. A bare six-digit number counts only inside
brackets and only with a prefix some A-share uses; an explicit exchange suffix or prefix always counts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from policywatch.transforms.linking.tickers import security_from_symbol
from policywatch.transforms.models import Exchange, TextCode, paragraph_of

__all__ = ["find_text_codes"]

_SUFFIX_EXCHANGE: dict[str, Exchange] = {"SH": "SH", "SS": "SH", "SZ": "SZ", "BJ": "BJ"}
_PATTERNS = (
    # 601728.SH, 300750.SZ, 600000.SS, 832000.BJ (in or out of brackets)
    re.compile(r"(?<![0-9A-Za-z.])(?P<symbol>\d{6})\s*[.．]\s*(?P<suffix>SH|SZ|SS|BJ)(?![A-Za-z])", re.IGNORECASE),
    # SH600519, sz000001
    re.compile(r"(?<![0-9A-Za-z])(?P<prefix>SH|SZ|BJ)(?P<symbol>\d{6})(?!\d)", re.IGNORECASE),
    # （601899） or (601899)，with an optional 股票代码 label inside
    re.compile(r"[（(]\s*(?:股票代码|证券代码|代码)?\s*[:：]?\s*(?P<symbol>\d{6})\s*[）)]"),
)


def find_text_codes(text: str, paragraph_starts: Sequence[int]) -> list[TextCode]:
    """Every code written in ``text``, in order of position; ``paragraph_starts`` maps offsets to paragraphs."""
    found: dict[int, TextCode] = {}
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            symbol = match.group("symbol")
            groups = match.groupdict()
            marker = (groups.get("suffix") or groups.get("prefix") or "").upper()
            exchange = _SUFFIX_EXCHANGE.get(marker)
            security = security_from_symbol(symbol, exchange)
            if security is None:
                continue
            position = match.start("symbol")
            if any(abs(position - seen) < 8 for seen in found):
                continue  # the same code matched by a looser pattern
            found[position] = TextCode(
                code=security.code,
                symbol=security.symbol,
                exchange=security.exchange,
                ticker=security.ticker,
                raw=match.group(0),
                explicit_exchange=exchange is not None,
                position=position,
                paragraph=paragraph_of(position, paragraph_starts),
            )
    return [found[key] for key in sorted(found)]
