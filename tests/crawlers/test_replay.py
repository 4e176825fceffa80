"""The replay answers in Sina's shapes, with seeded, reproducible faults."""

from __future__ import annotations

import http.client
import json
from collections import Counter
from urllib.parse import urlsplit

import pytest
from policywatch.crawlers.replay.faults import FaultPlan
from policywatch.crawlers.replay.server import start_replay
from policywatch.transforms.sina.article import parse_archive_post, parse_sina_page
from policywatch.transforms.sina.feeds import parse_roll_answer, parse_zhibo_answer
from policywatch.transforms.sina.hexo import parse_rfc2822, split_front_matter

from tests.conftest import SAMPLES, sample_path
from tests.crawlers.http_get import get


@pytest.fixture(scope="module")
def replay():
    with start_replay(SAMPLES, seed=3) as handle:
        yield handle


def all_roll_items(replay, **params):
    items = []
    for pageid, lid in ((155, 1686), (155, 1687), (155, 1689), (384, 2519)):
        page = 1
        while True:
            query = "&".join(
                f"{k}={v}" for k, v in {"pageid": pageid, "lid": lid, "num": 2, "page": page, **params}.items()
            )
            status, _, body = get(f"{replay.roll_url}?{query}")
            assert status == 200
            parsed = parse_roll_answer(body)
            if not parsed.items:
                break
            items.extend(parsed.items)
            page += 1
    return items


@pytest.mark.integration
def test_the_roll_api_lists_every_article_once_with_string_times(replay):
    pageid, lid = replay.articles[0].channel
    status, _, body = get(f"{replay.roll_url}?pageid={pageid}&lid={lid}&num=50&page=1")
    assert status == 200
    raw = json.loads(body)["result"]
    assert raw["status"]["code"] == 0
    first = raw["data"][0]
    assert isinstance(first["intime"], str) and isinstance(first["ctime"], str)
    assert json.loads(first["urls"]) == [first["url"]]  # a JSON string holding an array
    items = all_roll_items(replay)
    on_replay = [i for i in items if urlsplit(i.url).hostname == "127.0.0.1" and "/doc-i" in i.url]
    assert len(on_replay) == len(replay.articles) == 11
    # every post's date is its intime
    dates = {parse_rfc2822(split_front_matter(p.read_text(encoding="utf-8")).front_matter["date"])
             for p in SAMPLES.glob("[0-9]*.md")}  # fmt: skip
    assert {i.intime for i in on_replay} == dates
    # other hosts and non-article pages are listed too, as in Sina's real feeds
    assert any(urlsplit(i.url).hostname == "localhost" for i in items)
    assert any("/zt_d/" in i.url for i in items)


@pytest.mark.integration
def test_jsonp_wraps_the_same_answer(replay):
    pageid, lid = replay.articles[0].channel
    query = f"pageid={pageid}&lid={lid}&num=50&page=1"
    _, headers, body = get(f"{replay.roll_url}?{query}&callback=feedCardJsonpCallback")
    assert headers["Content-Type"].startswith("application/javascript")
    assert body.startswith(b"try{feedCardJsonpCallback({") and body.endswith(b");}catch(e){};")
    _, _, plain = get(f"{replay.roll_url}?{query}")
    assert parse_roll_answer(body).items == parse_roll_answer(plain).items != ()


@pytest.mark.integration
def test_no_referer_is_403_and_robots_txt_is_served(replay):
    assert get(f"{replay.roll_url}?pageid=155&lid=1686", referer=None)[0] == 403
    assert get(replay.url_of(replay.articles[0]), referer=None)[0] == 403
    status, _, robots = get(replay.base_url + "/robots.txt", referer=None)
    assert status == 200 and b"Disallow: /private/" in robots


@pytest.mark.integration
def test_pages_parse_to_the_archived_article_in_both_templates(replay):
    templates = Counter()
    for article in replay.articles:
        status, headers, body = get(replay.url_of(article))
        assert status == 200
        charset = headers["Content-Type"].partition("charset=")[2]
        templates[charset] += 1
        parsed = parse_sina_page(body, url=replay.url_of(article), http_charset=charset)
        assert parsed.article_id == article.publishid
        assert parsed.title == article.title
        assert parsed.template == ("legacy" if charset == "GBK" else "modern")
    assert templates["GBK"] >= 1 and templates["utf-8"] >= 1
    outline = next(a for a in replay.articles if "碳达峰" in a.title)
    _, headers, body = get(replay.url_of(outline))
    page = parse_sina_page(body, url=replay.url_of(outline), http_charset=headers["Content-Type"].partition("=")[2])
    assert page.text == parse_archive_post(sample_path("00_").read_bytes()).text


@pytest.mark.integration
def test_the_zhibo_feed_carries_structured_stock_tags(replay):
    _, _, body = get(f"{replay.zhibo_url}&page=1&page_size=50")
    items = parse_zhibo_answer(body).items
    assert len(items) == 11
    assert [i.id for i in items] == sorted((i.id for i in items), reverse=True)  # newest first
    outline = next(i for i in items if "碳达峰" in i.rich_text)
    # the four links Sina's linker put in the standardization outline (README, sample 00)
    assert {(s.symbol, s.key) for s in outline.stocks if s.market == "cn"} == {
        ("sz300024", "机器人"), ("sz000061", "农产品"), ("sz000816", "智慧农业"), ("sz300832", "新产业"),
    }  # fmt: skip


@pytest.mark.integration
def test_rss_has_full_bodies_and_some_teasers(replay):
    status, headers, body = get(replay.rss_url, referer=None)
    assert status == 200 and headers["Content-Type"].startswith("application/rss+xml")
    assert body.count(b"<item>") == 11
    assert body.count("……</p>]]>".encode()) == 3  # items 1, 5 and 9 are teasers


def test_faults_are_seeded_and_never_more_than_three_in_a_row():
    plans = [FaultPlan(rate=0.5, seed=9), FaultPlan(rate=0.5, seed=9)]
    runs = [[plan.next_fault(f"/a/{n % 7}") for n in range(200)] for plan in plans]
    assert runs[0] == runs[1]
    assert 40 < sum(f is not None for f in runs[0]) < 120
    for key in range(7):
        streak = longest = 0
        for fault in runs[0][key::7]:
            streak = streak + 1 if fault else 0
            longest = max(longest, streak)
        assert longest <= 3
    assert all(f is None for f in (FaultPlan(rate=0.0).next_fault("/a") for _ in range(20)))


@pytest.mark.integration
def test_fault_mode_mixes_in_every_kind_and_repeats_items_across_pages():
    with start_replay(SAMPLES, fault_rate=1.0, seed=4, slow_s=0.2, max_faults_in_a_row=100) as replay:
        seen = Counter()
        for n in range(60):
            url = replay.url_of(replay.articles[n % len(replay.articles)])
            parts = urlsplit(url)
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
            connection.request("GET", parts.path, headers={"Referer": "https://finance.sina.com.cn/"})
            answer = connection.getresponse()
            try:
                body = answer.read()
                seen[answer.status] += 1
            except http.client.IncompleteRead:
                seen["truncated"] += 1
                continue
            finally:
                connection.close()
            if b"Kinsoku jikou desu!" in body:
                seen["kinsoku"] += 1
        assert {500, 503, 403, 429, 456, "kinsoku", "truncated"} <= set(seen)
    with start_replay(SAMPLES, fault_rate=0.01, seed=4) as replay:
        pageid, lid = Counter(a.channel for a in replay.articles).most_common(1)[0][0]
        query = f"{replay.roll_url}?pageid={pageid}&lid={lid}&num=2"
        first = parse_roll_answer(get(f"{query}&page=1")[2]).items
        second = parse_roll_answer(get(f"{query}&page=2")[2]).items
        assert second[0] == first[-1]  # Sina's pages shift: the same article on two pages
