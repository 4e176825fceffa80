"""The 7x24 feed in a live crawl: a flash is an article of its own, whatever page its ``docurl`` names, and a
feed read that stops at its page limit before reaching a stored item says so."""

from __future__ import annotations

import json
import shutil
import zlib
from datetime import datetime
from pathlib import Path

import pytest
from policywatch.crawlers.replay.server import start_replay
from policywatch.transforms.models import CHINA_TZ
from policywatch.transforms.sina.article import parse_archive_post
from policywatch.transforms.sina.feeds import ZhiboItem
from policywatch.transforms.sina.zhibo import zhibo_article
from policywatch.warehouse.articles import ArticleRecord, load_articles
from policywatch.warehouse.crawl_state import FetchOutcome, known_item_keys, record_fetches
from policywatch.warehouse.store import open_writer

from policywatch.steps.crawl.run import run_crawl
from tests.conftest import SAMPLES, query
from tests.crawlers.http_get import get
from tests.policywatch.test_crawl import make_settings, posts


@pytest.mark.integration
def test_a_flash_linking_its_article_neither_replaces_it_nor_hides_it(tmp_path):
    with start_replay(SAMPLES, seed=1, zhibo_docurl="article") as replay:
        settings = make_settings(tmp_path, zhibo_url=replay.zhibo_url)
        first = run_crawl(settings, roll_url=replay.roll_url)
        # flashes alone first: the articles they link must still be fetched afterwards
        fresh = make_settings(tmp_path / "zhibo-first", zhibo_url=replay.zhibo_url)
        run_crawl(fresh, roll_url=replay.roll_url, channels=["999:1"])  # an empty roll channel
        later = run_crawl(fresh, roll_url=replay.roll_url)
        ids = {4_000_000 + len(replay.articles) - i for i in range(len(replay.articles))}  # the replay's item ids
    assert first.new == 22 and first.updated == 0
    for db in (settings, fresh):
        rows = query(db, "SELECT origin, article_id, url, title, text FROM articles")
        flashes = [r for r in rows if r[0] == "zhibo"]
        assert {r[1] for r in flashes} == {f"zhibo{i}" for i in ids}
        assert {r[2] for r in flashes} == {r[2] for r in rows if r[0] == "crawl"}  # the link to the article is kept
        pages = {r[3]: r[4] for r in rows if r[0] == "crawl"}
        assert set(pages) == set(posts())
        for title, path in posts().items():
            assert pages[title] == parse_archive_post(path.read_bytes()).text  # the page's text, not the flash's
    assert later.fetched == 11 and later.new == 11


def test_a_flash_stored_under_its_articles_publishid_earlier_does_not_hide_that_article(tmp_path):
    # what earlier versions stored: the flash under the publishid its docurl named
    page = "https://finance.sina.com.cn/china/gncj/2021-10-10/doc-iktzscyx9453213.shtml"
    text = "【国家标准化发展纲要印发】中共中央、国务院印发纲要。"
    flash = ZhiboItem(4973888, text, datetime.now(CHINA_TZ), (), (), page)
    article = zhibo_article(flash)
    assert (article.article_id, article.id_source) == ("ktzscyx9453213", "publishid")
    con = open_writer(tmp_path / "pw.duckdb")
    try:
        load_articles(con, [ArticleRecord(article, b"{}", "json", "zhibo", "zhibo:4973888")], run_id="r1")
        assert "ktzscyx9453213" not in known_item_keys(con, retry_runs=3)
    finally:
        con.close()


def _store_flashes(settings, ids: list[int]) -> None:
    """7x24 items stored by an earlier crawl."""
    con = open_writer(settings.db.path)
    try:
        outcomes = [FetchOutcome(f"zhibo:{i}", "https://zhibo.sina.com.cn/api/zhibo/feed", "stored") for i in ids]
        record_fetches(con, "earlier", outcomes)
    finally:
        con.close()


@pytest.mark.integration
def test_a_7x24_read_that_stops_at_its_page_limit_before_a_stored_item_records_a_gap(tmp_path):
    with start_replay(SAMPLES, seed=1) as replay:
        ids = sorted(4_000_000 + len(replay.articles) - i for i in range(len(replay.articles)))  # oldest first
        short = make_settings(tmp_path / "short", zhibo_url=replay.zhibo_url, zhibo_pages=2, zhibo_page_size=3)
        _store_flashes(short, ids[:2])  # the two oldest: the feed's 9 newer items came since
        gap = run_crawl(short, roll_url=replay.roll_url, channels=["999:1"])  # an empty roll channel
        enough = make_settings(tmp_path / "enough", zhibo_url=replay.zhibo_url, zhibo_pages=4, zhibo_page_size=3)
        _store_flashes(enough, ids[:2])
        whole = run_crawl(enough, roll_url=replay.roll_url, channels=["999:1"])
        first = make_settings(tmp_path / "first", zhibo_url=replay.zhibo_url, zhibo_pages=1, zhibo_page_size=3)
        first_crawl = run_crawl(first, roll_url=replay.roll_url, channels=["999:1"])
    # 2 pages of 3: the six newest items read, the three between them and the stored ones never
    assert gap.zhibo_items == 6 and gap.status == "partial"
    (skip,) = gap.skipped
    assert skip.reason == "gap"
    assert f"between ids {ids[1]} and {ids[5]} were not read" in skip.message
    assert query(short, "SELECT reason FROM skips JOIN runs USING (run_id)") == [("gap",)]
    # 4 pages reach the stored items: no gap; a first crawl has nothing to be continuous with
    assert (whole.zhibo_items, whole.skipped, whole.status) == (9, (), "ok")
    assert (first_crawl.zhibo_items, first_crawl.skipped, first_crawl.status) == (3, (), "ok")


def _eight_posts(tmp_path) -> Path:
    """Eight of the sample posts: the replay's 7x24 ids are then 4000001 (oldest) … 4000008 (newest)."""
    folder = tmp_path / "posts"
    folder.mkdir()
    for path in sorted(SAMPLES.glob("[0-9]*.md"))[:8]:
        shutil.copy(path, folder / path.name)
    return folder


def _flash_ids(settings) -> set[int]:
    return {int(r[0].removeprefix("zhibo")) for r in query(settings, "SELECT article_id FROM articles")}


@pytest.mark.integration
@pytest.mark.parametrize(("broken", "reason"), [("malformed", "malformed_zhibo"), (500, "http_500")])
def test_a_7x24_page_that_cannot_be_read_is_a_gap_the_next_run_reads(tmp_path, broken, reason):
    # 6 items, 2 a page; page 2 (4000004, 4000003) answers badly in the first run only
    with start_replay(_eight_posts(tmp_path), seed=1, zhibo_hidden=2, zhibo_broken={2: broken}) as replay:
        settings = make_settings(tmp_path, zhibo_url=replay.zhibo_url, zhibo_page_size=2, retry_times=1)
        first = run_crawl(settings, roll_url=replay.roll_url, channels=["999:1"])  # an empty roll channel
        after_first = _flash_ids(settings)
        replay.break_zhibo_page(2, None)
        replay.publish_zhibo(2)  # 4000007 and 4000008 come on top
        second = run_crawl(settings, roll_url=replay.roll_url, channels=["999:1"])
        third = run_crawl(settings, roll_url=replay.roll_url, channels=["999:1"])
    # the first run reads past the page it lost, and says which ids it could not read
    assert after_first == {4_000_001, 4_000_002, 4_000_005, 4_000_006}
    assert first.status == "partial"
    assert [(s.reason, "zhibo" in s.item) for s in first.failed] == [(reason, True)]
    (gap,) = first.skipped
    assert gap.reason == "gap" and "between ids 4000002 and 4000005 were not read" in gap.message
    # the next run reads down past the stored items to the gap, and then nothing is missing
    assert _flash_ids(settings) == set(range(4_000_001, 4_000_009))
    assert (second.zhibo_items, second.skipped, second.failed, second.status) == (4, (), (), "ok")
    assert query(settings, "SELECT count(*) FROM crawl_zhibo_gaps") == [(0,)]
    assert (third.zhibo_items, third.status) == (0, "ok")


@pytest.mark.integration
def test_a_flash_is_kept_as_sina_sent_it_and_tags_that_are_not_a_shares_are_reported(tmp_path):
    with start_replay(SAMPLES, seed=1) as replay:
        settings = make_settings(tmp_path, zhibo_url=replay.zhibo_url, zhibo_page_size=50)
        summary = run_crawl(settings, roll_url=replay.roll_url, channels=["999:1"])  # an empty roll channel
        answer = get(f"{replay.zhibo_url}&page=1&page_size=50")[2]  # the feed page the crawler read
    (raw,) = query(settings, "SELECT r.raw FROM article_raw r WHERE article_id = 'zhibo4000010'")
    stored = zlib.decompress(raw[0])
    kept = json.loads(stored)
    item = stored[stored.index(b'"item": ') + len(b'"item": ') : -1]
    assert item in answer  # the item's bytes exactly as in Sina's answer
    assert kept["url"].startswith(replay.zhibo_url.split("?")[0]) and kept["fetched_at"]
    # what the parser does not use is kept too: the update time, the tags' ids, every key of ext
    assert {"update_time", "zhibo_id", "is_delete"} <= set(kept["item"])
    assert kept["item"]["tag"][0] == {"id": "1", "name": "宏观"}
    assert {"needPush", "docid"} <= set(json.loads(kept["item"]["ext"]))
    # the stored bytes parse again (a parser fix re-derives everything from them)
    from policywatch.steps.reparse import parse_stored

    again = parse_stored(stored, "json", {})
    text = query(settings, "SELECT text, fetched_at FROM articles WHERE article_id = 'zhibo4000010'")[0]
    assert again.text == text[0] and again.fetched_at == text[1]
    # items 4000005 and 4000010 carry Tencent's HK tag: not a link, but said
    assert summary.zhibo_tags_ignored == {"hk:00700": 2}
    counts = json.loads(query(settings, "SELECT counts FROM runs")[0][0])
    assert (counts["zhibo_tags_ignored"], counts["zhibo_tags_ignored_by_tag"]) == (2, {"hk:00700": 2})
