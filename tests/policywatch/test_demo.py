"""The offline demo end to end, as `make demo` runs it (replay → crawl → link → prices → studies → alerts → report),
and the article ids the docs name. The docs' SQL runs on the demo's database in tests/test_docs_snippets.py."""

from __future__ import annotations

import re

import pytest
from policywatch.warehouse.store import open_reader
from typer.testing import CliRunner

from policywatch.cli import app
from tests.conftest import ROOT

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    out = root / "demo"
    result = CliRunner().invoke(app, ["--db", str(root / "given.duckdb"), "demo", "--out", str(out)])
    return root, out, result


def test_demo_runs_end_to_end_and_labels_its_synthetic_prices(demo):
    tmp_path, out, result = demo
    assert result.exit_code == 0, result.output
    assert "synthetic" in result.stdout and "outline_real" in result.stdout
    # the console channel printed the alert between the alerts step and the report step
    alerts_step = result.stdout.split("5/6 alerts", 1)[1].split("6/6 report", 1)[0]
    assert "【policywatch】标准化政策" in alerts_step and "standardization-tech" in alerts_step
    assert (out / "report" / "index.html").exists() and len(list((out / "report").glob("article-*.html"))) >= 11
    alerts = (out / "alerts.md").read_text(encoding="utf-8")
    assert "【policywatch】标准化政策" in alerts and "机器人 300024.SZ：主题股" in alerts
    con = open_reader(tmp_path / "given.duckdb")  # --db was honoured
    try:
        sources = dict(con.execute("SELECT source, count(*) FROM prices GROUP BY 1").fetchall())
        headline = con.execute(
            "SELECT count(*) FILTER (WHERE status = 'kept'), list(DISTINCT price_source) FILTER (WHERE status = 'kept')"
            " FROM event_diagnostics WHERE study = 'outline_real'"
        ).fetchall()[0]
        crawled = con.execute("SELECT count(*) FROM articles WHERE origin IN ('crawl', 'rss')").fetchall()[0][0]
        # the default study mixes the outline's 8 real events with synthetic ones: synthetic prices are made
        # from the benchmark's real returns, so they add noise, never an effect
        outline = con.execute(
            "SELECT r.car_window, r.statistic, r.value, r.p_value, r.n FROM study_results r"
            " JOIN article_policy p ON p.article_id = r.group_id WHERE r.study = 'default' AND r.group_type = 'article'"
            " AND p.is_standardization AND r.car_window IN ('0:0', '0:1', '-1:1')"
        ).fetchall()
        betas = con.execute(
            "SELECT avg(beta) FROM event_diagnostics WHERE study = 'default' AND status = 'kept'"
            " AND price_source = 'synthetic'"
        ).fetchall()[0][0]
    finally:
        con.close()
    assert set(sources) == {"file:cn_daily_2020-10_2022-01.csv.gz", "synthetic"}
    assert headline == (8, ["file:cn_daily_2020-10_2022-01.csv.gz"])  # the headline study never sees synthetic
    assert crawled == 11
    assert {w for w, *_ in outline} == {"0:0", "0:1", "-1:1"} and min(n for *_, n in outline) > 100
    assert all(abs(v) < 0.01 for _, s, v, _, _ in outline if s == "caar")  # the bug showed +3.44% on [-1,1]
    assert all(p > 0.05 for *_, p, _ in outline if p is not None)  # and t = 10.4, p = 0.000
    assert 0.9 < betas < 1.1  # the generator's mean β (it was 0.12 against the real benchmark)


def test_a_rerun_adds_nothing(demo):
    tmp_path, out, first = demo
    assert first.exit_code == 0, first.output
    again = CliRunner().invoke(app, ["--db", str(tmp_path / "given.duckdb"), "demo", "--out", str(out)])
    assert again.exit_code == 0, again.output
    assert "0 new articles stored" in again.stdout and "0 sent now" in again.stdout


def test_the_article_ids_the_docs_name_exist_in_the_demo(demo):
    tmp_path, _, result = demo
    assert result.exit_code == 0, result.output
    show_help = CliRunner().invoke(app, ["show", "--help"], env={"COLUMNS": "200"}).output
    (prefix,) = re.findall(r"Example: policywatch show (\S+)", show_help)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    docs = "".join(page.read_text(encoding="utf-8") for page in sorted((ROOT / "docs").glob("*.md")))
    (tour,) = re.findall(r"data/demo/policywatch.duckdb show (\S+)", readme)
    named = set(re.findall(r"article_id = '([^']+)'", readme + docs))
    con = open_reader(tmp_path / "given.duckdb")
    try:
        ids = [a for (a,) in con.execute("SELECT article_id FROM articles").fetchall()]
    finally:
        con.close()
    for given in (prefix, tour):
        assert len([a for a in ids if a.startswith(given)]) == 1, given
    assert named and named <= set(ids)
    shown = CliRunner().invoke(app, ["--db", str(tmp_path / "given.duckdb"), "show", prefix])
    assert shown.exit_code == 0, shown.output


def test_the_demo_report_groups_flashes_and_links_no_dead_replay_page(demo):
    """The replay is gone once the demo ends: no page links it (nor the Sina pages its 7x24 items invent) as the
    source; each 7x24 flash sits under the article with its headline instead of as a second, unscored article."""
    _, out, result = demo
    assert result.exit_code == 0, result.output
    report = out / "report"
    index = (report / "index.html").read_text(encoding="utf-8")
    table = index.split("<h2>Articles</h2>", 1)[1]
    assert table.count('<tr><td class="muted">') == 11  # one row per story, not 22
    flashes = sorted(p.name for p in report.glob("article-zhibo*.html"))
    assert len(flashes) == 11 and all(table.count(f'href="{name}"') == 1 for name in flashes)
    assert table.count('<span class="tag flash">7x24</span> the same headline as a flash') == 11
    for page in report.glob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert not re.search(r'href="https?://(127\.|localhost|\[::1\])', html), page.name
        assert 'href="https://finance.sina.com.cn/7x24/' not in html, page.name
    outline = (report / "article-loerwde8096357.html").read_text(encoding="utf-8")
    replay = "demo replay (a local copy of Sina, offline now): /china/gncj/2021-10-10/doc-iloerwde8096357.shtml"
    assert replay in outline
