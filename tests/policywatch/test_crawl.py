"""The live crawl end to end: the real Scrapy process against the local replay, into a real DuckDB file.

Expected values come from the archive posts themselves (their dates, titles and Sina's links as documented),
never from the crawler's own output.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from policywatch.crawlers.replay.server import ReplayHandle, start_replay
from policywatch.transforms.errors import FetchError
from policywatch.transforms.sina.hexo import parse_rfc2822, split_front_matter

from policywatch.config import CrawlSettings, DatabaseSettings, Settings
from policywatch.steps.crawl.run import run_crawl
from tests.conftest import SAMPLES, query

pytestmark = pytest.mark.integration

#: the four links Sina's linker put into the standardization outline (README, samples' SOURCES.md)
OUTLINE_LINKS = {"sz300024", "sz000061", "sz000816", "sz300832"}

#: read off the sample posts by hand: per post (by a piece of its title), the codes of its Sina stock links (its
#: ``news_keyword_pub`` comment), a sentence near the start of its text and the one it ends with (the last of its
#: body), and noise the page carries that the text must not (ad lists in comments, QR promos, the editor line)
EXPECTED: dict[str, tuple[set[str], tuple[str, ...], tuple[str, ...]]] = {
    "中央发文": (
        OUTLINE_LINKS,
        ("我国标准化发展蓝图正式出炉！", "重大事项及时向党中央、国务院请示报告。"),
        ("责任编辑", "原标题"),
    ),
    "券茅": (
        {"sz000686", "sz002926", "sz300059", "sh600369", "sh600958", "sh601066", "sh601099", "sh601162",
         "sh601198", "sh601211", "sh601236", "sh601375", "sh601555"},
        ("东方财富证券实现营业收入41.77亿元", "公司股票质押等业务计提信用减值损失。"),
        ("责任编辑", "SF142"),
    ),
    "1000万港币": (
        set(),
        ("富途证券国际（香港）有限公司宣布", "每日经济新闻综合自京东官方微信号、微信公众号TencentGlobal、公开资料"),
        ("责任编辑",),
    ),
    "胡润中国500强发布": (
        {"sz000333", "sz002129", "sz300750", "sz300896", "sz300919", "sz300957", "sh600519", "sh600521",
         "sh601318", "sh603233", "sh603260", "sh688116", "sh688185", "sh688536", "sh688599"},
        ("胡润研究院今日发布《2021胡润中国500强》", "胡润世界八强"),
        ("责任编辑",),
    ),
    "留抵退税": (
        set(),
        ("国务院常务会议确定实施大规模增值税留抵退税的政策安排", "保持国际收支基本平衡。"),
        ("百万读者都在看", "鳄鱼", "责任编辑"),
    ),
    "共同富裕": (
        {"sh601377", "sh603883"},
        ("兴证财富万里行金秋云上峰会在线上举办。", "我们觉得仍然是值得关注的。”"),
        ("责任编辑",),
    ),
    "无废城市": (
        set(),
        ("记者 王悦 徐芸茜 北京报道", "相关行业或迎来发展机遇。"),
        ("期货开户", "app-kaihu-qr", "来源：华夏时报", "责任编辑"),  # the source line is a field, not text
    ),
    "节能减排": (set(), ("本报记者 包兴安", "为确保完成“十四五”节能减排目标提供有力支撑。"), ("责任编辑",)),
    "东数西算": ({"sh600109", "sh601211"}, ("财联社记者 张晓翀", "体现了政策执行落地的决心。"), ("责任编辑",)),
    "2天亏完": ({"sz002939"}, ("2天亏完了2个月收益，发生了什么？", "嘉实基金李金灿也称。"), ("责任编辑",)),
    "IPO图谱": (
        {"sh600905", "sh601066", "sh601728", "sh688303", "bj838275", "bj871245"},
        ("跌宕起伏的2021落下了帷幕", "编辑：丁青云）"),
        ("财经日历重磅上线", "海量资讯、精准解读", "责任编辑"),
    ),
}  # fmt: skip


def expected(title: str) -> tuple[set[str], tuple[str, ...], tuple[str, ...]]:
    (key,) = [key for key in EXPECTED if key in title]
    return EXPECTED[key]


def posts() -> dict[str, Path]:
    """Archive posts by title."""
    out = {}
    for path in sorted(SAMPLES.glob("[0-9]*.md")):
        out[str(split_front_matter(path.read_text(encoding="utf-8")).front_matter["title"])] = path
    return out


def post_date(path: Path) -> datetime:
    """The post's date: Sina's ``intime`` of the article."""
    return parse_rfc2822(split_front_matter(path.read_text(encoding="utf-8")).front_matter["date"])


def make_settings(tmp_path: Path, **crawl) -> Settings:
    options = {
        "download_delay_s": 0.0,
        "autothrottle": False,
        "download_timeout_s": 5.0,
        "backoff_base_s": 0.01,
        "backoff_max_s": 0.05,
        "rate_limit_backoff_s": 0.05,
        "concurrent_per_host": 4,
        "zhibo_url": "",
        "staging_dir": tmp_path / "staging",
        "retry_runs": 2,
    }
    options.update(crawl)
    return Settings(db=DatabaseSettings(path=tmp_path / "pw.duckdb", lock_timeout_s=0), crawl=CrawlSettings(**options))


@pytest.fixture
def replay():
    with start_replay(SAMPLES, seed=1) as handle:
        yield handle


def test_a_crawl_stores_every_article_once_with_the_right_fields(tmp_path, replay: ReplayHandle):
    settings = make_settings(tmp_path, zhibo_url=replay.zhibo_url)
    summary = run_crawl(settings, roll_url=replay.roll_url)

    assert summary.status == "ok", (summary.skipped, summary.failed)
    assert (summary.new, summary.fetched, summary.updated) == (11 + 11, 11, 0)  # 11 pages, 11 flashes
    rows = query(
        settings, "SELECT article_id, url, title, published_at, template, text FROM articles WHERE origin = 'crawl'"
    )
    assert len(rows) == len({r[0] for r in rows}) == 11
    by_title = posts()
    assert {r[2] for r in rows} == set(by_title)
    for article_id, url, title, published_at, template, text in rows:
        post = by_title[title]
        assert url.startswith(replay.base_url) and url.endswith(f"/doc-i{article_id}.shtml")
        # the page shows the post's date (Sina's intime) to the minute, in China time; a modern page's
        # article:published_time names the same minute with its seconds
        assert published_at == (post_date(post) if template == "modern" else post_date(post).replace(second=0))
        codes, (early, last), leaves_out = expected(title)
        assert 0 <= text.find(early) < text.find(last), title
        assert text.endswith(last) or "胡润" in title, title  # the ranking ends in tables
        assert not [noise for noise in leaves_out if noise in text], title
        links = {
            r[0]
            for r in query(
                settings, "SELECT code FROM stock_links WHERE article_id = ? AND origin = 'sina_link'", [article_id]
            )
        }
        assert links == codes, title
    assert {r[4] for r in rows} == {"modern", "legacy"}  # UTF-8 pages and old GBK ones
    outline_id = next(r[0] for r in rows if "碳达峰" in r[2])
    sina_links = query(
        settings, "SELECT code FROM stock_links WHERE article_id = ? AND origin = 'sina_link'", [outline_id]
    )
    assert {r[0] for r in sina_links} == OUTLINE_LINKS

    # the 7x24 flash of the outline carries the same four codes as structured tags of their own origin
    tags = query(
        settings,
        "SELECT l.code, l.anchor_text FROM stock_links l JOIN articles a USING (article_id)"
        " WHERE l.origin = 'zhibo_tag' AND a.title LIKE '%碳达峰%' AND a.origin = 'zhibo'",
    )
    assert {c for c, _ in tags} == OUTLINE_LINKS
    assert ("sz300024", "机器人") in tags
    assert not query(settings, "SELECT 1 FROM stock_links WHERE origin = 'zhibo_tag' AND exchange = 'HK'")

    # polite: every request to Sina's endpoints carried the Referer and a browser User-Agent
    for record in replay.requests:
        if record.route in ("roll", "article"):
            assert record.referer == "https://finance.sina.com.cn/"
            assert record.user_agent and record.user_agent.startswith("Mozilla/5.0")
    assert not [r.path for r in replay.requests if r.route == "other"]  # no other host, no topic page
    assert summary.filtered["off_host"] >= 1 and summary.filtered["not_article"] >= 1

    (run,) = query(settings, "SELECT command, status, counts FROM runs")
    assert run[:2] == ("crawl", "ok")
    assert json.loads(run[2])["new"] == 22


def test_a_crawl_with_autothrottle_on(tmp_path, replay: ReplayHandle):
    # every other crawl test turns AutoThrottle off for speed; the default crawl runs with it
    settings = make_settings(
        tmp_path, autothrottle=True, download_delay_s=0.05, autothrottle_max_delay_s=0.5, zhibo_url=replay.zhibo_url
    )
    summary = run_crawl(settings, roll_url=replay.roll_url)
    assert (summary.status, summary.fetched, summary.new) == ("ok", 11, 22)
    (log,) = (tmp_path / "staging" / "runs").glob("*/scrapy.log")
    enabled = log.read_text().split("Enabled extensions:", 1)[1].split("]", 1)[0]
    assert "scrapy.extensions.throttle.AutoThrottle" in enabled


def test_a_second_crawl_the_same_day_fetches_no_page(tmp_path, replay: ReplayHandle):
    settings = make_settings(tmp_path, zhibo_url=replay.zhibo_url)
    first = run_crawl(settings, roll_url=replay.roll_url)
    pages_before = replay.article_requests()
    second = run_crawl(settings, roll_url=replay.roll_url)
    assert first.new == 22
    assert replay.article_requests() == pages_before
    assert sum(pages_before.values()) == 11
    assert (second.fetched, second.new, second.updated, second.zhibo_items) == (0, 0, 0, 0)
    assert second.known == 11 and second.status == "ok"
    assert query(settings, "SELECT count(*) FROM articles") == [(22,)]
    # listings remember both sightings
    assert query(
        settings, "SELECT min(times_listed), max(times_listed) FROM crawl_listings WHERE verdict = 'known'"
    ) == [(2, 2)]


def test_with_30_percent_faults_every_article_is_stored_once_and_lasting_failures_are_reported(tmp_path):
    by_title = posts()
    doomed = {title: path for title, path in by_title.items() if "留抵退税" in title or "共同富裕" in title}
    assert len(doomed) == 2
    with start_replay(SAMPLES, seed=5) as probe:
        paths = {a.title: a.path for a in probe.articles}
    missing, broken = (paths[t] for t in sorted(doomed))
    fail_paths = {missing: 404, broken: 500}
    with start_replay(SAMPLES, fault_rate=0.3, seed=5, slow_s=2.0, fail_paths=fail_paths) as replay:
        # small pages: more listing requests, so that with this seed every kind of fault turns up, and a rate
        # limit on the roll spider (seeded: the same faults every time)
        settings = make_settings(
            tmp_path,
            download_timeout_s=1.0,
            retry_times=5,
            zhibo_url=replay.zhibo_url,
            page_size=3,
            zhibo_page_size=3,
            zhibo_pages=5,
        )
        summary = run_crawl(settings, roll_url=replay.roll_url)
        faults = Counter(r.fault for r in replay.requests if r.fault and r.fault != "permanent")
    kinds = {"http_500", "http_503", "http_403", "http_429", "rate_limit_456", "kinsoku_200", "slow", "truncated"}
    assert set(faults) == kinds, faults
    assert sum(faults.values()) >= 8

    stored = query(settings, "SELECT title, count(*) FROM articles WHERE origin = 'crawl' GROUP BY title")
    assert dict(stored) == {title: 1 for title in by_title if title not in doomed}
    assert query(settings, "SELECT count(*) FROM articles WHERE origin = 'zhibo'") == [(11,)]

    failed = {(s.item.removeprefix(replay.base_url), s.reason): s.message for s in summary.failed}
    assert set(failed) == {(missing, "http_404"), (broken, "http_500")}
    assert "after 6 attempts" in failed[(broken, "http_500")]
    assert summary.status == "partial"
    recorded = query(settings, "SELECT item, reason FROM skips JOIN runs USING (run_id) WHERE command = 'crawl'")
    assert {(item.removeprefix(replay.base_url), reason) for item, reason in recorded} == set(failed)
    states = query(settings, "SELECT state, reason, failed_runs FROM crawl_fetches WHERE state <> 'stored'")
    assert sorted(states) == [("failed", "http_404", 1), ("failed", "http_500", 1)]
    # retries backed off, and Sina's rate-limit answers raised the delay to the rate-limit backoff at once
    closed = json.loads(next((tmp_path / "staging" / "runs").glob("*/closed-sina_roll.json")).read_text())
    backoffs = {k.rsplit("/", 1)[1]: v for k, v in closed["stats"].items() if k.startswith("policywatch/backoff/")}
    assert sum(backoffs.values()) >= 3
    assert backoffs["rate_limited"] >= 1 and backoffs["http_429"] >= 1
    assert closed["stats"]["policywatch/backoff_max_delay_s"] == pytest.approx(0.05)


def test_failed_articles_are_asked_for_again_in_later_runs_then_given_up(tmp_path):
    with start_replay(SAMPLES, seed=1) as probe:
        path = probe.articles[0].path
    with start_replay(SAMPLES, seed=1, fail_paths={path: 503}) as replay:
        settings = make_settings(tmp_path, retry_times=1, retry_runs=1)
        first = run_crawl(settings, roll_url=replay.roll_url)
        second = run_crawl(settings, roll_url=replay.roll_url)
        third = run_crawl(settings, roll_url=replay.roll_url)
        asked = replay.article_requests()[path]
    assert [s.reason for s in first.failed] == [s.reason for s in second.failed] == ["http_503"]
    assert third.failed == () and third.fetched == 0  # given up after retry_runs later runs
    assert asked == 4  # two runs × (one try + one retry)
    assert query(settings, "SELECT failed_runs FROM crawl_fetches WHERE state = 'failed'") == [(2,)]


def test_robots_txt_disallow_is_obeyed(tmp_path):
    with start_replay(SAMPLES, seed=1) as probe:
        forbidden = probe.articles[3].path
    with start_replay(SAMPLES, seed=1, robots_disallow=[forbidden]) as replay:
        settings = make_settings(tmp_path)
        summary = run_crawl(settings, roll_url=replay.roll_url)
        assert replay.article_requests()[forbidden] == 0
        assert sum(replay.article_requests().values()) == 10
    assert [(s.item.removeprefix(replay.base_url), s.reason) for s in summary.skipped] == [
        (forbidden, "robots_disallowed")
    ]
    assert summary.new == 10 and summary.failed == ()


def test_off_host_links_are_never_fetched_even_when_robots_allow_everything(tmp_path, replay: ReplayHandle):
    settings = make_settings(tmp_path, article_hosts=[])  # only the roll API's own host is allowed
    summary = run_crawl(settings, roll_url=replay.roll_url)
    listed_elsewhere = query(settings, "SELECT url FROM crawl_listings WHERE verdict = 'off_host'")
    assert listed_elsewhere and all(url.startswith("http://localhost:") for (url,) in listed_elsewhere)
    assert not [r for r in replay.requests if r.path.startswith(("/tech/", "/zt_d/"))]
    assert summary.new == 11


def test_a_redirect_to_another_host_is_a_skip_naming_where_it_went_and_is_not_asked_again(tmp_path):
    with start_replay(SAMPLES, seed=1) as probe:
        moved = probe.articles[2]
    elsewhere = "/tech/2021-10-10/doc-iabcdefg1234567.shtml"
    with start_replay(SAMPLES, seed=1, redirects={moved.path: "{offsite}" + elsewhere}) as replay:
        settings = make_settings(tmp_path)
        first = run_crawl(settings, roll_url=replay.roll_url)
        second = run_crawl(settings, roll_url=replay.roll_url)
        asked = replay.article_requests()[moved.path]
        followed = [r for r in replay.requests if r.path == elsewhere]
    target = "http://localhost:" + replay.base_url.rsplit(":", 1)[1] + elsewhere
    assert [(s.item, s.reason) for s in first.skipped] == [(replay.url_of(moved), "off_host_redirect")]
    assert target in first.skipped[0].message
    assert first.failed == () and first.new == 10  # not "interrupted", not a failure to retry
    assert (second.skipped, second.failed, second.fetched) == ((), (), 0)
    assert asked == 1 and followed == []  # asked once, and the other host never
    assert query(settings, "SELECT state, reason FROM crawl_fetches WHERE item_key = ?", [moved.publishid]) == [
        ("unusable", "off_host_redirect")
    ]


class _Canned:
    """A roll API that answers each channel with a fixed body: malformed answers Sina could send."""

    def __init__(self, answers: dict[str, bytes]) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from urllib.parse import parse_qs, urlsplit

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                return

            def do_GET(self):
                if self.path == "/robots.txt":
                    body = b"User-agent: *\nAllow: /\n"
                else:
                    lid = parse_qs(urlsplit(self.path).query).get("lid", [""])[0]
                    page = parse_qs(urlsplit(self.path).query).get("page", ["1"])[0]
                    body = answers.get(lid, b"") if page == "1" else b'{"result":{"status":{"code":0},"data":[]}}'
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/roll/get"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_a_malformed_roll_answer_is_a_clear_error_for_that_page(tmp_path):
    canned = _Canned(
        {
            "1": b"<html>Service Unavailable</html>",
            "2": b'{"result": {"status": {"code": 0}}}',
            "3": b'{"result": {"status": {"code": 0}, "data": [{"url": "http://x/doc-iabcdefg1234567.shtml",'
            b' "title": "t", "intime": ["1633870714"]}]}}',
            "4": b'{"result": {"status": {"code": 0}, "data": []}}',
        }
    )
    try:
        settings = make_settings(tmp_path)
        summary = run_crawl(settings, roll_url=canned.url, channels=["155:1", "155:2", "155:3", "155:4"])
    finally:
        canned.stop()
    failures = {s.item.rsplit("lid=", 1)[1].split("&")[0]: (s.reason, s.message) for s in summary.failed}
    assert set(failures) == {"1", "2", "3"}
    assert failures["1"][0] == "malformed_roll" and "not JSON" in failures["1"][1]
    assert "result.data is missing" in failures["2"][1]
    assert "result.data[0].intime is a list" in failures["3"][1]
    assert summary.status == "partial" and summary.new == 0
    assert query(settings, "SELECT count(*) FROM skips WHERE reason = 'malformed_roll'") == [(3,)]


def test_one_bad_item_costs_itself_not_its_roll_page(tmp_path):
    good = "https://finance.sina.com.cn.example/china/2021-10-10/doc-iabcdefg1234567.shtml"  # listed: off host
    canned = _Canned(
        {
            "1": b'{"result": {"status": {"code": 0}, "data": [{"url": "' + good.encode() + b'", "title": "t",'
            b' "intime": "1633870714"}, {"url": "http://x/doc-ihijklmn7654321.shtml", "title": "u",'
            b' "intime": ["1633870714"]}]}}'
        }
    )
    try:
        settings = make_settings(tmp_path)
        summary = run_crawl(settings, roll_url=canned.url, channels=["155:1"])
    finally:
        canned.stop()
    assert (summary.listed, summary.filtered.get("off_host")) == (1, 1)
    assert query(settings, "SELECT url FROM crawl_listings") == [(good,)]
    ((reason, message),) = [(s.reason, s.message) for s in summary.failed]
    assert reason == "malformed_roll" and "result.data[1].intime is a list" in message
    assert "doc-ihijklmn7654321" in message


def test_paging_since_a_day_and_jsonp(tmp_path, replay: ReplayHandle):
    # two items a page: every channel takes several pages; --since stops at older items
    since = date(2022, 1, 1)
    settings = make_settings(tmp_path, page_size=2, roll_callback="feedCardJsonpCallback")
    summary = run_crawl(settings, roll_url=replay.roll_url, since=since, max_pages=20)
    cutoff = datetime(2021, 12, 31, 16, tzinfo=UTC)  # midnight in China
    expected = {title for title, path in posts().items() if post_date(path) >= cutoff}
    stored = {r[0] for r in query(settings, "SELECT title FROM articles")}
    assert stored == expected and 0 < len(expected) < 11
    assert summary.filtered.get("older", 0) >= 1
    assert all("callback=feedCardJsonpCallback" in r.path for r in replay.requests if r.route == "roll")
    assert max(int(r.path.rsplit("page=", 1)[1].split("&")[0]) for r in replay.requests if r.route == "roll") > 1


def test_rss_full_descriptions_need_no_fetch_and_teasers_are_fetched(tmp_path, replay: ReplayHandle):
    settings = make_settings(tmp_path, rss_feeds=[replay.rss_url], channels=["999:1"])  # an empty roll channel
    summary = run_crawl(settings, roll_url=replay.roll_url)
    origins = dict(query(settings, "SELECT origin, count(*) FROM articles GROUP BY 1"))
    assert origins == {"rss": 8, "crawl": 3}  # items 1, 5, 9 of the feed are teasers
    assert sum(replay.article_requests().values()) == 3
    assert summary.rss_items == 11 and summary.new == 11
    outline = query(settings, "SELECT origin, article_id FROM articles WHERE title LIKE '%碳达峰%'")
    assert len(outline) == 1


def test_a_job_stopped_by_its_budget_is_resumed_by_the_next_run(tmp_path, replay: ReplayHandle):
    settings = make_settings(tmp_path, max_requests=4, concurrent_per_host=1)
    first = run_crawl(settings, roll_url=replay.roll_url)
    assert not first.job_finished and first.status == "partial"
    runs_dir = tmp_path / "staging" / "runs"
    assert len([p.name for p in runs_dir.iterdir() if not (p / "loaded").exists()]) == 1  # the stopped job
    unlimited = settings.model_copy(update={"crawl": settings.crawl.model_copy(update={"max_requests": 0})})
    second = run_crawl(unlimited, roll_url=replay.roll_url)
    assert second.resumed_jobs == 1 and second.job_finished
    assert query(settings, "SELECT count(*), count(DISTINCT title) FROM articles") == [(11, 11)]
    third = run_crawl(unlimited, roll_url=replay.roll_url)
    assert third.fetched == 0 and third.resumed_jobs == 0
    assert all(n <= 2 for n in replay.article_requests().values())  # at most a request lost in flight


def test_the_http_cache_keeps_whole_article_pages_only(tmp_path):
    with start_replay(SAMPLES, fault_rate=0.3, seed=6, slow_s=2.0) as replay:
        settings = make_settings(tmp_path, http_cache=True, download_timeout_s=1.0)
        first = run_crawl(settings, roll_url=replay.roll_url)
        assert first.new == 11 and first.status == "ok"
        cached_before = sum(replay.article_requests().values())
        # a fresh database, the same cache: the pages come from the cache, and none of them is a broken answer
        fresh = settings.model_copy(update={"db": DatabaseSettings(path=tmp_path / "fresh.duckdb", lock_timeout_s=0)})
        second = run_crawl(fresh, roll_url=replay.roll_url)
        assert sum(replay.article_requests().values()) == cached_before
    assert (second.new, second.fetched, second.skipped, second.failed) == (11, 11, (), ())
    assert query(fresh, "SELECT count(DISTINCT title) FROM articles") == [(11,)]


def test_an_unreachable_site_is_a_retryable_error(down, tmp_path):
    settings = make_settings(tmp_path, retry_times=1)
    with pytest.raises(FetchError, match="unreachable"):
        run_crawl(settings, roll_url=down.url(path="/api/roll/get"), channels=["155:1686"])
    (run,) = query(settings, "SELECT status, message FROM runs")
    assert run[0] == "failed" and "connection_failed" in run[1]


def test_a_killed_crawl_stops_its_crawler_and_the_next_run_resumes_the_job(tmp_path):
    import subprocess
    import sys
    import time

    settings = make_settings(tmp_path, retry_times=50, backoff_base_s=0.2, backoff_max_s=0.2)
    with start_replay(SAMPLES, fault_rate=1.0, max_faults_in_a_row=1000, seed=1, slow_s=0.3) as failing:
        script = (
            "import sys; from policywatch.config import Settings; from policywatch.steps.crawl.run import run_crawl;"
            f"run_crawl(Settings.model_validate_json(sys.argv[1]), roll_url={failing.roll_url!r})"
        )
        parent = subprocess.Popen([sys.executable, "-c", script, settings.model_dump_json()], cwd=tmp_path)
        runs = tmp_path / "staging" / "runs"
        deadline = time.monotonic() + 60
        while not any(p.stat().st_size for p in runs.glob("*/items-sina_roll.jsonl")) and time.monotonic() < deadline:
            time.sleep(0.1)  # until the crawler is under way
        parent.kill()  # as a killed Airflow task: no cleanup of its own
        parent.wait()
        (run_dir,) = runs.iterdir()
        while not (run_dir / "closed-sina_roll.json").exists() and time.monotonic() < deadline:
            time.sleep(0.1)  # the orphaned crawler notices and stops, keeping its job folder
        closed = json.loads((run_dir / "closed-sina_roll.json").read_text())
    assert closed["reason"] == "shutdown"
    assert (run_dir / "job" / "sina_roll").is_dir()
    port = int(failing.base_url.rsplit(":", 1)[1])
    with start_replay(SAMPLES, seed=1, port=port) as healthy:  # the site is back, at the same address
        summary = run_crawl(settings, roll_url=healthy.roll_url)
    assert summary.resumed_jobs == 1
    assert query(settings, "SELECT count(DISTINCT title) FROM articles") == [(11,)]
