"""The crawl in two phases: the crawl phase only reads the database (briefly) and writes staging files; the load
phase is the one writer. Real Scrapy against the local replay, a real DuckDB file, a real second process."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest
from policywatch.crawlers.replay.server import start_replay
from policywatch.crawlers.sina.spec import CrawlSpec
from policywatch.transforms.errors import DatabaseLockedError
from policywatch.warehouse.crawl_state import (
    FetchOutcome,
    known_item_keys,
    known_zhibo_ids,
    record_fetches,
    retry_candidates,
)
from policywatch.warehouse.store import open_reader, open_writer

from policywatch.steps.crawl.run import crawl_to_staging, load_staged, run_crawl
from tests.conftest import SAMPLES, query
from tests.policywatch.test_crawl import make_settings

pytestmark = pytest.mark.integration

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


def _seed_old_fetches(settings, count: int) -> set[str]:
    """Articles stored long ago (2019), as years of crawling leave them."""
    keys = {f"iold{n:07d}" for n in range(count)}
    con = duckdb.connect(str(settings.db.path))
    try:
        old = datetime(2019, 3, 1, tzinfo=UTC)
        con.executemany(
            "INSERT INTO crawl_fetches VALUES (?, ?, 'stored', NULL, NULL, NULL, 1, 0, ?, 'r0', ?)",
            [[key, f"https://finance.sina.com.cn/china/2019-03-01/doc-{key}.shtml", old, old] for key in keys],
        )
    finally:
        con.close()
    return keys


def test_a_job_is_told_only_the_stored_articles_and_7x24_items_it_can_meet(tmp_path):
    with start_replay(SAMPLES, seed=1) as replay:
        settings = make_settings(tmp_path, zhibo_url=replay.zhibo_url)
        run_crawl(settings, roll_url=replay.roll_url)
        old = _seed_old_fetches(settings, 400)
        small = settings.model_copy(
            update={"crawl": settings.crawl.model_copy(update={"zhibo_pages": 1, "zhibo_page_size": 4})}
        )
        staged = crawl_to_staging(small, roll_url=replay.roll_url)
        spec = CrawlSpec.read(Path(staged.run_dirs[0]) / "spec.json")
        # the 11 pages just crawled, from the replay's own catalogue; none of the 2019 articles
        assert set(spec.known_keys) == {a.publishid for a in replay.articles}
        # the feed is read from its newest item down: the 4 newest stored ids are all 4 items can meet
        newest = 4_000_000 + len(replay.articles)
        assert set(spec.known_zhibo_ids) == {newest, newest - 1, newest - 2, newest - 3}
        load_staged(small, staged)
        backfill = crawl_to_staging(small, roll_url=replay.roll_url, since=date(2019, 3, 1))
        spec = CrawlSpec.read(Path(backfill.run_dirs[0]) / "spec.json")
    assert old <= set(spec.known_keys)  # paging back to 2019 can meet them


def test_loaded_job_folders_are_pruned_after_keep_runs_days_but_the_newest_are_kept(tmp_path):
    settings = make_settings(tmp_path, keep_runs_days=7, keep_runs=2)
    runs = tmp_path / "staging" / "runs"
    now = time.time()
    ages = {"a-33d": 33, "b-31d": 31, "c-30d": 30, "d-8d": 8, "e-now": 0}
    for name, days in ages.items():
        (runs / name).mkdir(parents=True)
        (runs / name / "items-sina_roll.jsonl").write_text("{}\n")
        marker = runs / name / "loaded"
        marker.write_text("r")
        os.utime(marker, (now - days * 86400, now - days * 86400))
    (runs / "f-pending").mkdir()  # not loaded yet (a job without a spec is removed as never begun)
    CrawlSpec(str(runs / "f-pending"), "http://x/", [], 1, 1, [], "", "", "").write()
    (runs / "f-pending" / "closed-sina_roll.json").write_text('{"reason": "closespider_pagecount"}')
    load_staged(settings)
    # the two newest loaded folders stay whatever their age; older than 7 days go; pending ones always stay
    assert sorted(p.name for p in runs.iterdir()) == ["d-8d", "e-now", "f-pending"]


def test_what_is_known_reads_from_a_database_older_than_the_crawl_tables(tmp_path):
    # the crawl phase only reads: it must cope with a schema no writer has brought up to date yet
    old = tmp_path / "old.duckdb"
    con = duckdb.connect(str(old))
    con.execute(
        "CREATE TABLE articles (article_id VARCHAR, id_source VARCHAR, published_at TIMESTAMPTZ, template VARCHAR)"
    )
    con.execute(
        "INSERT INTO articles VALUES ('ktzscyx9453213', 'publishid', NULL, 'modern'), ('h1', 'hash', NULL, 'x')"
    )
    con.close()
    con = open_reader(old)
    try:
        assert known_item_keys(con, retry_runs=3) == {"ktzscyx9453213"}
        assert (known_zhibo_ids(con), retry_candidates(con, retry_runs=3)) == (set(), [])
    finally:
        con.close()
    # crawl tables without crawl_rejects: a refused page stays known, as it did then
    before = tmp_path / "before.duckdb"
    con = open_writer(before)
    record_fetches(con, "r", [FetchOutcome("abcdefg1234567", "https://x/doc-iabcdefg1234567.shtml", "unusable")])
    con.execute("DROP TABLE crawl_rejects")
    con.close()
    con = open_reader(before)
    try:
        assert known_item_keys(con, retry_runs=3) == {"abcdefg1234567"}
    finally:
        con.close()
