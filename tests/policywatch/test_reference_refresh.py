"""``reference refresh`` against akshare's answers in their real column shapes (no network here)."""

from __future__ import annotations

import types
from datetime import date

import pandas as pd
import pytest
from typer.testing import CliRunner

from crawlers.reference_akshare import fetch_securities
from policywatch.cli import app
from policywatch.reference import load_master
from policywatch.steps.reference import refresh_reference
from transforms.errors import FetchError, InputError

runner = CliRunner()


def fake_akshare(n_sz: int = 3000, fail: Exception | None = None) -> types.ModuleType:
    """Frames shaped like akshare 1.19's stock_info_{sh,sz,bj}_name_code (read from its source)."""
    module = types.ModuleType("akshare")

    def sh(symbol: str = "主板A股"):
        if fail:
            raise fail
        codes = ["600519", "601989"] + [f"60{i:04d}" for i in range(2000)] if symbol == "主板A股" else ["688692"]
        names = ["贵州茅台", "中国重工"] + [f"沪股{i}" for i in range(2000)] if symbol == "主板A股" else ["达梦数据"]
        return pd.DataFrame(
            {
                "证券代码": codes, "证券简称": names, "证券全称": names, "公司简称": names, "公司全称": names,
                "上市日期": [date(2001, 8, 27)] * len(codes),
            }
        )  # fmt: skip

    def sz(symbol: str = "A股列表"):
        codes = ["300378"] + [f"00{i:04d}" for i in range(1, n_sz)]
        return pd.DataFrame(
            {
                "板块": ["创业板"] + ["主板"] * (n_sz - 1), "A股代码": codes,
                "A股简称": ["鼎捷数智"] + [f"深股{i}" for i in range(1, n_sz)],
                "A股上市日期": ["2014-01-27"] * n_sz, "A股总股本": ["1"] * n_sz, "A股流通股本": ["1"] * n_sz,
                "所属行业": ["I 信息传输"] * n_sz,
            }
        )  # fmt: skip

    def bj():
        return pd.DataFrame({"证券代码": ["920275"], "证券简称": ["驱动力"], "上市日期": ["20210125"], "总股本": [1]})

    module.stock_info_sh_name_code = sh
    module.stock_info_sz_name_code = sz
    module.stock_info_bj_name_code = bj
    return module


def test_fetch_reads_every_exchange():
    rows = fetch_securities(fake_akshare())
    by_code = {r.code: r for r in rows}
    assert by_code["600519"].exchange == "SH" and by_code["688692"].name == "达梦数据"
    assert by_code["300378"].list_date == date(2014, 1, 27)
    assert by_code["920275"].exchange == "BJ" and by_code["920275"].list_date == date(2021, 1, 25)


def test_refresh_writes_a_snapshot_that_the_master_uses(settings, tmp_path):
    path, count = refresh_reference(settings, fetch=lambda: fetch_securities(fake_akshare()), today=date(2027, 1, 5))
    assert path.name == "a_share_code_name_2027-01-05.csv" and count == 2 + 2000 + 1 + 3000 + 1
    master = load_master(settings.linking.reference_dir)
    # 中国重工 is in this newer list again, so it is still trading on 2027-01-01
    assert master.get("sh601989").trading_on(date(2027, 1, 1))
    load_master.cache_clear()


def test_an_incomplete_answer_is_refused_and_nothing_is_written(settings):
    with pytest.raises(InputError, match="incomplete"):
        refresh_reference(settings, fetch=lambda: fetch_securities(fake_akshare(n_sz=10)))
    assert not settings.linking.reference_dir.exists() or not list(settings.linking.reference_dir.iterdir())


def test_changed_columns_are_a_clear_error():
    module = fake_akshare()
    module.stock_info_bj_name_code = lambda: pd.DataFrame({"代码": ["920275"], "名称": ["驱动力"]})
    with pytest.raises(InputError, match="without the columns"):
        fetch_securities(module)


def test_network_failure_is_retryable(settings, monkeypatch):
    import requests

    module = fake_akshare(fail=requests.ConnectionError("Max retries exceeded with url: query.sse.com.cn"))
    with pytest.raises(FetchError):
        fetch_securities(module)
    monkeypatch.setattr("crawlers.reference_akshare.importlib.import_module", lambda name: module)
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
