"""Alerting: match linked articles against the watchlist and send what is due, once per (article, rule, channel).

A channel that fails is recorded as failed and tried again on the next run; the others go out regardless.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from policywatch.alerts import load_watchlist
from policywatch.alerts.delivery import DeliveryResult, deliver
from policywatch.config import Settings
from policywatch.reference import load_taxonomy
from transforms.alert_matching import (
    AlertCandidate,
    CandidateMeasure,
    CandidateTicker,
    SinaLink,
    match_rule,
)
from transforms.alert_message import AlertMessage, render_alert
from transforms.errors import ConfigError
from transforms.watchlist import Watchlist
from warehouse.alerts import alert_candidates, record_delivery, sent_deliveries
from warehouse.runs import finish_run, start_run
from warehouse.store import open_writer

__all__ = ["AlertSummary", "run_alerts", "send_test_alerts"]


@dataclass(slots=True)
class AlertSummary:
    run_id: str | None
    candidates: int = 0
    matches: int = 0
    sent: int = 0
    already_sent: int = 0
    #: (article id, rule, channel, error)
    failed: list[tuple[str, str, str, str]] = field(default_factory=list)

    def counts(self) -> dict:
        return {"candidates": self.candidates, "matches": self.matches, "sent": self.sent,
                "already_sent": self.already_sent, "failed": len(self.failed)}  # fmt: skip


def _watchlist(settings: Settings, path: Path | None) -> tuple[Watchlist, dict[str, str]]:
    path = path or settings.alerts.watchlist
    if path is None:
        raise ConfigError("no watchlist: set [alerts] watchlist in the config (or pass --watchlist)")
    taxonomy = load_taxonomy(settings.linking.themes_file)
    names = {t.id: t.name_zh for t in taxonomy.themes}
    return load_watchlist(path, theme_ids=set(names)), names


def run_alerts(
    settings: Settings,
    *,
    watchlist_path: Path | None = None,
    since: datetime | None = None,
    now: datetime | None = None,
    echo: Callable[[str], None] = print,
) -> AlertSummary:
    """Send what is due. ``since`` defaults to ``now`` minus the watchlist's ``lookback_days``."""
    watchlist, theme_names = _watchlist(settings, watchlist_path)
    now = now or datetime.now(UTC)
    since = since or now - timedelta(days=watchlist.lookback_days)
    con = open_writer(settings.db.path, lock_timeout=settings.db.lock_timeout_s)
    try:
        run_id = start_run(con, "alerts run", {"since": since.isoformat(), "watchlist": str(watchlist_path or "")})
        summary = AlertSummary(run_id)
        try:
            candidates = alert_candidates(con, since)
            summary.candidates = len(candidates)
            done = sent_deliveries(con)
            for candidate in candidates:
                for rule in watchlist.rules:
                    match = match_rule(rule, candidate)
                    if match is None:
                        continue
                    summary.matches += 1
                    message = render_alert(candidate, match, theme_names)
                    for channel_name in rule.channels:
                        if (candidate.article_id, rule.id, channel_name) in done:
                            summary.already_sent += 1
                            continue
                        result = deliver(
                            message,
                            watchlist.channels[channel_name],
                            echo=echo,
                            unavailable=watchlist.unavailable.get(channel_name),
                        )
                        _record(con, summary, candidate.article_id, rule.id, channel_name, result, message, run_id)
        except BaseException as exc:
            finish_run(con, run_id, "failed", summary.counts(), f"{type(exc).__name__}: {exc}")
            raise
        finish_run(con, run_id, "partial" if summary.failed else "ok", summary.counts())
        return summary
    finally:
        con.close()


def _record(con, summary, article_id, rule_id, channel, result: DeliveryResult, message: AlertMessage, run_id):
    record_delivery(con, article_id=article_id, rule_id=rule_id, channel=channel, ok=result.ok, error=result.error,
                    title=message.title, run_id=run_id)  # fmt: skip
    if result.ok:
        summary.sent += 1
    else:
        summary.failed.append((article_id, rule_id, channel, result.error or "failed"))


_SAMPLE = AlertCandidate(
    article_id="sample",
    title="测试：中共中央、国务院印发《国家标准化发展纲要》",
    url="https://finance.sina.com.cn/china/gncj/2021-10-10/doc-iktzscyx9453213.shtml",
    origin_ref=None,
    published_at=datetime(2021, 10, 10, 12, 58, 34, tzinfo=UTC),
    policy_score=1.0,
    is_policy=True,
    standardization_score=0.8,
    is_standardization=True,
    issuers=("中共中央", "国务院"),
    documents=("国家标准化发展纲要",),
    text="",
    measures=(
        CandidateMeasure(3, "（三）", "加强关键技术领域标准研究", (("robots", ("机器人",)), ("ai", ("人工智能",)))),
    ),
    article_themes=(),
    tickers=(CandidateTicker("300024.SZ", "机器人", 0.5, ("sina_link", "theme"), ("theme_stock",), ("robots",)),),
    sina_links=(
        SinaLink("机器人", "300024.SZ", "theme_stock", None),
        SinaLink("农产品", "000061.SZ", "name_collision", None),
    ),
)


def send_test_alerts(
    settings: Settings, *, watchlist_path: Path | None = None, echo: Callable[[str], None] = print
) -> dict[str, DeliveryResult]:
    """Send a sample alert (marked as a test) to every configured channel; nothing is recorded."""
    watchlist, theme_names = _watchlist(settings, watchlist_path)
    results = {}
    for name, channel in watchlist.channels.items():
        rule = next((r for r in watchlist.rules if name in r.channels), watchlist.rules[0])
        match = match_rule(rule.model_copy(update={"themes": ("robots", "ai"), "min_policy_score": 0}), _SAMPLE)
        assert match is not None
        message = render_alert(_SAMPLE, match, theme_names)
        results[name] = deliver(
            AlertMessage("[测试] " + message.title, message.body),
            channel,
            echo=echo,
            unavailable=watchlist.unavailable.get(name),
        )
    return results
