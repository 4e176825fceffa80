"""Alerting: match linked articles against the watchlist and send what is due, once per (article, rule, channel).

Three phases, so that network time never holds the DuckDB write lock (nor, under Airflow, the writers' pool):

1. **plan**: read the candidates and the state of every delivery (a read-only connection, closed at once);
2. **send**: deliver each due alert, writing a journal (:mod:`policywatch.alerts.journal`) as it goes;
3. **record**: open the writer briefly and record every journal not recorded yet into ``alerts_sent``.

A channel that fails is recorded as failed and tried again on the next run; the others go out regardless.
A crash between sending and recording loses nothing: the journal is recorded by the next run, and a delivery
whose outcome it does not know is sent again (at least once).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from policywatch.alerts import load_watchlist
from policywatch.alerts.delivery import DeliveryResult, deliver
from policywatch.alerts.journal import (
    DeliveryJournal,
    journal_dir,
    journals_to_record,
    open_journal,
    pending_deliveries,
    read_journal,
    read_journals,
    sending_lock,
)
from policywatch.config import Settings
from policywatch.reference import load_taxonomy
from policywatch.transforms.alerts.matching import (
    AlertCandidate,
    CandidateMeasure,
    CandidateTicker,
    SinaLink,
    match_rule,
)
from policywatch.transforms.alerts.message import AlertMessage, render_alert
from policywatch.transforms.alerts.watchlist import Watchlist
from policywatch.transforms.errors import ConfigError
from policywatch.warehouse.alerts import (
    alert_candidates,
    delivery_states,
    record_journal,
    recorded_journals,
)
from policywatch.warehouse.runs import finish_run, start_run
from policywatch.warehouse.store import open_reader, open_writer

__all__ = [
    "AlertPlan",
    "AlertSummary",
    "DueDelivery",
    "RecordSummary",
    "plan_alerts",
    "record_alert_journals",
    "run_alerts",
    "send_alerts",
    "send_due",
    "send_test_alerts",
]


@dataclass(frozen=True, slots=True)
class DueDelivery:
    article_id: str
    rule_id: str
    channel: str
    message: AlertMessage

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.article_id, self.rule_id, self.channel)


@dataclass(slots=True)
class AlertPlan:
    due: list[DueDelivery] = field(default_factory=list)
    candidates: int = 0
    matches: int = 0
    already_sent: int = 0
    given_up: int = 0  #: failed max_attempts times: not tried again


@dataclass(slots=True)
class AlertSummary:
    run_id: str | None  #: the run that recorded the deliveries
    candidates: int = 0
    matches: int = 0
    sent: int = 0
    already_sent: int = 0
    #: (article id, rule, channel, error)
    failed: list[tuple[str, str, str, str]] = field(default_factory=list)
    given_up: int = 0
    journal: str | None = None
    #: channels that failed because they cannot be used as configured (a secret's variable not set): why
    unusable: dict[str, str] = field(default_factory=dict)

    def counts(self) -> dict:
        return {"candidates": self.candidates, "matches": self.matches, "sent": self.sent,
                "already_sent": self.already_sent, "failed": len(self.failed), "given_up": self.given_up}  # fmt: skip


@dataclass(slots=True)
class RecordSummary:
    run_id: str
    journals: int = 0
    sent: int = 0
    failed: int = 0
    interrupted: int = 0

    def counts(self) -> dict[str, int]:
        return {"journals": self.journals, "sent": self.sent, "failed": self.failed,
                "interrupted": self.interrupted}  # fmt: skip


def _watchlist(settings: Settings, path: Path | None) -> tuple[Watchlist, dict[str, str]]:
    path = path or settings.alerts.watchlist
    if path is None:
        raise ConfigError("no watchlist: set [alerts] watchlist in the config (or pass --watchlist)")
    taxonomy = load_taxonomy(settings.linking.themes_file)
    names = {t.id: t.name_zh for t in taxonomy.themes}
    return load_watchlist(path, theme_ids=set(names)), names


def plan_alerts(settings: Settings, watchlist: Watchlist, theme_names: dict[str, str], *, since: datetime) -> AlertPlan:
    """What is due: every (article, rule, channel) match not sent yet, by the database or by a journal that
    is not recorded yet, and not given up (failed ``max_attempts`` times). Reads the database read-only and
    briefly."""
    # the journals first, then the database: a journal recorded in between is named in alert_journals
    journals = read_journals(journal_dir(settings.db.path))
    con = open_reader(settings.db.path, lock_timeout=settings.db.lock_timeout_s)
    try:
        candidates = alert_candidates(con, since)
        states = delivery_states(con)
        recorded = recorded_journals(con)
    finally:
        con.close()
    pending = pending_deliveries(journals, recorded=recorded)
    plan = AlertPlan(candidates=len(candidates))
    for candidate in candidates:
        for rule in watchlist.rules:
            match = match_rule(rule, candidate)
            if match is None:
                continue
            plan.matches += 1
            message = render_alert(candidate, match, theme_names)
            for channel in rule.channels:
                key = (candidate.article_id, rule.id, channel)
                state, waiting = states.get(key), pending.get(key)
                if (state is not None and state.status == "sent") or (waiting is not None and waiting.sent):
                    plan.already_sent += 1
                    continue
                attempts = (state.attempts if state else 0) + (waiting.attempts if waiting else 0)
                if attempts >= watchlist.max_attempts:
                    plan.given_up += 1
                    continue
                plan.due.append(DueDelivery(candidate.article_id, rule.id, channel, message))
    return plan


def send_due(
    plan: AlertPlan, watchlist: Watchlist, journal: DeliveryJournal, *, echo: Callable[[str], None] = print
) -> list[tuple[DueDelivery, DeliveryResult]]:
    """Deliver what is due, each attempt in the journal before it starts and its outcome after it ends."""
    results = []
    for item in plan.due:
        journal.intent(item.key, item.message.title)
        result = deliver(item.message, watchlist.channels[item.channel], echo=echo,
                         unavailable=watchlist.unavailable.get(item.channel))  # fmt: skip
        journal.outcome(item.key, result.ok, result.error)
        results.append((item, result))
    return results


def record_alert_journals(
    settings: Settings, *, command: str = "alerts record", args: dict[str, Any] | None = None
) -> RecordSummary:
    """Record every journal not recorded yet (the writer, briefly); the files go once their rows are in."""
    paths = journals_to_record(journal_dir(settings.db.path))
    con = open_writer(settings.db.path, lock_timeout=settings.db.lock_timeout_s)
    try:
        run_id = start_run(con, command, {**(args or {}), "journals": [p.name for p in paths]})
        summary = RecordSummary(run_id)
        try:
            for path in paths:
                try:
                    header, entries = read_journal(path)
                except FileNotFoundError:
                    continue  # another recorder recorded it (and deleted it) after this one listed it
                # the cap the sender's watchlist had (an unreadable header: the default)
                cap = int(header.get("max_attempts") or Watchlist.model_fields["max_attempts"].default)
                if record_journal(con, path.name, entries, run_id=run_id, max_attempts=cap):
                    summary.journals += 1
                    summary.sent += sum(1 for e in entries if e.ok)
                    summary.failed += sum(1 for e in entries if e.ok is False)
                    summary.interrupted += sum(1 for e in entries if e.ok is None)
        except BaseException as exc:
            finish_run(con, run_id, "failed", summary.counts(), f"{type(exc).__name__}: {exc}")
            raise
        finish_run(con, run_id, "partial" if summary.failed or summary.interrupted else "ok", summary.counts())
    finally:
        con.close()
    for path in paths:
        path.unlink(missing_ok=True)
    return summary


def send_alerts(
    settings: Settings,
    *,
    watchlist_path: Path | None = None,
    since: datetime | None = None,
    now: datetime | None = None,
    echo: Callable[[str], None] = print,
    label: str = "cli",
) -> AlertSummary:
    """Plan and send (no database writes): the journal waits for :func:`record_alert_journals`."""
    watchlist, theme_names = _watchlist(settings, watchlist_path)
    now = now or datetime.now(UTC)
    since = since or now - timedelta(days=watchlist.lookback_days)
    folder = journal_dir(settings.db.path)
    with sending_lock(folder, wait_s=settings.db.lock_timeout_s):
        plan = plan_alerts(settings, watchlist, theme_names, since=since)
        header = {"since": since.isoformat(), "watchlist": str(watchlist_path or settings.alerts.watchlist),
                  "max_attempts": watchlist.max_attempts}  # fmt: skip
        with open_journal(folder, label, header) as journal:
            results = send_due(plan, watchlist, journal, echo=echo)
    summary = AlertSummary(None, plan.candidates, plan.matches, already_sent=plan.already_sent,
                           given_up=plan.given_up, journal=journal.name)  # fmt: skip
    for item, result in results:
        if result.ok:
            summary.sent += 1
        else:
            summary.failed.append((item.article_id, item.rule_id, item.channel, result.error or "failed"))
            if item.channel in watchlist.unavailable:
                summary.unusable[item.channel] = watchlist.unavailable[item.channel]
    return summary


def run_alerts(
    settings: Settings,
    *,
    watchlist_path: Path | None = None,
    since: datetime | None = None,
    now: datetime | None = None,
    echo: Callable[[str], None] = print,
) -> AlertSummary:
    """Send what is due and record it. ``since`` defaults to ``now`` minus the watchlist's ``lookback_days``."""
    summary = send_alerts(settings, watchlist_path=watchlist_path, since=since, now=now, echo=echo)
    recorded = record_alert_journals(settings, command="alerts run", args={"sent": summary.counts()})
    summary.run_id = recorded.run_id
    return summary


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
