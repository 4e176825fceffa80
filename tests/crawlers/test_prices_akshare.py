"""akshare through its real parsing code: only ``requests.get`` inside its modules is replaced by East
Money's kline API answer (``{"data": {"klines": ["date,open,close,high,low,volume,amount,…", …]}}``),
so the column names (日期, 收盘, 涨跌额, …) are the ones akshare itself builds."""

from __future__ import annotations

import types
from datetime import date

import akshare.index.index_stock_zh as index_module
import akshare.stock_feature.stock_hist_em as stock_module
import pytest
import requests
from policywatch.crawlers.prices.akshare_daily import AkshareProvider

# 300832.SZ around its bonus issue (real bars, policywatch/data/prices): date, open, close, high, low, volume
# (lots), amount, amplitude %, change %, change (close − pre_close), turnover %
KLINES_300832 = [
    "2021-05-19,125.60,126.75,128.62,124.38,12820.7,162391000.0,3.37,0.90,1.13,2.41",
    "2021-05-20,127.80,125.02,127.84,124.49,12899.5,162045000.0,2.64,-1.36,-1.73,2.43",
    "2021-05-21,65.28,65.25,67.80,64.02,32702.3,215115000.0,5.79,-0.03,-0.02,3.69",
    "2021-05-24,64.98,63.46,64.98,61.82,26874.8,169372000.0,4.84,-2.74,-1.79,3.03",
]
KLINES_CSI300 = [
    "2021-05-20,5173.17,5167.06,5190.0,5150.0,1.1e8,2.5e11,0",
    "2021-05-21,5167.0,5199.13,5210.0,5160.0,1.2e8,2.6e11,0",
]


class FakeResponse:
    def __init__(self, payload):
        self._payload = payload
        self.text = payload if isinstance(payload, str) else "{}"

    def json(self):
        if isinstance(self._payload, str):  # what requests raises for a body that is not JSON
            raise requests.exceptions.JSONDecodeError("Expecting value", self._payload, 0)
        return self._payload


@pytest.fixture
def eastmoney(monkeypatch):
    calls: list[dict] = []
    answers: dict[str, object] = {}

    def get(url, params=None, timeout=None, **kwargs):
        calls.append(dict(params or {}))
        answer = answers.get(params["secid"], {"data": None})
        if isinstance(answer, list):  # one answer per request, the last one repeated
            answer = answer.pop(0) if len(answer) > 1 else answer[0]
        if isinstance(answer, Exception):
            raise answer
        return FakeResponse(answer)

    fake = types.SimpleNamespace(get=get)
    monkeypatch.setattr(stock_module, "requests", fake)
    monkeypatch.setattr(index_module, "requests", fake)
    return types.SimpleNamespace(calls=calls, answers=answers)


def provider(**kwargs) -> AkshareProvider:
    return AkshareProvider(sleep=lambda s: None, **kwargs)


def test_stock_bars_with_pre_close_and_the_total_return_chain(eastmoney):
    eastmoney.answers["0.300832"] = {"data": {"klines": KLINES_300832}}
    batch = provider().fetch(["300832.SZ"], date(2021, 5, 19), date(2021, 5, 24))
    rows = batch.rows
    assert [d.isoformat() for d in rows["date"]] == ["2021-05-19", "2021-05-20", "2021-05-21", "2021-05-24"]
    assert rows["pre_close"].tolist() == pytest.approx([125.62, 126.75, 65.27, 65.25])
    assert rows["volume"].tolist() == pytest.approx([1282070, 1289950, 3270230, 2687480])
    # across the bonus issue the chain moves by close / pre_close (−0.03%), not by 65.25 / 125.02 (−48%)
    adj = rows["adj_close"].tolist()
    assert adj[2] / adj[1] == pytest.approx(65.25 / 65.27)
    assert adj[0] == pytest.approx(126.75)
    assert eastmoney.calls[0]["beg"] == "20210519" and eastmoney.calls[0]["end"] == "20210524"
    assert eastmoney.calls[0]["fqt"] == "0"  # unadjusted bars, adjusted here from pre_close
    assert batch.source == "akshare" and batch.adjustment == "pre_close_chain"


def test_beijing_and_index_symbols(eastmoney):
    eastmoney.answers["0.430047"] = {"data": {"klines": KLINES_300832[:2]}}
    eastmoney.answers["1.000300"] = {"data": {"klines": KLINES_CSI300}}
    batch = provider().fetch(["430047.BJ", "000300.SS"], date(2021, 5, 19))
    assert set(batch.rows["ticker"]) == {"430047.BJ", "000300.SS"}
    index = batch.rows[batch.rows["ticker"] == "000300.SS"]
    assert index["close"].tolist() == [5167.06, 5199.13]
    assert index["adj_close"].tolist() == [5167.06, 5199.13]
    assert batch.failures == ()


def test_unknown_tickers_and_network_errors_are_recorded(eastmoney):
    eastmoney.answers["0.300001"] = {"data": {"klines": []}}
    eastmoney.answers["1.600000"] = requests.ConnectionError("Connection refused")
    sleeps: list[float] = []
    batch = AkshareProvider(sleep=sleeps.append, max_retries=2, backoff_s=1.0).fetch(
        ["300001.SZ", "600000.SS", "0700.HK"], date(2021, 5, 19)
    )
    failures = {f.ticker: f.reason for f in batch.failures}
    assert failures == {"300001.SZ": "not_found", "600000.SS": "network", "0700.HK": "unsupported"}
    assert sleeps == [1.0, 2.0]  # two retries with backoff before giving up
    assert len(batch.rows) == 0


def test_answers_that_cannot_be_parsed_are_final_not_network(eastmoney):
    """East Money's ``"data": null`` for an index it does not have makes akshare subscript None (TypeError); a
    payload without ``data`` (KeyError) or an HTML page instead of JSON cannot be parsed either. None of them is
    retried or recorded as a network failure, which a scheduler would retry forever."""
    eastmoney.answers["1.000999"] = {"rc": 0, "data": None}
    eastmoney.answers["0.300001"] = {"rc": 102, "message": "unexpected"}
    eastmoney.answers["0.300002"] = "<html><body>系统繁忙</body></html>"
    sleeps: list[float] = []
    batch = AkshareProvider(sleep=sleeps.append, max_retries=3).fetch(
        ["000999.SS", "300001.SZ", "300002.SZ"], date(2021, 5, 19)
    )
    failures = {f.ticker: f for f in batch.failures}
    assert {t: f.reason for t, f in failures.items()} == {
        "000999.SS": "not_found",
        "300001.SZ": "bad_data",
        "300002.SZ": "bad_data",
    }
    assert not any(f.transient for f in batch.failures)
    assert sleeps == []  # nothing retried
    assert "KeyError" in failures["300001.SZ"].message


def test_a_network_error_is_retried_after_a_pause_and_the_next_answer_used(eastmoney):
    refused = requests.ConnectionError("Connection refused")
    eastmoney.answers["0.300832"] = [refused, requests.Timeout("Read timed out"), {"data": {"klines": KLINES_300832}}]
    sleeps: list[float] = []
    batch = AkshareProvider(sleep=sleeps.append, max_retries=3, backoff_s=0.5).fetch(
        ["300832.SZ"], date(2021, 5, 19), date(2021, 5, 24)
    )
    assert batch.failures == () and batch.rows["close"].tolist() == [126.75, 125.02, 65.25, 63.46]
    assert sleeps == [0.5, 1.0]  # backoff_s × 2^n before retry n + 1
    assert [call["secid"] for call in eastmoney.calls] == ["0.300832"] * 3


@pytest.mark.parametrize(
    "error",
    [requests.ConnectionError("Connection refused"), requests.Timeout("Read timed out"), OSError("Network is down")],
)
def test_the_last_network_error_is_recorded_as_it_was_after_the_last_retry(eastmoney, error):
    eastmoney.answers["0.300832"] = [error]
    sleeps: list[float] = []
    batch = AkshareProvider(sleep=sleeps.append, max_retries=4).fetch(["300832.SZ"], date(2021, 5, 19))
    (failure,) = batch.failures
    assert failure.reason == "network" and failure.transient
    assert failure.message == f"akshare 300832.SZ: {type(error).__name__}: {error}"
    assert sleeps == [2.0, 4.0, 8.0, 16.0]  # the defaults: 2 s doubled, four retries
    assert len(eastmoney.calls) == 5


def test_no_retries_means_one_attempt(eastmoney):
    eastmoney.answers["0.300832"] = [requests.ConnectionError("Connection refused")]
    sleeps: list[float] = []
    batch = AkshareProvider(sleep=sleeps.append, max_retries=0).fetch(["300832.SZ"], date(2021, 5, 19))
    assert [f.reason for f in batch.failures] == ["network"]
    assert sleeps == [] and len(eastmoney.calls) == 1
