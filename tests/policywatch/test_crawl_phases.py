"""The crawl in two phases: the crawl phase only reads the database (briefly) and writes staging files; the load
phase is the one writer. Real Scrapy against the local replay, a real DuckDB file, a real second process."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from crawlers.replay.server import start_replay
from policywatch.steps.crawl import crawl_to_staging, load_staged, run_crawl
from tests.conftest import SAMPLES
from tests.policywatch.test_crawl import make_settings, query
from transforms.errors import DatabaseLockedError

pytestmark = pytest.mark.slow

#: holds the DuckDB write lock until its stdin closes, as a long-running writer in another task would
HOLDER = (
    "import sys, duckdb; con = duckdb.connect(sys.argv[1]); con.execute('CREATE TABLE IF NOT EXISTS held (x INT)');"
    "print('held', flush=True); sys.stdin.read(); con.close()"
)


def test_the_crawl_phase_writes_no_database_and_the_load_phase_stores_it(tmp_path):
    with start_replay(SAMPLES, seed=1) as replay:
        settings = make_settings(tmp_path, zhibo_url=replay.zhibo_url)
        staged = crawl_to_staging(settings, roll_url=replay.roll_url)
    assert not settings.db.path.exists()  # a first crawl: nothing read, nothing created
    assert staged.problem is None and staged.job_finished and len(staged.run_dirs) == 1
    assert staged.fetched == 11  # the 11 sample articles, fetched once each
    summary = load_staged(settings, staged)
    assert (summary.new, summary.fetched, summary.zhibo_items, summary.requests) == (22, 11, 11, staged.requests)
    (run,) = query(settings, "SELECT command, status FROM runs")
    assert run == ("crawl", "ok")
    assert load_staged(settings).new == 0  # nothing left to load: loading twice stores nothing twice


def test_the_crawl_phase_waits_for_a_writer_then_fails_as_transient(tmp_path):
    with start_replay(SAMPLES, seed=1) as replay:
        settings = make_settings(tmp_path)
        run_crawl(settings, roll_url=replay.roll_url)  # a database to read
        db = settings.db.path
        locked = settings.model_copy(update={"db": settings.db.model_copy(update={"lock_timeout_s": 0.5})})
        with subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        ) as holder:
            assert holder.stdout.readline().strip() == "held"
            started = time.monotonic()
            with pytest.raises(DatabaseLockedError):
                crawl_to_staging(locked, roll_url=replay.roll_url)
            assert time.monotonic() - started >= 0.5  # it waited for the lock before giving up
            holder.stdin.close()
        runs = list((tmp_path / "staging" / "runs").iterdir())
        assert len(runs) == 1  # no job was started without knowing what is stored
        again = crawl_to_staging(locked, roll_url=replay.roll_url)  # the retry, once the writer is done
    assert again.problem is None and again.fetched == 0
