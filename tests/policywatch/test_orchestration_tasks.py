"""The functions behind the Airflow tasks, called directly."""

from __future__ import annotations

import pytest
from policywatch.transforms.errors import ConfigError

from policywatch.config import AlertSettings, CrawlSettings, DatabaseSettings, LinkingSettings, PricesSettings, Settings
from policywatch.orchestration import tasks
from policywatch.orchestration.airflow import check_configuration


def test_alert_task_without_a_watchlist_skips_with_a_reason(monkeypatch, tmp_path):
    monkeypatch.setenv("POLICYWATCH_DB", str(tmp_path / "pw.duckdb"))
    monkeypatch.delenv("POLICYWATCH__ALERTS__WATCHLIST", raising=False)
    assert tasks.alert({}) == {"skipped": "no watchlist configured"}


def deployment(tmp_path, watchlist_text: str) -> Settings:
    """Settings as ``airflow setup`` wants them: every path absolute."""
    watchlist = tmp_path / "watchlist.yaml"
    watchlist.write_text(watchlist_text, encoding="utf-8")
    return Settings(
        db=DatabaseSettings(path=tmp_path / "pw.duckdb", lock_timeout_s=0),
        crawl=CrawlSettings(staging_dir=tmp_path / "staging" / "crawl"),
        prices=PricesSettings(staging_dir=tmp_path / "staging" / "prices"),
        linking=LinkingSettings(reference_dir=tmp_path / "reference"),
        alerts=AlertSettings(watchlist=watchlist),
    )


def test_setup_checks_every_channel_url_with_apprise(tmp_path, monkeypatch):
    monkeypatch.setenv("DING", "SECRETTOKEN!!")
    monkeypatch.delenv("MISSING_TOKEN", raising=False)
    rules = "rules:\n  - id: r\n    themes: [robots]\n    channels: [a, b]\n"
    channels = 'channels:\n  a:\n    url: "console://"\n  b:\n    url: "{}"\n'
    good = deployment(tmp_path, channels.format("json://${MISSING_TOKEN}@x/") + rules)
    checks = check_configuration(good)
    assert any(c.startswith("WARNING: alert channel b is not usable") and "MISSING_TOKEN" in c for c in checks)
    for url, why in (("slak://T/B/C", "Apprise has no slak:// service"), ("dingtalk://${DING}/", "DingTalk API Token")):
        broken = deployment(tmp_path, channels.format(url) + rules)
        with pytest.raises(ConfigError) as info:
            check_configuration(broken)
        assert "channels.b.url: channel b: " in str(info.value) and why in str(info.value)
        assert "SECRETTOKEN" not in str(info.value)


def linked_deployment(tmp_path, monkeypatch, mail_url: str, hook_url: str) -> Settings:
    """The samples imported and linked, and the tasks' environment pointing at them and at a watchlist of the
    outline's rule to an email channel and a webhook channel."""
    from policywatch.steps.import_archive import import_archive
    from policywatch.steps.link import link_articles
    from tests.conftest import SAMPLES

    settings = Settings(db=DatabaseSettings(path=tmp_path / "pw.duckdb", lock_timeout_s=0))
    import_archive([SAMPLES], settings)
    link_articles(settings)
    watchlist = tmp_path / "watchlist.yaml"
    watchlist.write_text(
        f'channels:\n  email:\n    url: "{mail_url}"\n  hook:\n    url: "{hook_url}"\n'
        "rules:\n  - id: std\n    standardization_only: true\n    themes: [robots]\n    channels: [email, hook]\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("POLICYWATCH_DB", str(settings.db.path))
    monkeypatch.setenv("POLICYWATCH__ALERTS__WATCHLIST", str(watchlist))
    return settings


@pytest.mark.integration
def test_alert_task_fails_retryably_when_a_delivery_failed_and_record_alerts_records_it(down, monkeypatch, tmp_path):
    """alert sends (no database writes) and raises after journaling a failure; record_alerts, the writer,
    records what alert did; the retry sends the failed delivery again, and only that one."""
    from policywatch.alerts import AlertsNotDeliveredError
    from tests.conftest import query
    from tests.servers import smtp_server, webhook_server

    with smtp_server() as mailbox:
        settings = linked_deployment(tmp_path, monkeypatch, mailbox.url(), down.url("json", "/x"))
        params = {"alert_since": "2021-01-01"}
        with pytest.raises(AlertsNotDeliveredError, match=r"1 of 2 alert deliveries failed \(channels hook\)"):
            tasks.alert(params, "manual__2026-01-01T00:00:00+00:00")
        assert len(mailbox.messages) == 1 and query(settings, "SELECT count(*) FROM alerts_sent") == [(0,)]
        recorded = tasks.record_alerts(params)
        assert (recorded["journals"], recorded["sent"], recorded["failed"]) == (1, 1, 1)
        assert query(settings, "SELECT channel, status, attempts FROM alerts_sent ORDER BY channel") == [
            ("email", "sent", 1), ("hook", "failed", 1),
        ]  # fmt: skip
        with webhook_server(port=down) as hooks:
            retried = tasks.alert(params, "manual__2026-01-01T00:00:00+00:00")
            assert (retried["sent"], retried["already_sent"], retried["failed"]) == (1, 1, 0)
            assert len(hooks.posts) == 1 and len(mailbox.messages) == 1
        tasks.record_alerts(params)
    assert query(settings, "SELECT channel, status, attempts FROM alerts_sent ORDER BY channel") == [
        ("email", "sent", 1), ("hook", "sent", 2),
    ]  # fmt: skip


@pytest.mark.integration
def test_a_channel_missing_its_secret_fails_the_alert_task_terminally_not_retryably(monkeypatch, tmp_path):
    """Retrying cannot set an environment variable: the run goes red at once with what to fix, and the
    working channels' alerts are out."""
    from tests.conftest import query
    from tests.servers import smtp_server

    monkeypatch.delenv("HOOK_TOKEN", raising=False)
    with smtp_server() as mailbox:
        settings = linked_deployment(tmp_path, monkeypatch, mailbox.url(), "json://x:${HOOK_TOKEN}@127.0.0.1/x")
        with pytest.raises(ConfigError, match=r"alert channels cannot be used as configured \(hook: .*HOOK_TOKEN"):
            tasks.alert({"alert_since": "2021-01-01"})
        assert len(mailbox.messages) == 1
    tasks.record_alerts({})
    assert query(settings, "SELECT channel, status FROM alerts_sent ORDER BY channel") == [
        ("email", "sent"), ("hook", "failed"),
    ]  # fmt: skip


@pytest.mark.parametrize(("param", "call"), [("alert_since", "alert"), ("since", "plan_prices")])
def test_a_bad_date_param_is_a_terminal_error_naming_it(monkeypatch, tmp_path, param, call):
    monkeypatch.setenv("POLICYWATCH_DB", str(tmp_path / "pw.duckdb"))
    monkeypatch.setenv("POLICYWATCH__ALERTS__WATCHLIST", str(tmp_path / "watchlist.yaml"))
    with pytest.raises(ConfigError, match=f"the param {param}: '2021-13-01' is not a date like 2026-01-31"):
        getattr(tasks, call)({param: "2021-13-01"})


def test_setup_refuses_more_than_one_pool_slot(tmp_path):
    from typer.testing import CliRunner

    from policywatch.cli import app

    result = CliRunner().invoke(app, ["--db", str(tmp_path / "pw.duckdb"), "airflow", "setup", "--slots", "2"])
    assert result.exit_code == 2
    assert "must have exactly 1 slot, not 2" in " ".join(result.stderr.split())


def test_the_price_tasks_make_the_same_synthetic_bars_as_the_cli_over_a_stored_real_benchmark(monkeypatch, tmp_path):
    """The demo's order (real bars, then synthetic ones for the rest) through the CLI's step and through the
    three Airflow tasks, whose plan crosses to the download as JSON: the same stored rows, row for row."""
    import json
    from datetime import date

    from policywatch.config import load_settings
    from policywatch.reference import BUNDLED_PRICES
    from policywatch.steps.prices import fetch_prices
    from tests.conftest import query

    synthetic = ["600000.SS", "000001.SZ", "300024.SZ"]
    params = {"tickers": synthetic, "since": "2020-06-01", "provider": "synthetic", "fill_gaps": True}
    rows = {}
    for path in ("cli", "airflow"):
        monkeypatch.setenv("POLICYWATCH_DB", str(tmp_path / f"{path}.duckdb"))
        monkeypatch.setenv("POLICYWATCH__PRICES__STAGING_DIR", str(tmp_path / "staging"))
        settings = load_settings()
        fetch_prices(settings, provider="file", file=str(BUNDLED_PRICES), tickers=[], since=date(2020, 10, 1))
        if path == "cli":
            fetch_prices(settings, provider="synthetic", tickers=synthetic, since=date(2020, 6, 1), fill_gaps=True)
        else:
            plan = json.loads(json.dumps(tasks.plan_prices(params)))  # an XCom is JSON
            tasks.load_prices(plan, tasks.download_prices(plan, "manual__2026-01-01T00:00:00+00:00"), params)
        rows[path] = query(
            settings,
            "SELECT ticker, date, open, high, low, close, adj_close, volume, source FROM prices ORDER BY ticker, date",
        )
    tickers = {row[0] for row in rows["cli"]}
    assert tickers == {*synthetic, "000300.SS"}
    assert rows["airflow"] == rows["cli"]
