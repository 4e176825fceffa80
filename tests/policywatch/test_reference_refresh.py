"""``reference refresh`` against akshare's answers in their real column shapes (no network here)."""

from __future__ import annotations

import csv
import types
from datetime import date

import pandas as pd
import pytest
from policywatch.crawlers.reference_akshare import fetch_securities
from policywatch.transforms.errors import FetchError, InputError
from typer.testing import CliRunner

from policywatch.cli import app
from policywatch.reference import BUNDLED_REFERENCE, load_master
from policywatch.steps.reference import refresh_reference

runner = CliRunner()


def _bundled_rows(exchange: str) -> list[dict[str, str]]:
    with (BUNDLED_REFERENCE / "a_share_code_name_2026.csv").open(encoding="utf-8", newline="") as handle:
        return [r for r in csv.DictReader(handle) if r["exchange"] == exchange]


def _old_list_dates() -> dict[str, str]:
    """Beijing list dates by new code, from the older list's old codes (the 2026 Beijing list has none)."""
    with (BUNDLED_REFERENCE / "adata_code_2023-10.csv").open(encoding="utf-8", newline="") as handle:
        dates = {r["stock_code"]: r["list_date2"] for r in csv.DictReader(handle)}
    with (BUNDLED_REFERENCE / "bse_old_to_920_by_name.csv").open(encoding="utf-8", newline="") as handle:
        return {r["new_code"]: dates.get(r["old_code"], "") for r in csv.DictReader(handle)}


def _day(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def recorded_akshare(sz_rows: int | None = None, fail: Exception | None = None) -> types.ModuleType:
    """akshare 1.19.5's three list functions, answering in their exact column shapes (read from its source,
    ``akshare/stock/stock_info.py``) with the real rows of the exchanges' lists of 2026-10-22 (Beijing:
    2026-02-27) bundled with policywatch: the real codes, short names (day markers such as XD工商银 included,
    as the exchanges show them) and list dates. Columns policywatch does not read (full names, share
    counts, industries, regions) carry the short name or zero; a few rows carry their real values."""
    module = types.ModuleType("akshare")
    full_names = {"600519": "贵州茅台酒股份有限公司", "600000": "上海浦东发展银行股份有限公司",
                  "688692": "武汉达梦数据库股份有限公司"}  # fmt: skip

    def stock_info_sh_name_code(symbol: str = "主板A股"):
        if fail:
            raise fail
        star = symbol == "科创板"
        rows = [r for r in _bundled_rows("SH") if r["code"].startswith(("688", "689")) == star]
        rows = [r for r in rows if not r["code"].startswith("900")]  # B shares are a list of their own
        return pd.DataFrame(
            {
                "证券代码": [r["code"] for r in rows],
                "证券简称": [r["name"] for r in rows],
                "证券全称": [full_names.get(r["code"], r["name"]) for r in rows],
                "公司简称": [r["name"] for r in rows],
                "公司全称": [full_names.get(r["code"], r["name"]) for r in rows],
                "上市日期": [_day(r["list_date"]) for r in rows],  # akshare turns them into dates
            }
        )

    def stock_info_sz_name_code(symbol: str = "A股列表"):
        rows = [r for r in _bundled_rows("SZ") if not r["code"].startswith("200")][:sz_rows]
        return pd.DataFrame(
            {
                "板块": ["创业板" if r["code"].startswith("30") else "主板" for r in rows],
                "A股代码": [r["code"] for r in rows],
                "A股简称": [r["name"] for r in rows],
                "A股上市日期": [r["list_date"] for r in rows],  # text as in the exchange's spreadsheet
                "A股总股本": ["19,405,918,198" if r["code"] == "000001" else "0" for r in rows],
                "A股流通股本": ["19,405,546,950" if r["code"] == "000001" else "0" for r in rows],
                "所属行业": ["J 金融业" if r["code"] == "000001" else "" for r in rows],
            }
        )

    def stock_info_bj_name_code():
        rows, dates = _bundled_rows("BJ"), _old_list_dates()
        return pd.DataFrame(
            {
                "证券代码": [r["code"] for r in rows],
                "证券简称": [r["name"] for r in rows],
                "总股本": [0.0] * len(rows),
                "流通股本": [0.0] * len(rows),
                "上市日期": [_day(dates.get(r["code"], "")) for r in rows],
                "所属行业": [""] * len(rows),
                "地区": [""] * len(rows),
                "报告日期": [date(2026, 2, 27)] * len(rows),
            }
        )

    module.stock_info_sh_name_code = stock_info_sh_name_code
    module.stock_info_sz_name_code = stock_info_sz_name_code
    module.stock_info_bj_name_code = stock_info_bj_name_code
    return module


def test_fetch_reads_every_exchange():
    rows = fetch_securities(recorded_akshare())
    by_code = {r.code: r for r in rows}
    assert (by_code["600519"].exchange, by_code["600519"].name) == ("SH", "贵州茅台")
    assert by_code["600519"].list_date == date(2001, 8, 27)
    assert (by_code["688692"].name, by_code["688692"].list_date) == ("达梦数据", date(2024, 6, 12))
    assert (by_code["300750"].exchange, by_code["300750"].list_date) == ("SZ", date(2018, 6, 11))
    assert (by_code["920275"].exchange, by_code["920275"].name) == ("BJ", "驱动力")
    assert by_code["920275"].list_date == date(2021, 1, 25)  # 838275's listing, carried by the BSE's list
    assert {r.exchange for r in rows} == {"SH", "SZ", "BJ"}


def test_refresh_writes_a_snapshot_that_the_master_uses(settings):
    rows = fetch_securities(recorded_akshare())
    path, count = refresh_reference(settings, fetch=lambda: rows, today=date(2026, 11, 2))
    assert path.name == "a_share_code_name_2026-11-02.csv" and count == len(rows) > 5000
    master = load_master(settings.linking.reference_dir)
    try:
        # 中国重工 (601989) was absorbed by 中国船舶 in 2025: not in the list, not trading after it
        assert not master.get("sh601989").trading_on(date(2026, 11, 5))
        # the list shows 601398 as XD工商银 on its ex-dividend day: still 工商银行, not a rename
        assert master.get("sh601398").name_on(date(2026, 11, 5)) == "工商银行"
        assert master.codes_named("贵州茅台", date(2026, 11, 5)) == ["sh600519"]
    finally:
        load_master.cache_clear()


def test_an_incomplete_answer_is_refused_and_nothing_is_written(settings):
    with pytest.raises(InputError, match="incomplete"):
        refresh_reference(settings, fetch=lambda: fetch_securities(recorded_akshare(sz_rows=10)))
    assert not settings.linking.reference_dir.exists() or not list(settings.linking.reference_dir.iterdir())


def test_changed_columns_are_a_clear_error():
    module = recorded_akshare()
    # an answer whose columns changed: the exchange renamed 证券代码/证券简称
    module.stock_info_bj_name_code = lambda: pd.DataFrame({"代码": ["920275"], "名称": ["驱动力"]})
    with pytest.raises(InputError, match="without the columns"):
        fetch_securities(module)


def test_network_failure_is_retryable(settings, monkeypatch):
    import requests

    module = recorded_akshare(fail=requests.ConnectionError("Max retries exceeded with url: query.sse.com.cn"))
    with pytest.raises(FetchError):
        fetch_securities(module)
    monkeypatch.setattr("policywatch.crawlers.reference_akshare.importlib.import_module", lambda name: module)
    result = runner.invoke(app, ["--db", str(settings.db.path), "reference", "refresh"])
    assert result.exit_code == 75 and "retryable" in result.stderr


def test_show_says_when_a_name_is_unknown(settings):
    # 002129 was 中环股份 until 2022; the oldest bundled list (2023-10) already calls it TCL中环
    result = runner.invoke(
        app, ["--db", str(settings.db.path), "reference", "show", "中环股份"], env={"COLUMNS": "300"}
    )
    assert result.exit_code == 1
    assert "no code or name '中环股份' is known" in result.stderr and "2023-10-01" in result.stderr
    shown = runner.invoke(app, ["--db", str(settings.db.path), "reference", "show", "TCL中环"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0 and "sz002129" in shown.stdout
