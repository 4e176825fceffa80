"""Loading a job whose crawler was killed in the middle of a record, then resumed: the cut record is reported
as a failed item (and its article asked for again), and the record written after it is loaded."""

from __future__ import annotations

from policywatch.crawlers.sina.staging import StagingWriter
from policywatch.warehouse.runs import start_run
from policywatch.warehouse.store import open_writer

from policywatch.steps.crawl.load import load_run_dir
from policywatch.steps.crawl.records import Tally
from tests.crawlers.test_staging import PAGE_URL, staged

NEXT_URL = "https://finance.sina.com.cn/b/doc-ibbbbbbb2222222.shtml"


def test_a_cut_record_is_a_failed_item_and_the_next_record_is_loaded(tmp_path):
    run_dir = tmp_path / "run"
    staged(run_dir, f'{{"kind": "page", "url": "{PAGE_URL}", "key": "ktzscyx9453213", "source": "ro')
    con = open_writer(tmp_path / "pw.duckdb")
    try:
        tally = Tally()
        first = start_run(con, "crawl")
        load_run_dir(con, run_dir, run_id=first, tally=tally, batch_size=10)  # the job is not over: it resumes
        assert (tally.listed, tally.skipped, tally.failed) == (2, [], [])

        writer = StagingWriter(run_dir, "items-sina_roll")  # the job resumes
        writer.write({"kind": "listing", "url": NEXT_URL, "key": "bbbbbbb2222222", "state": "new"})
        writer.close()
        second = start_run(con, "crawl")
        load_run_dir(con, run_dir, run_id=second, tally=tally, batch_size=10, final=True)

        assert tally.listed == 3  # the record written after the cut one
        assert [(s.item, s.reason) for s in tally.failed] == [(PAGE_URL, "staging_cut")]
        assert con.execute("SELECT item, reason FROM skips").fetchall() == [(PAGE_URL, "staging_cut")]
        # the article is asked for again by the next crawl
        assert con.execute("SELECT item_key, state FROM crawl_fetches").fetchall() == [("ktzscyx9453213", "failed")]
    finally:
        con.close()


def test_a_cut_last_line_of_a_job_that_never_resumes_is_reported_when_it_is_closed(tmp_path):
    run_dir = tmp_path / "run"
    staged(run_dir, '{"kind": "listing", "url": "https://finance.sina.com.cn/e/doc-ieeeeee')
    con = open_writer(tmp_path / "pw.duckdb")
    try:
        tally = Tally()
        load_run_dir(con, run_dir, run_id=start_run(con, "crawl"), tally=tally, batch_size=10, final=True)
    finally:
        con.close()
    assert tally.listed == 2
    assert [(s.item, s.reason) for s in tally.failed] == [("run/items-sina_roll.jsonl:3", "staging_cut")]
