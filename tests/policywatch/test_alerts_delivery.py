"""Alerts end to end: the sample articles linked in DuckDB, delivered to a real local SMTP server and a real
HTTP webhook receiver; once per (article, rule, channel); a channel that is down is retried next run."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime
from email.header import decode_header, make_header

import duckdb
import pytest
from policywatch.transforms.alerts.message import AlertMessage
from policywatch.transforms.alerts.watchlist import parse_watchlist
from policywatch.transforms.errors import ConfigError
from policywatch.warehouse.store import open_reader
from typer.testing import CliRunner

from policywatch.alerts import load_watchlist
from policywatch.alerts.delivery import deliver
from policywatch.cli import app
from policywatch.steps.alerts import run_alerts, send_test_alerts
from policywatch.steps.import_archive import import_archive
from policywatch.steps.link import link_articles
from tests.conftest import ROOT, SAMPLES, query
from tests.servers import smtp_server, webhook_server

SINCE = datetime(2021, 1, 1, tzinfo=UTC)
runner = CliRunner()


def watchlist(path, mail_url: str, hook_url: str) -> str:
    path.write_text(
        f"""\
channels:
  desk-email:
    url: "{mail_url}"
  desk-webhook:
    url: "{hook_url}"
rules:
  - id: standardization-tech
    description: 新的标准化政策涉及机器人或人工智能
    standardization_only: true
    themes: [robots, ai]
    channels: [desk-email, desk-webhook]
  - id: computing
    themes: [computing]
    channels: [desk-webhook]
""",
        encoding="utf-8",
    )
    return str(path)


@pytest.fixture
def linked(settings):
    import_archive([SAMPLES], settings)
    link_articles(settings)
    return settings


def deliveries(settings):
    con = open_reader(settings.db.path)
    try:
        return con.execute("SELECT rule_id, channel, status, attempts, error FROM alerts_sent ORDER BY ALL").fetchall()
    finally:
        con.close()


@pytest.mark.integration
def test_email_and_webhook_once_each(linked, tmp_path):
    with smtp_server() as mailbox, webhook_server() as hooks:
        path = watchlist(tmp_path / "w.yaml", mailbox.url(), hooks.url())
        first = run_alerts(linked, watchlist_path=tmp_path / "w.yaml", since=SINCE, echo=lambda _: None)
        # the outline matches both rules (robots/ai in （三）, computing in （十）); 东数西算 matches computing
        assert (first.matches, first.sent, first.failed) == (3, 4, [])
        (mail,) = mailbox.messages
        subject = str(make_header(decode_header(mail["Subject"])))
        assert subject.startswith("【policywatch】标准化政策：重磅！中央发文")
        text = mail.get_body(preferencelist=("plain",)).get_content()
        for expected in ("发布机构：中共中央、国务院", "《国家标准化发展纲要》", "（三）加强关键技术领域标准研究",
                         "机器人 300024.SZ：主题股", "农产品 000061.SZ：名称撞车", "2021-10-10 20:58"):  # fmt: skip
            assert expected in text
        assert len(hooks.posts) == 3
        titles = sorted(body["title"] for _, body in hooks.posts)
        assert any("东数西算" in t for t in titles) and any("标准化政策" in t for t in titles)
        assert all(path_ == "/policywatch" and body["message"] for path_, body in hooks.posts)

        second = run_alerts(linked, watchlist_path=tmp_path / "w.yaml", since=SINCE, echo=lambda _: None)
        assert (second.sent, second.already_sent) == (0, 4)
        assert len(mailbox.messages) == 1 and len(hooks.posts) == 3
    assert path


@pytest.mark.integration
def test_a_channel_that_is_down_is_retried_on_the_next_run(down, linked, tmp_path):
    with smtp_server() as mailbox:
        watchlist(tmp_path / "w.yaml", mailbox.url(), down.url("json", "/policywatch"))
        first = run_alerts(linked, watchlist_path=tmp_path / "w.yaml", since=SINCE, echo=lambda _: None)
        assert first.sent == 1 and len(first.failed) == 3  # email went out although the webhook was down
        assert len(mailbox.messages) == 1
        rows = deliveries(linked)
        failed = [r for r in rows if r[2] == "failed"]
        assert len(failed) == 3 and all(r[3] == 1 and r[4] for r in failed)
        with webhook_server(port=down) as hooks:
            second = run_alerts(linked, watchlist_path=tmp_path / "w.yaml", since=SINCE, echo=lambda _: None)
            assert (second.sent, second.failed, second.already_sent) == (3, [], 1)
            assert len(hooks.posts) == 3
        assert len(mailbox.messages) == 1  # not sent twice
    rows = deliveries(linked)
    assert all(r[2] == "sent" for r in rows)
    assert sorted(r[3] for r in rows if r[1] == "desk-webhook") == [2, 2, 2]


def test_secrets_stay_out_of_the_database(down, linked, tmp_path, monkeypatch):
    monkeypatch.setenv("HOOK_TOKEN", "tok-7f3a9c")
    (tmp_path / "w.yaml").write_text(
        f'channels:\n  hook:\n    url: "json://user:${{HOOK_TOKEN}}@127.0.0.1:{down.port}/x"\n'
        "rules:\n  - id: r\n    themes: [robots]\n    channels: [hook]\n",
        encoding="utf-8",
    )
    summary = run_alerts(linked, watchlist_path=tmp_path / "w.yaml", since=SINCE, echo=lambda _: None)
    assert summary.failed
    con = open_reader(linked.db.path)
    try:
        dump = str(con.execute("SELECT * FROM alerts_sent").fetchall()) + str(
            con.execute("SELECT * FROM runs").fetchall()
        )
    finally:
        con.close()
    assert "tok-7f3a9c" not in dump


@pytest.mark.integration
def test_old_articles_are_not_alerted_on_by_default(linked, tmp_path):
    with webhook_server() as hooks:
        watchlist(tmp_path / "w.yaml", "console://", hooks.url())
        summary = run_alerts(linked, watchlist_path=tmp_path / "w.yaml", echo=lambda _: None)
        assert (summary.candidates, summary.sent) == (0, 0)  # the samples are from 2021-22; lookback is 3 days


@pytest.mark.integration
def test_alerts_test_reaches_every_channel(settings, tmp_path):
    with smtp_server() as mailbox, webhook_server() as hooks:
        watchlist(tmp_path / "w.yaml", mailbox.url(), hooks.url())
        results = send_test_alerts(settings, watchlist_path=tmp_path / "w.yaml", echo=lambda _: None)
        assert {name: r.ok for name, r in results.items()} == {"desk-email": True, "desk-webhook": True}
        assert "[测试]" in str(make_header(decode_header(mailbox.messages[0]["Subject"])))
        assert hooks.posts[0][1]["title"].startswith("[测试]")


@pytest.mark.integration
def test_cli_run_test_and_history(down, linked, tmp_path):
    db = str(linked.db.path)
    with smtp_server() as mailbox:
        path = watchlist(tmp_path / "w.yaml", mailbox.url(), down.url("json", "/policywatch"))
        result = runner.invoke(app, ["--db", db, "alerts", "run", "--watchlist", path, "--since", "2021-01-01"])
        assert result.exit_code == 1 and "3 failed" in result.stdout and "desk-webhook" in result.stderr
        tested = runner.invoke(app, ["--db", db, "alerts", "test", "--watchlist", path])
        assert tested.exit_code == 1 and "FAILED" in tested.stdout
    history = runner.invoke(app, ["--db", db, "alerts", "history", "--format", "json"])
    import json

    statuses = sorted(row["status"] for row in json.loads(history.stdout))
    assert statuses == ["failed", "failed", "failed", "sent"]
    missing = runner.invoke(app, ["--db", db, "alerts", "run"])
    assert missing.exit_code == 2 and "no watchlist" in missing.stderr


@pytest.mark.integration
def test_a_channel_missing_its_secret_fails_alone_and_goes_out_once_it_is_set(linked, tmp_path, monkeypatch):
    monkeypatch.delenv("DESK_TO", raising=False)
    with smtp_server() as mailbox, webhook_server() as hooks:
        (tmp_path / "w.yaml").write_text(
            f'channels:\n  desk-email:\n    url: "{mailbox.url("${DESK_TO}")}"\n'
            f'  desk-webhook:\n    url: "{hooks.url()}"\n'
            "rules:\n  - id: r\n    standardization_only: true\n    themes: [robots]\n"
            "    channels: [desk-email, desk-webhook]\n",
            encoding="utf-8",
        )
        first = run_alerts(linked, watchlist_path=tmp_path / "w.yaml", since=SINCE, echo=lambda _: None)
        assert first.sent == 1 and len(hooks.posts) == 1 and mailbox.messages == []
        ((_, rule, channel, error),) = first.failed
        assert (rule, channel) == ("r", "desk-email") and "DESK_TO" in error
        monkeypatch.setenv("DESK_TO", "desk@example.com")
        second = run_alerts(linked, watchlist_path=tmp_path / "w.yaml", since=SINCE, echo=lambda _: None)
        assert (second.sent, second.already_sent, second.failed) == (1, 1, [])
        assert len(mailbox.messages) == 1 and len(hooks.posts) == 1


@pytest.mark.integration
def test_a_failed_delivery_is_retried_after_the_lookback_has_passed(down, linked, tmp_path):
    watchlist(tmp_path / "w.yaml", "console://", down.url("json", "/policywatch"))
    first = run_alerts(linked, watchlist_path=tmp_path / "w.yaml", since=SINCE, echo=lambda _: None)
    assert len(first.failed) == 3
    with webhook_server(port=down) as hooks:
        # no --since: the lookback (3 days) excludes the 2021-22 samples, but failed deliveries still count
        later = run_alerts(linked, watchlist_path=tmp_path / "w.yaml", echo=lambda _: None)
        assert later.sent == 3 and len(hooks.posts) == 3 and later.failed == []


@pytest.mark.integration
def test_since_on_the_command_line_is_china_midnight(linked, tmp_path):
    """02_ was published 2022-02-19 18:34 China time; 08_ on 2022-02-18 12:26. --since 2022-02-19 keeps one."""
    with webhook_server() as hooks:
        (tmp_path / "w.yaml").write_text(
            f'channels:\n  hook:\n    url: "{hooks.url()}"\nrules:\n  - id: any\n    min_policy_score: 0\n'
            "    keywords: [的]\n    channels: [hook]\n",
            encoding="utf-8",
        )
        result = runner.invoke(
            app,
            [
                "--db",
                str(linked.db.path),
                "alerts",
                "run",
                "--watchlist",
                str(tmp_path / "w.yaml"),
                "--since",
                "2022-02-19",
            ],
        )
        assert result.exit_code == 0, result.output
        titles = [body["title"] for _, body in hooks.posts]
    assert not any("东数西算" in t for t in titles)  # 2022-02-18 12:26 China time is before China midnight


@pytest.mark.integration
def test_tokens_stay_out_of_the_logs_when_apprise_rejects_them_and_when_it_sends(caplog, capsys):
    """Apprise logs a rejected DingTalk token in full at WARNING, and the request URL with its token at DEBUG
    (so does urllib3): none of it may reach a handler unredacted."""
    ding, hook = "SECRETTOKEN!!", "tok-7f3a9c/x"
    caplog.set_level(logging.DEBUG)
    with webhook_server() as hooks:
        watchlist = parse_watchlist(
            'channels:\n  ding:\n    url: "dingtalk://${DING}/"\n'
            f'  hook:\n    url: "json://127.0.0.1:{hooks.port}/hook/${{HOOK}}?+X-Token=${{HOOK}}"\n'
            "rules:\n  - id: r\n    themes: [robots]\n    channels: [ding, hook]\n",
            environ={"DING": ding, "HOOK": hook},
        )
        message = AlertMessage("标题", "正文")
        rejected = deliver(message, watchlist.channels["ding"])
        sent = deliver(message, watchlist.channels["hook"])
        assert sent.ok and hooks.posts[0][0] == "/hook/tok-7f3a9c/x"
    assert not rejected.ok and "An invalid DingTalk API Token (***) was specified" in rejected.error
    # the warning still reaches the log, redacted, and so do Apprise's and urllib3's request lines
    assert "An invalid DingTalk API Token (***) was specified" in caplog.text
    assert '"POST /hook/*** HTTP/1.1" 200' in caplog.text and "JSON POST URL: http://127.0.0.1" in caplog.text
    out, err = capsys.readouterr()
    logged = caplog.text + out + err + " ".join(f"{r.msg} {r.args} {r.exc_text}" for r in caplog.records)
    for secret in (ding, hook, "tok-7f3a9c", "tok-7f3a9c%2Fx"):
        assert secret not in logged and secret not in rejected.error


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("slak://T000/B000/${DING}", "Apprise has no slak:// service"),
        ("dingtalk://${DING}/", "An invalid DingTalk API Token (***) was specified"),
        ("feishu://${DING}/", "The Feishu token specified (***) is invalid"),
    ],
)
def test_a_channel_url_apprise_rejects_is_an_error_naming_the_channel_not_its_secret(
    tmp_path, monkeypatch, caplog, capsys, url, why
):
    monkeypatch.setenv("DING", "SECRETTOKEN!!")
    caplog.set_level(logging.DEBUG)
    path = tmp_path / "w.yaml"
    path.write_text(
        f'channels:\n  ok:\n    url: "console://"\n  desk-ding:\n    url: "{url}"\n'
        "rules:\n  - id: r\n    themes: [robots]\n    channels: [ok, desk-ding]\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as info:
        load_watchlist(path)
    message = str(info.value)
    assert f"{path}, line 5: channels.desk-ding.url: channel desk-ding: {why}" in message
    out, err = capsys.readouterr()
    assert "SECRETTOKEN" not in message + caplog.text + out + err


def test_alerts_test_refuses_a_malformed_channel_with_its_name(settings, tmp_path):
    path = watchlist(tmp_path / "w.yaml", "mailto://127.0.0.1:1?from=a@example.com&to=b@example.com", "slak://x/y")
    result = runner.invoke(app, ["--db", str(settings.db.path), "alerts", "test", "--watchlist", path])
    assert result.exit_code == 2
    assert "channels.desk-webhook.url: channel desk-webhook: Apprise has no slak:// service" in result.stderr


def one_rule(path, hook_url: str) -> str:
    """The outline (standardization, robots) to one webhook: a single delivery."""
    path.write_text(
        f'channels:\n  hook:\n    url: "{hook_url}"\n'
        "rules:\n  - id: std\n    standardization_only: true\n    themes: [robots]\n    channels: [hook]\n",
        encoding="utf-8",
    )
    return str(path)


def sender(settings, watchlist_path: str) -> subprocess.Popen:
    """``run_alerts`` in a process of its own (DuckDB's lock is per process)."""
    code = (
        "from datetime import UTC, datetime\nfrom pathlib import Path\n"
        "from policywatch.config import DatabaseSettings, Settings\n"
        "from policywatch.steps.alerts import run_alerts\n"
        f"run_alerts(Settings(db=DatabaseSettings(path=Path({str(settings.db.path)!r}))),"
        f" watchlist_path=Path({watchlist_path!r}), since=datetime(2021, 1, 1, tzinfo=UTC))\n"
    )
    return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.DEVNULL)


@pytest.mark.integration
def test_sending_holds_no_database_lock(linked, tmp_path):
    """While an alert is on the wire, another process can open the database for writing."""
    opened = []

    def open_the_writer(_path, _body):
        try:
            duckdb.connect(str(linked.db.path)).close()
            opened.append(True)
        except duckdb.Error as exc:
            opened.append(str(exc))

    with webhook_server(on_post=open_the_writer) as hooks:
        process = sender(linked, watchlist(tmp_path / "w.yaml", "console://", hooks.url()))
        assert process.wait(120) == 0
    assert opened == [True, True, True]
    assert query(linked, "SELECT count(*) FROM alerts_sent WHERE status = 'sent'") == [(4,)]


@pytest.mark.integration
def test_a_sender_killed_mid_delivery_loses_no_record_and_sends_again(linked, tmp_path):
    """The sender dies after the webhook got the alert and before the answer: the next run records the
    attempt as interrupted and sends it again (at least once), and nothing is left unrecorded."""
    arrived, release = threading.Event(), threading.Event()

    def hang_the_first(_path, _body):
        if not arrived.is_set():
            arrived.set()
            release.wait(60)

    with webhook_server(on_post=hang_the_first) as hooks:
        path = one_rule(tmp_path / "w.yaml", hooks.url())
        process = sender(linked, path)
        try:
            assert arrived.wait(120)
            os.kill(process.pid, signal.SIGKILL)
            process.wait(30)
        finally:
            release.set()
        journals = list((tmp_path / "pw.duckdb.alert-journal").glob("*.open.jsonl"))
        assert len(journals) == 1 and query(linked, "SELECT count(*) FROM alerts_sent") == [(0,)]

        again = run_alerts(linked, watchlist_path=tmp_path / "w.yaml", since=SINCE, echo=lambda _: None)
        assert (again.sent, again.already_sent, again.failed) == (1, 0, [])
        assert len(hooks.posts) == 2  # the one that may have gone out, and the one that did
    assert query(linked, "SELECT status, attempts, error FROM alerts_sent") == [("sent", 2, None)]
    assert list((tmp_path / "pw.duckdb.alert-journal").glob("*.jsonl")) == []
    third = run_alerts(linked, watchlist_path=tmp_path / "w.yaml", since=SINCE, echo=lambda _: None)
    assert (third.sent, third.already_sent) == (0, 1)


@pytest.mark.integration
def test_sent_but_not_recorded_is_not_sent_twice(linked, tmp_path):
    """Sending succeeded and recording did not happen (the database was locked, the task died): the journal
    still counts, so the next run sends nothing again and records it."""
    from policywatch.steps.alerts import record_alert_journals, send_alerts

    with webhook_server() as hooks:
        path = one_rule(tmp_path / "w.yaml", hooks.url())
        first = send_alerts(linked, watchlist_path=tmp_path / "w.yaml", since=SINCE, echo=lambda _: None)
        assert first.sent == 1 and query(linked, "SELECT count(*) FROM alerts_sent") == [(0,)]
        second = run_alerts(linked, watchlist_path=tmp_path / "w.yaml", since=SINCE, echo=lambda _: None)
        assert (second.sent, second.already_sent) == (0, 1) and len(hooks.posts) == 1
    assert path and query(linked, "SELECT status, attempts FROM alerts_sent") == [("sent", 1)]
    assert record_alert_journals(linked).journals == 0  # nothing left to record


@pytest.mark.integration
def test_a_delivery_failing_max_attempts_times_is_given_up_with_its_last_error(down, linked, tmp_path):
    path = tmp_path / "w.yaml"
    one_rule(path, down.url("json", "/policywatch"))
    path.write_text("max_attempts: 2\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    first = run_alerts(linked, watchlist_path=path, since=SINCE, echo=lambda _: None)
    second = run_alerts(linked, watchlist_path=path, since=SINCE, echo=lambda _: None)
    assert (len(first.failed), len(second.failed), second.given_up) == (1, 1, 0)
    ((status, attempts, error),) = query(linked, "SELECT status, attempts, error FROM alerts_sent")
    assert (status, attempts) == ("given_up", 2) and error == second.failed[0][3]
    history = runner.invoke(app, ["--db", str(linked.db.path), "alerts", "history", "--format", "json"])
    import json

    (row,) = json.loads(history.stdout)
    assert (row["status"], row["attempts"], row["error"]) == ("given_up", 2, error)
    with webhook_server(port=down) as hooks:
        third = run_alerts(linked, watchlist_path=path, echo=lambda _: None)  # given up: not tried again
        assert (third.sent, third.failed, third.given_up, hooks.posts) == (0, [], 1, [])
        result = runner.invoke(app, ["--db", str(linked.db.path), "alerts", "run", "--watchlist", str(path)])
        assert result.exit_code == 0 and "1 given up (see alerts history)" in result.stdout
        path.write_text(path.read_text(encoding="utf-8").replace("max_attempts: 2", "max_attempts: 3"))
        fourth = run_alerts(linked, watchlist_path=path, echo=lambda _: None)  # allowed one more: it goes out
        assert (fourth.sent, fourth.given_up, len(hooks.posts)) == (1, 0, 1)
    assert query(linked, "SELECT status, attempts, error FROM alerts_sent") == [("sent", 3, None)]


def test_a_journal_recorded_while_a_sender_plans_counts_once(down, linked, tmp_path):
    """The writer records a journal (and has not deleted it yet) between the moment a sender reads the
    journals and the moment it reads the database: its attempt is in alerts_sent and must not count twice."""
    from policywatch.steps.alerts import record_alert_journals, send_alerts

    path = tmp_path / "w.yaml"
    one_rule(path, down.url("json", "/policywatch"))
    path.write_text("max_attempts: 2\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    first = send_alerts(linked, watchlist_path=path, since=SINCE, echo=lambda _: None)
    assert len(first.failed) == 1
    folder = tmp_path / "pw.duckdb.alert-journal"
    (journal,) = folder.glob("*.jsonl")
    kept = journal.read_bytes()
    assert record_alert_journals(linked).journals == 1
    journal.write_bytes(kept)  # recorded, not deleted yet
    second = send_alerts(linked, watchlist_path=path, since=SINCE, echo=lambda _: None)
    assert (len(second.failed), second.given_up) == (1, 0)  # one attempt so far, not two: tried again
    assert record_alert_journals(linked).journals == 1  # the second; the first is not recorded twice
    assert query(linked, "SELECT status, attempts FROM alerts_sent") == [("given_up", 2)]


def test_a_journal_folder_that_cannot_be_written_is_a_clear_error(linked, tmp_path):
    (tmp_path / "pw.duckdb.alert-journal").write_text("a file where the folder should be")
    one_rule(tmp_path / "w.yaml", "console://")
    with pytest.raises(ConfigError, match="cannot use the alert journal folder"):
        run_alerts(linked, watchlist_path=tmp_path / "w.yaml", since=SINCE, echo=lambda _: None)


def test_a_journal_recorded_and_deleted_after_a_sender_listed_it_is_counted_from_the_database(
    down, linked, tmp_path, monkeypatch
):
    """The writer records a journal and deletes it between the moment a sender lists the journals and the
    moment it reads them: the file is gone, its attempt is in alerts_sent, and the sender goes on."""
    from policywatch.alerts import journal as journals
    from policywatch.steps.alerts import record_alert_journals, send_alerts

    path = tmp_path / "w.yaml"
    one_rule(path, down.url("json", "/policywatch"))
    path.write_text("max_attempts: 2\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    assert len(send_alerts(linked, watchlist_path=path, since=SINCE, echo=lambda _: None).failed) == 1
    listed = journals._journals

    def list_then_record(folder, **options):
        found = listed(folder, **options)
        monkeypatch.setattr(journals, "_journals", listed)
        assert record_alert_journals(linked).journals == 1  # recorded and deleted now
        return found

    monkeypatch.setattr(journals, "_journals", list_then_record)
    second = send_alerts(linked, watchlist_path=path, since=SINCE, echo=lambda _: None)
    assert (len(second.failed), second.given_up) == (1, 0)  # the first attempt counted once: tried again
    assert record_alert_journals(linked).journals == 1
    assert query(linked, "SELECT status, attempts FROM alerts_sent") == [("given_up", 2)]


def test_a_journal_another_recorder_recorded_after_this_one_listed_it_is_skipped(down, linked, tmp_path, monkeypatch):
    import policywatch.steps.alerts as steps

    one_rule(tmp_path / "w.yaml", down.url("json", "/policywatch"))
    sent = steps.send_alerts(linked, watchlist_path=tmp_path / "w.yaml", since=SINCE, echo=lambda _: None)
    assert len(sent.failed) == 1
    listed = steps.journals_to_record

    def list_then_record_elsewhere(folder):
        found = listed(folder)
        monkeypatch.setattr(steps, "journals_to_record", listed)
        assert steps.record_alert_journals(linked).journals == 1  # the other recorder, done first
        return found

    monkeypatch.setattr(steps, "journals_to_record", list_then_record_elsewhere)
    late = steps.record_alert_journals(linked)
    assert (late.journals, late.failed) == (0, 0)
    assert query(linked, "SELECT status, attempts FROM alerts_sent") == [("failed", 1)]
