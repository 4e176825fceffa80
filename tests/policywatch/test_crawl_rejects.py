"""Pages the parser refuses are kept whole: fetched again once the parser version changes, and parsed again
from their stored bytes by ``reparse_rejects``. Real Scrapy against the replay, a real DuckDB file."""

from __future__ import annotations

import hashlib
import json
import zlib
from datetime import UTC, datetime

import pytest
from policywatch.crawlers.replay.server import start_replay
from policywatch.transforms.models import PARSER_VERSION
from policywatch.transforms.sina.article import parse_archive_post
from policywatch.warehouse.crawl_rejects import Reject, record_rejects
from policywatch.warehouse.crawl_state import FetchOutcome, record_fetches
from policywatch.warehouse.store import open_writer

from policywatch.steps.crawl.rejects import reparse_rejects
from policywatch.steps.crawl.run import run_crawl
from tests.conftest import SAMPLES, query
from tests.crawlers.http_get import get
from tests.policywatch.test_crawl import make_settings, posts

pytestmark = pytest.mark.integration
EARLIER = "2020.1.1"  #: a parser version before this one


def modern_articles(replay):
    return [a for a in replay.articles if a.template == "modern"]


def test_a_refused_page_is_kept_and_fetched_again_only_by_a_newer_parser(tmp_path):
    with start_replay(SAMPLES, seed=1) as probe:
        redesigned = modern_articles(probe)[0]
    with start_replay(SAMPLES, seed=1, redesigned=[redesigned.path]) as replay:
        url = replay.url_of(redesigned)
        served = get(url)[2]  # what Sina answers: the article, in a template the parser does not know
        settings = make_settings(tmp_path)
        first = run_crawl(settings, roll_url=replay.roll_url)
        second = run_crawl(settings, roll_url=replay.roll_url)
        asked_twice = replay.article_requests()[redesigned.path] - 1  # the crawler's requests, not ours
        # as if an earlier parser had refused it: a crawl with this parser asks for the page again
        con = open_writer(settings.db.path)
        con.execute("UPDATE crawl_rejects SET parser_version = ?", [EARLIER])
        con.close()
        third = run_crawl(settings, roll_url=replay.roll_url)
        asked_thrice = replay.article_requests()[redesigned.path] - 1

    assert [(s.item, s.reason) for s in first.skipped] == [(url, "no_body")]
    (row,) = query(
        settings,
        "SELECT url, publishid, raw_format, reason, compression, raw, raw_size, raw_sha256, http_charset,"
        " parser_version, fetched_at IS NOT NULL, resolved_at FROM crawl_rejects",
    )
    assert row[:5] == (url, redesigned.publishid, "html", "no_body", "zlib")
    assert zlib.decompress(row[5]) == served and row[6] == len(served)
    assert row[7] == hashlib.sha256(served).hexdigest()
    assert row[8:] == ("utf-8", PARSER_VERSION, True, None)
    assert query(settings, "SELECT state FROM crawl_fetches WHERE item_key = ?", [redesigned.publishid]) == [
        ("unusable",)
    ]
    assert (second.fetched, second.skipped, asked_twice) == (0, (), 1)  # this parser refused it: not again
    assert (third.fetched, asked_thrice) == (1, 2)
    assert [s.reason for s in third.skipped] == ["no_body"]  # still refused, now by this parser
    assert query(settings, "SELECT parser_version FROM crawl_rejects") == [(PARSER_VERSION,)]


def _page_reject(article, url: str, body: bytes, reason: str, at: datetime) -> Reject:
    record = {"kind": "page", "url": url, "key": article.publishid, "source": "roll:155:1686",
              "http_charset": "utf-8", "fetched_at": at.isoformat(), "attempts": 1}  # fmt: skip
    return Reject(
        article.publishid, url, "html", body, reason, "refused", EARLIER, "roll:155:1686", "utf-8", record, at
    )


def _rss_reject(article, at: datetime) -> Reject:
    feed, key = "https://rsshub.example/sina/finance/china/1686", f"rss:{article.publishid}"
    record = {"kind": "rss", "feed": feed, "url": key, "key": key, "title": article.title,
              "published": at.isoformat(), "fetched_at": at.isoformat()}  # fmt: skip
    return Reject(key, key, "fragment", article.body_html.encode(), "no_title", "refused", EARLIER, None, None, record)


def _zhibo_reject(title: str, at: datetime) -> Reject:
    feed = "https://zhibo.sina.com.cn/api/zhibo/feed"
    flash = {"id": 4973888, "url": feed, "rich_text": f"【{title}】", "created_at": at.isoformat(), "tags": [],
             "stocks": [["cn", "sz300024", "机器人"]], "docurl": None}  # fmt: skip
    raw = json.dumps(flash, ensure_ascii=False).encode()
    return Reject("zhibo:4973888", feed, "json", raw, "empty_body", "refused", EARLIER, "zhibo", None, flash)


def test_reparse_stores_what_parses_now_and_keeps_what_is_still_refused(tmp_path):
    with start_replay(SAMPLES, seed=1) as probe:
        good, redesigned, rss_item = modern_articles(probe)[1:4]
    with start_replay(SAMPLES, seed=1, redesigned=[redesigned.path]) as replay:
        pages = {a.publishid: (replay.url_of(a), get(replay.url_of(a))[2]) for a in (good, redesigned)}
    settings = make_settings(tmp_path)
    at = datetime(2026, 11, 2, 3, 4, 5, tzinfo=UTC)
    rejects = [
        _page_reject(good, *pages[good.publishid], "truncated", at),  # a truncation check that misfired
        _page_reject(redesigned, *pages[redesigned.publishid], "no_body", at),  # still beyond this parser
        _rss_reject(rss_item, at),
        _zhibo_reject(good.title, at),
    ]
    con = open_writer(settings.db.path)
    try:  # what an earlier parser left
        record_rejects(con, "earlier", rejects)
        record_fetches(con, "earlier", [FetchOutcome(r.item_key, r.url, "unusable", None, r.reason) for r in rejects])
    finally:
        con.close()

    summary = reparse_rejects(settings)
    assert (summary.tried, summary.new, summary.stored) == (4, 3, 3)
    assert [(s.item, s.reason) for s in summary.refused] == [(pages[redesigned.publishid][0], "no_body")]
    articles = query(settings, "SELECT origin, article_id, title FROM articles ORDER BY origin")
    assert [(origin, title) for origin, _, title in articles] == [
        ("crawl", good.title), ("rss", rss_item.title), ("zhibo", good.title)
    ]  # fmt: skip
    assert [article_id for _, article_id, _ in articles][::2] == [good.publishid, "zhibo4973888"]
    text = query(settings, "SELECT text FROM articles WHERE article_id = ?", [good.publishid])[0][0]
    assert text == parse_archive_post(posts()[good.title].read_bytes()).text
    (raw,) = query(settings, "SELECT raw FROM article_raw WHERE article_id = ?", [good.publishid])
    assert zlib.decompress(raw[0]) == pages[good.publishid][1]  # the page's own bytes, not fetched again
    tags = query(settings, "SELECT code FROM stock_links WHERE article_id = 'zhibo4973888' AND origin = 'zhibo_tag'")
    assert tags == [("sz300024",)]
    fetches = dict(query(settings, "SELECT item_key, state FROM crawl_fetches"))
    assert fetches == {
        good.publishid: "stored", redesigned.publishid: "unusable", f"rss:{rss_item.publishid}": "stored",
        "zhibo:4973888": "stored",
    }  # fmt: skip
    still = query(settings, "SELECT item_key, parser_version FROM crawl_rejects WHERE resolved_at IS NULL")
    assert still == [(redesigned.publishid, PARSER_VERSION)]
    resolved = query(settings, "SELECT resolved_article_id FROM crawl_rejects WHERE item_key = ?", [good.publishid])
    assert resolved == [(good.publishid,)]
    assert query(settings, "SELECT command, status FROM runs") == [("reparse rejects", "partial")]

    assert reparse_rejects(settings).tried == 0  # this parser has seen them all
    everything = reparse_rejects(settings, everything=True)
    assert (everything.tried, everything.stored, len(everything.refused)) == (1, 0, 1)


def test_the_reparse_command_also_parses_the_kept_rejects(tmp_path):
    from typer.testing import CliRunner

    from policywatch.cli import app

    with start_replay(SAMPLES, seed=1) as probe:
        good, redesigned = modern_articles(probe)[1:3]
    with start_replay(SAMPLES, seed=1, redesigned=[redesigned.path]) as replay:
        pages = {a.publishid: (replay.url_of(a), get(replay.url_of(a))[2]) for a in (good, redesigned)}
    settings = make_settings(tmp_path)
    at = datetime(2026, 11, 2, 3, 4, 5, tzinfo=UTC)
    con = open_writer(settings.db.path)
    try:
        record_rejects(con, "earlier", [
            _page_reject(good, *pages[good.publishid], "truncated", at),
            _page_reject(redesigned, *pages[redesigned.publishid], "no_body", at),
        ])  # fmt: skip
    finally:
        con.close()
    cli = CliRunner()
    only_named = cli.invoke(app, ["--db", str(settings.db.path), "reparse", "nope"])
    assert only_named.exit_code == 1 and "kept rejects" not in only_named.stdout  # named articles only
    result = cli.invoke(app, ["--db", str(settings.db.path), "reparse"])
    assert result.exit_code == 1, result.output
    assert "2 kept rejects parsed again" in result.stdout and "1 new" in result.stdout
    assert "still refused" in result.stderr and pages[redesigned.publishid][0] in result.stderr
    assert query(settings, "SELECT article_id FROM articles") == [(good.publishid,)]
    again = cli.invoke(app, ["--db", str(settings.db.path), "reparse"])
    assert again.exit_code == 0 and "0 kept rejects parsed again" in again.stdout
    everything = cli.invoke(app, ["--db", str(settings.db.path), "reparse", "--all"])
    assert everything.exit_code == 1 and "1 kept rejects parsed again" in everything.stdout
