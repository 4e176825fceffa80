"""RSS items in a live crawl: a description that looks whole but that the parser refuses is not a dead end. With
a link, the item's page is fetched instead; without one, the refusal is recorded once, not every run."""

from __future__ import annotations

import json
import zlib

import pytest
from policywatch.crawlers.replay.server import start_replay

from policywatch.steps.crawl.load import unfinished_articles
from policywatch.steps.crawl.run import run_crawl
from tests.conftest import SAMPLES, query
from tests.policywatch.test_crawl import make_settings, posts


@pytest.mark.integration
def test_a_refused_full_description_falls_back_to_the_page_or_is_recorded_once(tmp_path):
    with start_replay(SAMPLES, seed=1) as probe:
        first_item, third_item = probe.articles[0], probe.articles[2]  # whole descriptions (every 4th is a teaser)
    # both come without a title, which the parser needs; the third also without a link
    options = {"rss_untitled": [first_item.path, third_item.path], "rss_unlinked": [third_item.path]}
    with start_replay(SAMPLES, seed=1, **options) as replay:
        settings = make_settings(tmp_path, rss_feeds=[replay.rss_url], channels=["999:1"])  # an empty roll channel
        first = run_crawl(settings, roll_url=replay.roll_url)
        second = run_crawl(settings, roll_url=replay.roll_url)
        asked = replay.article_requests()
    # the untitled item's page was fetched (once, across both runs) and stored from the page, with its title
    assert asked[first_item.path] == 1
    stored = dict(query(settings, "SELECT title, origin FROM articles"))
    assert stored[first_item.title] == "crawl"
    assert third_item.title not in stored and len(stored) == len(posts()) - 1
    # the item without a link could only be refused: once, with the parser's reason, and then known
    assert [(s.item, s.reason) for s in first.skipped] == [(f"rss:urn:replay:{third_item.publishid}", "no_title")]
    assert (second.skipped, second.failed, second.fetched, second.status) == ((), (), 0, "ok")
    # its description is kept for a later parser
    ((raw_format, reason, raw),) = query(settings, "SELECT raw_format, reason, raw FROM crawl_rejects")
    assert (raw_format, reason) == ("fragment", "no_title")
    assert zlib.decompress(raw).decode() == third_item.body_html.strip()  # as the feed carries it


def test_a_teasers_page_the_job_never_fetched_is_an_unfinished_article(tmp_path):
    page = "https://finance.sina.com.cn/china/gncj/2021-10-10/doc-iktzscyx9453213.shtml"
    rss = {"kind": "rss", "url": page, "key": "ktzscyx9453213", "state": "teaser"}
    listing = {"kind": "listing", "url": page, "key": "ktzscyx9453213", "state": "new", "source": "rss:feed"}
    (tmp_path / "rss.jsonl").write_text(json.dumps(rss) + "\n")
    (tmp_path / "items-sina_roll.jsonl").write_text(json.dumps(listing) + "\n")
    assert unfinished_articles(tmp_path) == [("ktzscyx9453213", page)]  # failed as interrupted, retried later
    page_record = {"kind": "page", "url": page, "key": "ktzscyx9453213", "file": "x.html"}
    with (tmp_path / "items-sina_roll.jsonl").open("a") as handle:
        handle.write(json.dumps(page_record) + "\n")
    assert unfinished_articles(tmp_path) == []
