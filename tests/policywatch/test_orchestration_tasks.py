"""The functions behind the Airflow tasks, called directly."""

from __future__ import annotations

import pytest

from policywatch.config import AlertSettings, CrawlSettings, DatabaseSettings, LinkingSettings, PricesSettings, Settings
from policywatch.orchestration import tasks
from policywatch.orchestration.airflow import check_configuration
from transforms.errors import ConfigError


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
