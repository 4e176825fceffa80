"""The functions behind the Airflow tasks, called directly."""

from __future__ import annotations

from policywatch.orchestration import tasks


def test_alert_task_without_a_watchlist_skips_with_a_reason(monkeypatch, tmp_path):
    monkeypatch.setenv("POLICYWATCH_DB", str(tmp_path / "pw.duckdb"))
    monkeypatch.delenv("POLICYWATCH__ALERTS__WATCHLIST", raising=False)
    assert tasks.alert({}) == {"skipped": "no watchlist configured"}
