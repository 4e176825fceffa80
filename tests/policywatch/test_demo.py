"""The offline demo end to end, as `make demo` runs it (replay → crawl → link → prices → studies → alerts → report)."""

from __future__ import annotations

from typer.testing import CliRunner

from policywatch.cli import app
from warehouse.store import open_reader


def test_demo_runs_end_to_end_and_labels_its_synthetic_prices(tmp_path):
    out = tmp_path / "demo"
    result = CliRunner().invoke(app, ["--db", str(tmp_path / "given.duckdb"), "demo", "--out", str(out)])
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
    again = CliRunner().invoke(app, ["--db", str(tmp_path / "given.duckdb"), "demo", "--out", str(out)])
    assert again.exit_code == 0, again.output
    assert "0 new articles stored" in again.stdout and "0 sent now" in again.stdout  # a rerun adds nothing
