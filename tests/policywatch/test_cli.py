from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from policywatch.cli import app
from tests.conftest import PAGES, SAMPLES, sample_path
from tests.servers import database_lock_held

runner = CliRunner()


def cli(*args: str, **kwargs):
    return runner.invoke(app, list(args), catch_exceptions=False, **kwargs)


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "cli.duckdb"
    result = cli("--db", str(path), "import-archive", str(SAMPLES))
    assert result.exit_code == 0, result.output
    return path


def test_parse_json_has_the_documented_fields():
    result = cli("parse", str(sample_path("00_")), "--json")
    assert result.exit_code == 0
    (line,) = result.stdout.strip().splitlines()
    data = json.loads(line)
    assert data["published_at"] == "2021-10-10T20:58:34+08:00"
    assert [link["ticker"] for link in data["stock_links"]] == [
        "300024.SZ",
        "300832.SZ",
        "000061.SZ",
        "000816.SZ",
    ]
    assert {"code", "ticker", "kind", "anchor_text", "position"} <= set(data["stock_links"][0])
    assert len(data["measures"]) == 35
    third = data["measures"][2]
    assert (third["section"], third["number"], third["heading"]) == (2, 3, "加强关键技术领域标准研究")
    assert third["text"].startswith("加强关键技术领域标准研究。")
    assert data["text"].startswith("我国标准化发展蓝图正式出炉！")
    assert data["text_codes"] == []


def test_parse_a_folder_of_pages_and_posts_without_a_database(tmp_path):
    result = cli("--db", str(tmp_path / "never.duckdb"), "parse", str(PAGES), str(sample_path("10_")), "--json")
    assert result.exit_code == 0
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 7  # six pages and one post
    assert not (tmp_path / "never.duckdb").exists()
    ten = next(r for r in records if r["path"].endswith(".md"))
    assert ten["text_codes"][0]["ticker"] == "601728.SS"


def test_parse_with_url_gives_the_publishid():
    url = "https://finance.sina.com.cn/china/gncj/2021-10-10/doc-iktzscyx9453213.shtml"
    result = cli("parse", str(PAGES / "modern_2021_outline.html"), "--url", url, "--json")
    assert json.loads(result.stdout)["article_id"] == "ktzscyx9453213"


def test_parse_a_saved_page_gives_the_id_its_crawl_would():
    result = cli("parse", str(PAGES / "modern_2021_outline.html"), "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["article_id"] == "ktzscyx9453213"


def test_parse_reports_bad_files_and_exits_1(tmp_path):
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"no front matter here")
    result = cli("parse", str(bad), str(sample_path("02_")), "--json")
    assert result.exit_code == 1
    assert len(result.stdout.splitlines()) == 1
    assert "no_front_matter" in result.stderr and "bad.md" in result.stderr


def test_sql_formats(db):
    query = "SELECT code, anchor_text FROM stock_links WHERE code IN ('sz300024', 'bj838275') ORDER BY code"
    table = cli("--db", str(db), "sql", query)
    assert table.exit_code == 0 and "机器人" in table.stdout and "驱动力" in table.stdout
    rows = list(csv.reader(io.StringIO(cli("--db", str(db), "sql", query, "--format", "csv").stdout)))
    assert rows == [["code", "anchor_text"], ["bj838275", "驱动力"], ["sz300024", "机器人"]]
    data = json.loads(cli("--db", str(db), "sql", query, "--format", "json").stdout)
    assert data == [
        {"code": "bj838275", "anchor_text": "驱动力"},
        {"code": "sz300024", "anchor_text": "机器人"},
    ]


def test_sql_is_read_only(db):
    result = cli("--db", str(db), "sql", "DELETE FROM articles")
    assert result.exit_code == 2
    assert "read-only" in result.stderr
    assert json.loads(cli("--db", str(db), "sql", "SELECT count(*) AS n FROM articles", "--format", "json").stdout) == [
        {"n": 11}
    ]


def test_sql_on_a_missing_database_is_a_clear_error(tmp_path):
    result = cli("--db", str(tmp_path / "nope.duckdb"), "sql", "SELECT 1")
    assert result.exit_code == 2 and "no database at" in result.stderr


def test_articles_and_show(db):
    listing = json.loads(cli("--db", str(db), "articles", "--search", "标准", "--format", "json").stdout)
    (outline,) = [a for a in listing if a["title"].startswith("重磅")]
    assert outline["links"] == 4 and outline["measures"] == 35
    shown = cli("--db", str(db), "show", outline["article_id"][:8])
    assert shown.exit_code == 0
    for expected in ("机器人", "300024.SZ", "加强关键技术领域标准研究", "彭佳兵", "2021-10-10 20:58"):
        assert expected in shown.stdout
    missing = cli("--db", str(db), "show", "zzz")
    assert missing.exit_code == 2 and "no stored article" in missing.stderr


def test_database_path_from_the_environment(db, monkeypatch):
    monkeypatch.setenv("POLICYWATCH_DB", str(db))
    data = json.loads(cli("sql", "SELECT count(*) AS n FROM articles", "--format", "json").stdout)
    assert data == [{"n": 11}]


def test_import_archive_exit_code_on_skips(tmp_path):
    folder = tmp_path / "posts"
    folder.mkdir()
    shutil.copy(sample_path("07_"), folder)
    (folder / "cut.md").write_bytes(sample_path("00_").read_bytes()[:5000])
    result = cli("--db", str(tmp_path / "x.duckdb"), "import-archive", str(folder))
    assert result.exit_code == 1
    assert "1 new" in result.stdout and "truncated" in result.stderr


def test_broken_config_is_exit_2(tmp_path):
    config = tmp_path / "broken.toml"
    config.write_text("[db\n")
    result = cli("--config", str(config), "articles")
    assert result.exit_code == 2 and "not valid TOML" in result.stderr


@pytest.mark.integration
def test_locked_database_is_exit_75_through_the_real_entry_point(db):
    with database_lock_held(db) as pid:
        exe = Path(sys.executable).with_name("policywatch")
        proc = subprocess.run([str(exe), "--db", str(db), "articles"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 75
    assert f"PID {pid}" in proc.stderr and "retryable" in proc.stderr


def test_sql_prints_every_duckdb_type_as_json_and_csv(db):
    query = "SELECT now() - now() AS span, gen_random_uuid() IS NOT NULL AS ok, TIME '09:30:00' AS t, [now()] AS stamps"
    data = json.loads(cli("--db", str(db), "sql", query, "--format", "json").stdout)
    assert data[0]["span"] == "0:00:00" and data[0]["t"] == "09:30:00" and data[0]["ok"] is True
    rows = list(csv.reader(io.StringIO(cli("--db", str(db), "sql", query, "--format", "csv").stdout)))
    assert rows[0] == ["span", "ok", "t", "stamps"] and rows[1][2] == "09:30:00"


def test_sql_cannot_touch_files_outside_the_database(db, tmp_path):
    target = tmp_path / "leak.csv"
    result = cli("--db", str(db), "sql", f"COPY (SELECT 1) TO '{target}'")
    assert result.exit_code == 2 and not target.exists()


def test_search_is_plain_text_not_a_pattern(db):
    # as a LIKE pattern "%增" would match every title with 增 in it; as text, no title has "%增"
    listing = json.loads(cli("--db", str(db), "articles", "--search", "%增", "--format", "json").stdout)
    assert listing == []
    literal = json.loads(cli("--db", str(db), "articles", "--search", "37%", "--format", "json").stdout)
    assert [a["title"][:4] for a in literal] == ['"券茅"']


def test_report_and_link_say_which_ids_are_unknown(db, tmp_path):
    report = cli("--db", str(db), "report", "nope", "--out", str(tmp_path / "r"))
    assert report.exit_code == 2 and "'nope' matches no stored article" in report.stderr
    linked = cli("--db", str(db), "link", "nope")
    assert linked.exit_code == 1 and "nope" in linked.stderr


def test_global_options_also_work_after_the_command(db, tmp_path):
    before = cli("--db", str(db), "articles", "--format", "json")
    after = cli("articles", "--db", str(db), "--format", "json")
    assert after.exit_code == 0, after.output
    assert json.loads(after.stdout) == json.loads(before.stdout) and len(json.loads(after.stdout)) == 11
    assert json.loads(cli("articles", "--format", "json", f"--db={db}").stdout) == json.loads(before.stdout)
    config = tmp_path / "pw.toml"
    config.write_text(f'[db]\npath = "{db}"\n')
    shown = cli("sql", "SELECT count(*) AS n FROM articles", "--format", "json", "--config", str(config))
    assert json.loads(shown.stdout) == [{"n": 11}]
    nested = cli("reference", "show", "300024", "--db", str(db))  # a command of a command group
    assert nested.exit_code == 0 and "300024.SZ" in nested.stdout


def test_data_is_printed_as_written_never_as_console_markup(db):
    """A title, a query result or an error message with ``[/]`` or ``[red]`` or ``:smile:`` in it is text."""
    result = cli("--db", str(db), "sql", "SELECT '[/]' AS a, '[red]x[/red]' AS b, ':smile:' AS c")
    assert result.exit_code == 0, result.output
    assert "[/]" in result.stdout and "[red]x[/red]" in result.stdout and ":smile:" in result.stdout
    failed = cli("--db", str(db), "sql", 'SELECT * FROM "[/]"')
    assert failed.exit_code == 2
    assert "error: query failed" in failed.stderr and '"[/]"' in failed.stderr
