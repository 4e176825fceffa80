from __future__ import annotations

import pytest
from policywatch.transforms.linking.text_codes import find_text_codes
from policywatch.transforms.linking.tickers import exchange_for_symbol, security_from_code, security_from_symbol


@pytest.mark.parametrize(
    ("code", "ticker", "exchange", "kind"),
    [
        ("sz300024", "300024.SZ", "SZ", "stock"),
        ("sh600000", "600000.SS", "SH", "stock"),
        ("sh000001", "000001.SS", "SH", "index"),  # SSE Composite
        ("sz000001", "000001.SZ", "SZ", "stock"),  # Ping An Bank: the prefix matters
        ("sh000300", "000300.SS", "SH", "index"),
        ("sz399300", "399300.SZ", "SZ", "index"),
        ("sz399006", "399006.SZ", "SZ", "index"),
        ("bj838275", "838275.BJ", "BJ", "stock"),
        ("bj920017", "920017.BJ", "BJ", "stock"),
        ("sh688185", "688185.SS", "SH", "stock"),
        ("hk00700", "0700.HK", "HK", "stock"),
        ("SZ300750", "300750.SZ", "SZ", "stock"),
    ],
)
def test_sina_codes(code, ticker, exchange, kind):
    security = security_from_code(code)
    assert (security.ticker, security.exchange, security.kind) == (ticker, exchange, kind)


@pytest.mark.parametrize("code", ["", "300024", "xx300024", "sz30002", "us.AAPL", "fx_susdcny"])
def test_not_sina_codes(code):
    assert security_from_code(code) is None


@pytest.mark.parametrize(
    ("symbol", "exchange"),
    [("600519", "SH"), ("688981", "SH"), ("000858", "SZ"), ("300750", "SZ"), ("920017", "BJ"), ("838275", "BJ"),
     ("100000", None), ("12345", None)],
)  # fmt: skip
def test_exchange_from_prefix(symbol, exchange):
    assert exchange_for_symbol(symbol) == exchange


def test_explicit_exchange_beats_the_prefix():
    assert security_from_symbol("000001", "SH").kind == "index"
    assert security_from_symbol("000001").ticker == "000001.SZ"


def test_codes_written_in_text():
    text = "中国电信（601728.SH）、紫金矿业（601899）、宁德时代(300750.SZ)和SH600519，金额（100000）元，2021.10.10"
    codes = find_text_codes(text, [0])
    assert [(c.ticker, c.explicit_exchange) for c in codes] == [
        ("601728.SS", True),
        ("601899.SS", False),
        ("300750.SZ", True),
        ("600519.SS", True),
    ]
    assert [text[c.position : c.position + 6] for c in codes] == ["601728", "601899", "300750", "600519"]


def test_text_code_paragraph_index():
    text = "第一段\n第二段（000858）"
    (code,) = find_text_codes(text, [0, 4])
    assert code.paragraph == 1
