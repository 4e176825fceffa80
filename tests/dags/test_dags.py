"""The Airflow DAGs: they import, the pool exists after setup, retries are for transient errors only, and the
daily pipeline runs end to end with ``dag.test()`` against the local Sina replay, synthetic prices, a real
SMTP server and a real webhook receiver."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from policywatch.crawlers.replay.server import start_replay

from policywatch.steps.demo import SAMPLE_ARTICLES
from tests.conftest import ROOT
from tests.servers import smtp_server, webhook_server

DAGS = ROOT / "dags"
pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def airflow_env(tmp_path_factory) -> dict[str, str]:
    """A throwaway Airflow: SQLite metadata database at an absolute path, migrated."""
    home = tmp_path_factory.mktemp("airflow")
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        # retries after 1 s, 2 s, 4 s (doubling) instead of minutes: the alert task's are exercised
        "AIRFLOW__CORE__DEFAULT_TASK_RETRY_DELAY": "1",
    }
    airflow = Path(sys.executable).with_name("airflow")
    done = subprocess.run([str(airflow), "db", "migrate"], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return env


def python(env: dict[str, str], code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def run_dags(env: dict[str, str], plan: list) -> list[dict]:
    done = subprocess.run(
        [sys.executable, "-m", "tests.dags.run_dag", json.dumps(plan), str(DAGS)],
        env=env, capture_output=True, text=True, timeout=600, cwd=ROOT,
    )  # fmt: skip
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert done.returncode == 0 and lines, (done.stdout[-3000:], done.stderr[-3000:])
    return json.loads(lines[-1][len("RESULT ") :])


def test_every_dag_imports_documented_with_writers_in_the_pool(airflow_env):
    out = python(
        airflow_env,
        "import json\n"
        "from airflow.dag_processing.dagbag import DagBag\n"
        "def schedule(t):\n"
        "    if hasattr(t, 'expression'):\n"
        "        return [type(t).__name__, t.expression, getattr(t.timezone, 'name', str(t.timezone))]\n"
        "    c = t.asset_condition\n"
        "    return [type(t).__name__, type(c).__name__, sorted(a.uri for a in c.objects)]\n"
        "def refused(d, name):\n"
        "    import copy\n"
        "    try:\n"
        "        copy.deepcopy(d.params)[name] = '2021-13-01'\n"
        "    except Exception as exc:\n"
        "        return str(exc).splitlines()[0]\n"
        f"bag = DagBag({str(DAGS)!r})\n"
        "print('JSON', json.dumps({'errors': {k: str(v) for k, v in bag.import_errors.items()},\n"
        "  'dags': {d.dag_id: {'doc': bool(d.doc_md and len(d.doc_md) > 200),\n"
        "   'pools': {t.task_id: t.pool for t in d.tasks},\n"
        "   'teardowns': sorted(t.task_id for t in d.tasks if t.is_teardown),\n"
        "   'retries': {t.task_id: [t.retries, t.retry_exponential_backoff, t.max_retry_delay.total_seconds(),\n"
        "               t.retry_policy.serialize() if t.retry_policy else None] for t in d.tasks},\n"
        "   'outlets': {t.task_id: [f'{type(o).__name__}:{o.name}' for o in t.outlets]\n"
        "               for t in d.tasks if t.outlets},\n"
        "   'schedule': schedule(d.timetable),\n"
        "   'dates': {n: [d.params.get_param(n).schema.get('format'), refused(d, n)] for n in d.params\n"
        "             if n.endswith('since')}} for d in bag.dags.values()}}))\n",
    )
    data = json.loads(next(line for line in out.splitlines() if line.startswith("JSON "))[5:])
    assert data["errors"] == {}
    assert set(data["dags"]) == {"policy_news", "market_prices", "event_study"}
    assert all(d["doc"] for d in data["dags"].values())
    pools = {dag: info["pools"] for dag, info in data["dags"].items()}
    # the crawl writes staging files only, the alert sending a journal: the long Scrapy run and the network
    # time of the deliveries leave the writers' slot to others
    assert pools["policy_news"] == {
        "crawl": "default_pool",
        "load": "policywatch_duckdb",
        "link": "policywatch_duckdb",
        "alert": "default_pool",
        "record_alerts": "policywatch_duckdb",
    }
    # recording runs whatever the sending did, and does not decide the run's state
    assert {dag: info["teardowns"] for dag, info in data["dags"].items()} == {
        "policy_news": ["record_alerts"], "market_prices": [], "event_study": [],
    }  # fmt: skip
    assert pools["market_prices"] == {
        "plan": "policywatch_duckdb",
        "download": "default_pool",
        "load": "policywatch_duckdb",
    }
    assert pools["event_study"] == dict.fromkeys(("events", "study"), "policywatch_duckdb")
    # China time: the crawl four times a day, prices on weekdays after the close; the study on either asset
    assert {dag: info["schedule"] for dag, info in data["dags"].items()} == {
        "policy_news": ["CronTriggerTimetable", "0 8,12,17,21 * * *", "Asia/Shanghai"],
        "market_prices": ["CronTriggerTimetable", "30 16 * * 1-5", "Asia/Shanghai"],
        "event_study": ["AssetTriggeredTimetable", "AssetAny",
                        ["policywatch://warehouse/articles", "policywatch://warehouse/prices"]],
    }  # fmt: skip
    # a date param that is not a date is refused when the run is made, naming the param
    refused = "Invalid input for param {}: '2021-13-01' is not a 'date'"
    assert {dag: info["dates"] for dag, info in data["dags"].items()} == {
        "policy_news": {n: ["date", refused.format(n)] for n in ("since", "alert_since")},
        "market_prices": {"since": ["date", refused.format("since")]},
        "event_study": {},
    }
    # the producers emit those assets through aliases (only when something landed: see the end-to-end test)
    assert {dag: info["outlets"] for dag, info in data["dags"].items()} == {
        "policy_news": {"link": ["AssetAlias:policywatch-articles-landed"]},
        "market_prices": {"load": ["AssetAlias:policywatch-prices-landed"]},
        "event_study": {"study": ["Asset:policywatch://warehouse/study"]},
    }
    # every task retries transient errors (only), with exponential backoff
    policy = python(
        airflow_env,
        "import json\nfrom policywatch.orchestration.airflow import retry_policy\n"
        "print('JSON', json.dumps(retry_policy().serialize()))\n",
    )
    expected = [3, 2.0, 1800.0, json.loads(next(line for line in policy.splitlines() if line.startswith("JSON "))[5:])]
    assert expected[3]["default"] == "fail" and len(expected[3]["rules"]) == 3
    for dag, info in data["dags"].items():
        assert info["retries"] == dict.fromkeys(info["pools"], expected), dag


def test_setup_creates_the_pool_and_checks_the_config(airflow_env, tmp_path):
    exe = Path(sys.executable).with_name("policywatch")
    relative = subprocess.run([str(exe), "airflow", "setup"], env={**airflow_env, "POLICYWATCH_DB": "pw.duckdb"},
                              capture_output=True, text=True, timeout=120, cwd=tmp_path)  # fmt: skip
    assert (
        relative.returncode == 2 and "every path must be absolute" in relative.stderr and "db.path" in relative.stderr
    )
    env = {
        **airflow_env,
        "POLICYWATCH_DB": str(tmp_path / "pw.duckdb"),
        "POLICYWATCH__CRAWL__STAGING_DIR": str(tmp_path / "staging" / "crawl"),
        "POLICYWATCH__PRICES__STAGING_DIR": str(tmp_path / "staging" / "prices"),
        "POLICYWATCH__LINKING__REFERENCE_DIR": str(tmp_path / "reference"),
    }
    done = subprocess.run([str(exe), "airflow", "setup"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "pool policywatch_duckdb: 1 slot(s)" in done.stdout and "24 themes" in done.stdout
    assert "WARNING: no watchlist configured" in done.stdout
    assert re.search(r"trading calendar XSHG: sessions up to \d{4}-\d{2}-\d{2}", done.stdout)
    out = python(
        env, "from airflow.models.pool import Pool\np = Pool.get_pool('policywatch_duckdb')\nprint('POOL', p.slots)"
    )
    assert "POOL 1" in out
    broken = tmp_path / "broken.toml"
    broken.write_text("[alerts]\nwatchlist = 'missing.yaml'\n")
    failed = subprocess.run([str(exe), "--config", str(broken), "airflow", "setup"], env=env, capture_output=True,
                            text=True, timeout=120)  # fmt: skip
    assert failed.returncode == 2 and "cannot read the watchlist" in failed.stderr
    # a channel URL Apprise rejects fails the setup, naming the channel and not its token
    (tmp_path / "w.yaml").write_text(
        'channels:\n  ding:\n    url: "dingtalk://${DING}/"\n'
        "rules:\n  - id: r\n    themes: [robots]\n    channels: [ding]\n",
        encoding="utf-8",
    )
    rejecting = {**env, "DING": "SECRETTOKEN!!", "POLICYWATCH__ALERTS__WATCHLIST": str(tmp_path / "w.yaml")}
    rejected = subprocess.run([str(exe), "airflow", "setup"], env=rejecting, capture_output=True, text=True,
                              timeout=120)  # fmt: skip
    assert rejected.returncode == 2 and "channels.ding.url: channel ding:" in " ".join(rejected.stderr.split())
    assert "SECRETTOKEN" not in rejected.stdout + rejected.stderr
    more = subprocess.run([str(exe), "airflow", "setup", "--slots", "3"], env=env, capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert more.returncode == 2 and "exactly 1 slot, not 3" in " ".join(more.stderr.split())
    assert "POOL 1" in python(
        env, "from airflow.models.pool import Pool\nprint('POOL', Pool.get_pool('policywatch_duckdb').slots)"
    )


def _raised(call) -> BaseException:
    try:
        call()
    except BaseException as exc:
        return exc
    raise AssertionError("expected an exception")


def _read_one_byte(address) -> bytes:
    with socket.create_connection(address, timeout=0.1) as sock:
        return sock.recv(1)


def test_retries_are_for_transient_errors_only(down):
    """Unwrapped network errors, as the libraries really raise them, are retried; bugs and bad input are not."""
    import smtplib

    import requests
    import urllib3
    from airflow.sdk.definitions.retry_policy import RetryAction
    from policywatch.transforms.errors import ConfigError, DatabaseLockedError, FetchError, ParseError

    from policywatch.orchestration.airflow import retry_policy

    closed = down.url()
    with socket.socket() as silent:  # accepts connections (the backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        hangs = f"http://127.0.0.1:{silent.getsockname()[1]}/"
        exceptions = {
            "lock": DatabaseLockedError("locked"),
            "fetch": FetchError("503"),
            "network": ConnectionError("reset"),
            "requests refused": _raised(lambda: requests.get(closed, timeout=5)),
            "requests timeout": _raised(lambda: requests.get(hangs, timeout=0.2)),
            "urllib3 refused": _raised(lambda: urllib3.PoolManager(retries=False).request("GET", closed)),
            "urllib3 retries": _raised(lambda: urllib3.PoolManager(retries=0).request("GET", closed)),
            "socket timeout": _raised(lambda: _read_one_byte(silent.getsockname())),
            "dns": socket.gaierror(socket.EAI_NONAME, "Name or service not known"),
            "smtp": _raised(lambda: smtplib.SMTP().sendmail("a@example.com", ["b@example.com"], "x")),
            "config": ConfigError("bad"),
            "input": ParseError("bad page"),
            "missing file": _raised(Path("/nonexistent/policywatch.toml").read_text),  # an OSError, not the network
            "bug": ValueError("bug"),
        }  # fmt: skip
    assert type(exceptions["requests refused"]).__name__ == "ConnectionError"
    assert not isinstance(exceptions["requests refused"], ConnectionError)  # an OSError, not the builtin
    assert type(exceptions["urllib3 refused"]).__name__ == "NewConnectionError"
    assert type(exceptions["smtp"]).__name__ == "SMTPServerDisconnected"
    policy = retry_policy()
    actions = {name: policy.evaluate(exc, try_number=1, max_tries=4).action for name, exc in exceptions.items()}
    transient = {"lock", "fetch", "network", "requests refused", "requests timeout", "urllib3 refused",
                 "urllib3 retries", "socket timeout", "dns", "smtp"}  # fmt: skip
    assert actions == {name: RetryAction.RETRY if name in transient else RetryAction.FAIL for name in exceptions}


def asset_events(env: dict[str, str]) -> dict[str, int]:
    """How many events each asset got from each DAG, from Airflow's metadata database."""
    out = python(
        env,
        "import json\nfrom sqlalchemy import func, select\n"
        "from airflow.models.asset import AssetEvent, AssetModel\nfrom airflow.utils.session import create_session\n"
        "with create_session() as session:\n"
        "    rows = session.execute(select(AssetModel.uri, AssetEvent.source_dag_id, func.count())\n"
        "        .join(AssetModel, AssetEvent.asset_id == AssetModel.id)\n"
        "        .group_by(AssetModel.uri, AssetEvent.source_dag_id)).all()\n"
        "print('JSON', json.dumps({f'{uri} from {dag}': n for uri, dag, n in rows}))\n",
    )
    return json.loads(next(line for line in out.splitlines() if line.startswith("JSON "))[5:])


def alerts_sent(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT channel, status, attempts, error IS NOT NULL FROM alerts_sent ORDER BY 1").fetchall()
    finally:
        con.close()


def test_daily_pipeline_end_to_end_with_a_channel_down_then_nothing_new(down, airflow_env, tmp_path):
    """The first run: everything lands, email and one webhook get the alert, a second webhook is down (nothing
    listens), so the alert task fails after its retries and record_alerts records the failure. The next run
    sends it, and nothing else again."""
    db = tmp_path / "pw.duckdb"
    with start_replay(SAMPLE_ARTICLES) as replay, smtp_server() as mailbox, webhook_server() as hooks:
        watchlist = tmp_path / "watchlist.yaml"
        watchlist.write_text(
            f'channels:\n  email:\n    url: "{mailbox.url()}"\n  hook:\n    url: "{hooks.url()}"\n'
            f'  second-hook:\n    url: "{down.url("json", "/second")}"\n'
            "rules:\n  - id: standardization-tech\n    standardization_only: true\n    themes: [robots, ai]\n"
            "    channels: [email, hook, second-hook]\n",
            encoding="utf-8",
        )
        env = {
            **airflow_env,
            "POLICYWATCH_DB": str(db),
            "POLICYWATCH__ALERTS__WATCHLIST": str(watchlist),
            "POLICYWATCH__CRAWL__STAGING_DIR": str(tmp_path / "staging" / "crawl"),
            "POLICYWATCH__PRICES__STAGING_DIR": str(tmp_path / "staging" / "prices"),
            "POLICYWATCH__LINKING__REFERENCE_DIR": str(tmp_path / "reference"),
            "POLICYWATCH__CRAWL__DOWNLOAD_DELAY_S": "0",
        }
        news = {"roll_url": replay.roll_url, "zhibo_url": replay.zhibo_url, "rss_feeds": [replay.rss_url],
                "alert_since": "2021-01-01"}  # fmt: skip
        runs = run_dags(
            env,
            [["policy_news", news], ["market_prices", {"provider": "synthetic", "since": "2020-06-01"}],
             ["event_study", {}]],
        )  # fmt: skip
        # a delivery failed: the run is red, though everything else landed
        assert [(r["dag_id"], r["state"]) for r in runs] == [
            ("policy_news", "failed"), ("market_prices", "success"), ("event_study", "success"),
        ]  # fmt: skip
        assert {task: info["state"] for task, info in runs[0]["tasks"].items()} == {
            "crawl": "success", "load": "success", "link": "success", "alert": "failed", "record_alerts": "success",
        }  # fmt: skip
        staged = runs[0]["tasks"]["crawl"]["return"]
        assert len(staged["run_dirs"]) == 1 and staged["job_finished"] and staged["problem"] is None
        # pages staged by the crawl task: the RSS feed's three teasers (items 1, 5, 9); eight come whole in the feed
        assert staged["fetched"] == 3
        loaded = runs[0]["tasks"]["load"]["return"]
        assert loaded["new"] >= 11 and loaded["failed"] == 0 and loaded["requests"] == staged["requests"]
        # alert ran 4 times (3 retries); each retry sent only the failed delivery, each try is an attempt
        assert runs[0]["tasks"]["record_alerts"]["return"] | {"run_id": None} == {
            "run_id": None, "journals": 4, "sent": 2, "failed": 4, "interrupted": 0,
        }  # fmt: skip
        assert alerts_sent(db) == [("email", "sent", 1, False), ("hook", "sent", 1, False),
                                   ("second-hook", "failed", 4, True)]  # fmt: skip
        assert len(mailbox.messages) == 1 and len(hooks.posts) == 1
        message = hooks.posts[0][1]["message"]
        # the outline's measure （三） that names robots, as a measure line (the title alone says it too)
        assert "- （三）加强关键技术领域标准研究 — " in message
        assert "机器人 300024.SZ：主题股" in message  # Sina's link judged a theme stock, not a mention

        con = duckdb.connect(str(db), read_only=True)
        try:
            articles = con.execute("SELECT count(*) FROM articles WHERE origin IN ('crawl', 'rss')").fetchall()[0][0]
            judged = con.execute(
                "SELECT anchor_text, link_class FROM stock_links WHERE code = 'sz300024' AND origin = 'sina_link'"
            ).fetchall()
            sources = con.execute("SELECT DISTINCT source FROM prices").fetchall()
            results = con.execute("SELECT count(*) FROM study_results WHERE value IS NOT NULL").fetchall()[0][0]
            kept = con.execute("SELECT count(*) FROM event_diagnostics WHERE status = 'kept'").fetchall()[0][0]
        finally:
            con.close()
        assert articles >= 11
        assert ("机器人", "theme_stock") in judged
        assert sources == [("synthetic",)]
        assert results > 100 and kept > 100
        # new articles linked and new bars loaded: one event each, which is what schedules event_study
        assert runs[0]["tasks"]["link"]["return"]["asset_event"] is True
        assert runs[1]["tasks"]["load"]["return"]["asset_event"] is True
        landed = {
            "policywatch://warehouse/articles from policy_news": 1,
            "policywatch://warehouse/prices from market_prices": 1,
            "policywatch://warehouse/study from event_study": 1,
        }
        assert asset_events(env) == landed

        with webhook_server(port=down) as second:  # the second webhook is back
            again = run_dags(env, [["policy_news", news]])
            assert again[0]["state"] == "success"
            assert again[0]["tasks"]["load"]["return"]["new"] == 0
            assert again[0]["tasks"]["crawl"]["return"]["fetched"] == 0
            sent = again[0]["tasks"]["alert"]["return"]
            assert (sent["sent"], sent["already_sent"], sent["failed"]) == (1, 2, 0)
            assert len(second.posts) == 1 and second.posts[0][0] == "/second"
            assert second.posts[0][1]["message"] == message
        assert len(mailbox.messages) == 1 and len(hooks.posts) == 1  # nothing sent twice
        assert alerts_sent(db) == [("email", "sent", 1, False), ("hook", "sent", 1, False),
                                   ("second-hook", "sent", 5, False)]  # fmt: skip
        # nothing new landed: no articles event, so event_study is not run again for nothing
        assert again[0]["tasks"]["link"]["return"]["linked"] == 0
        assert again[0]["tasks"]["link"]["return"]["asset_event"] is False
        assert asset_events(env) == landed
