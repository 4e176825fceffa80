"""``policywatch prices fetch``, ``events`` and ``study``: options, output shapes, exit codes, the plot."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from policywatch.cli import app
from policywatch.reference import BUNDLED_PRICES
from tests.conftest import sample_path

runner = CliRunner()
REFERENCE = BUNDLED_PRICES
OUTLINE = "h04a25845a96f8f15"
DAY_KEYS = {"rel_day", "n", "aar", "csect_t", "patell_z", "bmp_t", "kp_bmp_t", "kp_patell_z", "corrado_z", "gsign_z",
            "wilcoxon_w", "csect_p", "patell_p", "bmp_p", "kp_bmp_p", "kp_patell_p", "corrado_p", "gsign_p",
            "wilcoxon_p", "n_pos", "n_neg"}  # fmt: skip
EVENT_KEYS = {"event_id", "status", "reason", "n_estimation", "alpha", "beta", "sigma", "car"}


def cli(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def events_csv(tmp_path) -> Path:
    path = tmp_path / "events.csv"
    path.write_text(
        "event_id,ticker,event_date\n"
        "outline:300024,300024.SZ,2021-10-10T20:58:34+08:00\n"
        "outline:000061,000061.SZ,2021-10-10T20:58:34+08:00\n"
        "outline:000816,000816.SZ,2021-10-10T20:58:34+08:00\n"
        "outline:300832,300832.SZ,2021-10-10T20:58:34+08:00\n"
        "holiday:300750,300750.SZ,2021-10-03\n"
    )
    return path


def byo(events: Path, *extra: str):
    return cli("study", "--prices", str(REFERENCE), "--events", str(events), "--benchmark", "000300.SS",
               "--estimation", "-200:-11", "--window", "-5:10", *extra)  # fmt: skip


def test_own_files_json_has_the_documented_shape(events_csv):
    result = byo(events_csv, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"days", "windows", "events"}
    assert [d["rel_day"] for d in data["days"]] == list(range(-5, 11))
    assert set(data["days"][0]) >= DAY_KEYS
    assert [w["window"] for w in data["windows"]] == ["0:0", "0:1", "-1:1", "0:5", "0:10", "-5:10"]
    assert set(data["windows"][0]) >= (DAY_KEYS - {"rel_day", "aar"}) | {"window", "caar"}
    assert set(data["events"][0]) >= EVENT_KEYS
    days0 = {e["event_id"]: e["day0"] for e in data["events"]}
    assert days0 == {"outline:300024": "2021-10-11", "outline:000061": "2021-10-11", "outline:000816": "2021-10-11",
                     "outline:300832": "2021-10-11", "holiday:300750": "2021-10-08"}  # fmt: skip
    assert all(e["status"] == "kept" for e in data["events"]) and data["days"][5]["n"] == 5


def test_own_files_csv_log_returns_and_a_dropped_event(events_csv):
    with events_csv.open("a") as handle:
        handle.write("unknown,999999.SZ,2021-10-11\n")
    result = byo(events_csv, "--format", "csv", "--returns", "log", "--model", "constant_mean")
    assert result.exit_code == 1  # done, with a dropped event
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    sections = [r["section"] for r in rows]
    assert sections.count("day") == 16 and sections.count("window") == 6 and sections.count("event") == 6
    dropped = next(r for r in rows if r["event_id"] == "unknown")
    assert (dropped["status"], dropped["reason"]) == ("dropped", "no_prices")
    assert "1 of 6 events dropped" in result.stderr


def test_own_files_min_estimation(events_csv):
    """The bundled bars start on 2020-10-09: estimation days −250..−11 of the outline's events (day 0
    2021-10-11) hold 232 returns, 230 for 000816 (its suspended session of 2020-10-26 takes two), and 231 for the
    event of day 0 2021-10-08; 232 keeps only the three full ones, the default 120 keeps all."""

    def run(*extra: str):
        return cli("study", "--prices", str(REFERENCE), "--events", str(events_csv), "--benchmark", "000300.SS",
                   "--estimation", "-250:-11", "--window", "-5:10", "--format", "json", *extra)  # fmt: skip

    default = json.loads(run().stdout)["events"]
    assert {e["event_id"]: e["n_estimation"] for e in default} == {
        "outline:300024": 232, "outline:000061": 232, "outline:000816": 230, "outline:300832": 232,
        "holiday:300750": 231,
    }  # fmt: skip
    result = run("--min-estimation", "232")
    assert result.exit_code == 1
    status = {e["event_id"]: (e["status"], e["reason"]) for e in json.loads(result.stdout)["events"]}
    dropped = {k for k, (s, _) in status.items() if s == "dropped"}
    assert dropped == {"outline:000816", "holiday:300750"}
    assert {status[k][1] for k in dropped} == {"too_few_estimation_returns"}
    too_many = runner.invoke(app, ["study", "--prices", str(REFERENCE), "--events", str(events_csv), "--benchmark",
                                   "000300.SS", "--estimation", "-200:-11", "--window", "-5:10", "--min-estimation",
                                   "191"])  # fmt: skip
    assert too_many.exit_code != 0 and "exceeds the estimation window" in too_many.output
    warehouse = runner.invoke(app, ["study", "--min-estimation", "100"])
    assert warehouse.exit_code != 0 and "go with --prices and --events" in warehouse.output


def test_plot_writes_a_png(events_csv, tmp_path):
    target = tmp_path / "plots" / "caar.png"
    result = byo(events_csv, "--plot", str(target))
    assert result.exit_code == 0
    data = target.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("study", "--prices", str(REFERENCE)), "also needs --events, --benchmark, --estimation, --window"),
        (("study", "--window", "-5:10"), "go with --prices and --events"),
        (("prices", "fetch", "--tickers", "300024.SZ", "--linked"), "not both"),
        (("prices", "fetch", "--since", "last week"), "--since must be a date"),
    ],
)
def test_bad_options_exit_2(tmp_path, args, message):
    result = cli("--db", str(tmp_path / "x.duckdb"), *args)
    assert result.exit_code == 2 and message in result.stderr


def test_bad_windows_and_files_exit_2(events_csv, tmp_path):
    result = cli("study", "--prices", str(REFERENCE), "--events", str(events_csv), "--benchmark", "000300.SS",
                 "--estimation", "-10:2", "--window", "-5:10")  # fmt: skip
    assert result.exit_code == 2 and "must end before the event window" in result.stderr
    bad = tmp_path / "dup.csv"
    bad.write_text("event_id,ticker,event_date\na,300024.SZ,2021-10-11\na,000061.SZ,2021-10-11\n")
    result = byo(bad)
    assert result.exit_code == 2 and "appears twice" in result.stderr
    result = cli("study", "--prices", str(REFERENCE), "--events", str(events_csv), "--benchmark", "399006.SZ",
                 "--estimation", "-200:-11", "--window", "-5:10")  # fmt: skip
    assert result.exit_code == 2 and "399006.SZ is not in" in result.stderr


def test_warehouse_fetch_events_and_study(tmp_path):
    db = tmp_path / "pw.duckdb"
    assert cli("--db", str(db), "import-archive", str(sample_path("00_"))).exit_code == 0
    con = duckdb.connect(str(db))
    for ticker, cls in (("300024.SZ", "name_collision"), ("000061.SZ", "name_collision"), ("300832.SZ", "mention"),
                        ("000816.SZ", "name_collision")):  # fmt: skip
        con.execute(
            "INSERT INTO article_tickers VALUES (?, ?, ?, NULL, 'sina_link', ?, NULL, NULL, 0.9, 'test')",
            [OUTLINE, ticker, f"sz{ticker[:6]}", cls],
        )
    con.close()
    fetched = cli("--db", str(db), "prices", "fetch", "--linked", "--provider", "file", "--file", str(REFERENCE))
    assert fetched.exit_code == 0, fetched.output
    assert "5/5 tickers fetched" in fetched.stdout  # four linked stocks and the CSI 300
    partial = cli("--db", str(db), "prices", "fetch", "--tickers", "300024.SZ,nonsense", "--provider", "file",
                  "--file", str(REFERENCE))  # fmt: skip
    assert partial.exit_code == 1 and "nonsense" in partial.stderr and "bad_ticker" in partial.stderr
    built = cli("--db", str(db), "events")
    assert built.exit_code == 0 and "4 events" in built.stdout
    config = tmp_path / "study.toml"
    config.write_text('[study]\nestimation = "-200:-11"\nmin_estimation = 100\n')
    plot = tmp_path / "caar.png"
    result = cli("--db", str(db), "--config", str(config), "study", "--format", "json", "--plot", str(plot))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["price_sources"] == ["file:cn_daily_2020-10_2022-01.csv.gz"] and data["n_kept"] == 4
    assert {(g["group_type"], g["group_id"]) for g in data["groups"]} >= {("link_class", "mention"),
                                                                          ("link_class", "name_collision")}  # fmt: skip
    assert plot.read_bytes()[:4] == b"\x89PNG"
    table = cli("--db", str(db), "--config", str(config), "study", "--no-refresh-events")
    assert table.exit_code == 0 and "link_class=mention" in table.stdout


def test_own_files_csv_has_every_json_value(events_csv):
    """--format csv prints the same rows as --format json: every key of every row, with the same values."""
    as_json = json.loads(byo(events_csv, "--format", "json").stdout)
    rows = list(csv.DictReader(io.StringIO(byo(events_csv, "--format", "csv").stdout)))
    by_section = {"day": as_json["days"], "window": as_json["windows"], "event": as_json["events"]}
    assert [r["section"] for r in rows] == [s for s, items in by_section.items() for _ in items]
    for row, item in zip(rows, [i for items in by_section.values() for i in items], strict=True):
        for key, value in item.items():
            text = "; ".join(value) if isinstance(value, list) else "" if value is None else str(value)
            assert row[key] == text, (row["section"], key)
    assert {"caar_se", "wilcoxon_z", "notes", "day0", "n_limit_days"} <= set(rows[0])


def test_own_files_match_tickers_spelled_either_way(tmp_path):
    """Yahoo writes Shanghai as .SS, others .SH; a ticker the price file lacks says so."""
    events = tmp_path / "events.csv"
    events.write_text(
        "event_id,ticker,event_date\n"
        "robots,300024.sz,2021-10-11\n"
        "byd,002594.SZ,2021-10-11\n"
        "missing,600519.SH,2021-10-11\n"
    )
    prices = tmp_path / "prices.csv"
    frame = pd.read_csv(REFERENCE, dtype={"ticker": str})
    frame["ticker"] = frame["ticker"].str.replace(".SS", ".SH", regex=False)  # the benchmark is now 000300.SH
    frame.to_csv(prices, index=False)
    result = cli("study", "--prices", str(prices), "--events", str(events), "--benchmark", "000300.ss",
                 "--estimation", "-200:-11", "--window", "-5:10", "--format", "json")  # fmt: skip
    assert result.exit_code == 1  # one event dropped
    events_out = {e["event_id"]: e for e in json.loads(result.stdout)["events"]}
    assert events_out["robots"]["status"] == "kept" and events_out["byd"]["status"] == "kept"
    assert events_out["missing"]["reason"] == "no_prices"
    assert events_out["missing"]["message"] == "600519.SS is not in the price file prices.csv"
