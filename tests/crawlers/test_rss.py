"""RSS: bytes with a timeout, retries with backoff, robots.txt, then feedparser; clear errors."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from policywatch.crawlers.replay.server import start_replay
from policywatch.crawlers.rss import FeedFetcher, parse_feed
from policywatch.transforms.errors import FetchError
from policywatch.transforms.sina.feeds import FeedFormatError

from tests.conftest import SAMPLES

#: the reason a fetch gives for each of the replay's faults
REASONS = {"rate_limit_456": "rate_limited", "kinsoku_200": "rate_limited", "slow": "timeout"}


def fetcher(**kwargs) -> FeedFetcher:
    options = {"user_agent": "Mozilla/5.0", "referer": "https://finance.sina.com.cn/", "timeout_s": 5.0,
               "backoff_base_s": 0.0, "retry_times": 3}  # fmt: skip
    options.update(kwargs)
    return FeedFetcher(**options)


@pytest.mark.integration
def test_a_feed_through_faults_is_read_whole():
    # slow answers (4 s) outlast the 2 s timeout, which a good answer on a busy machine does not; at most three
    # faults in a row, then a good answer
    with start_replay(SAMPLES, fault_rate=0.9, seed=2, slow_s=4.0) as replay:
        waits: list[float] = []
        items = parse_feed(fetcher(timeout_s=2.0, sleep=waits.append).fetch(replay.rss_url), replay.rss_url)
        faults = [r.fault for r in replay.requests if r.route == "rss"]
    assert len(items) == 11
    assert items[0].link.startswith(replay.base_url) and items[0].published is not None
    assert any('<span id="stock_' in i.description for i in items)  # Sina's stock spans are not sanitised away
    assert any("news_keyword_pub" in i.description for i in items)  # nor its comments
    assert faults[-1] is None and all(faults[:-1])
    assert waits == [0.0] * (len(faults) - 1)


@pytest.mark.integration
def test_backoff_doubles_and_a_lasting_failure_names_its_reason():
    with start_replay(SAMPLES, fault_rate=1.0, seed=5, max_faults_in_a_row=100, slow_s=4.0) as replay:
        waits: list[float] = []
        with pytest.raises(FetchError) as info:
            fetcher(timeout_s=2.0, backoff_base_s=1.0, backoff_max_s=3.0, sleep=waits.append).fetch(replay.rss_url)
        last = [r.fault for r in replay.requests if r.route == "rss"][-1]
    assert waits == [1.0, 2.0, 3.0]
    assert info.value.reason == REASONS.get(last, last)  # the last answer's
    assert "after 4 attempts" in str(info.value)


@pytest.mark.integration
def test_robots_txt_is_obeyed():
    with start_replay(SAMPLES, robots_disallow=["/rss/"]) as replay:
        with pytest.raises(FetchError) as info:
            fetcher().fetch(replay.rss_url)
        assert info.value.reason == "robots_disallowed"
        assert not [r for r in replay.requests if r.route == "rss"]


def test_not_a_feed_is_a_clear_error():
    with pytest.raises(FeedFormatError) as info:
        parse_feed(b"\x00\x01 binary", "https://example.org/feed")
    assert info.value.reason == "malformed_rss" and "example.org/feed" in str(info.value)


@pytest.mark.integration
def test_sinas_rate_limit_page_gets_the_rate_limit_pause_not_the_retry_backoff():
    with start_replay(SAMPLES, fault_rate=1.0, seed=1, max_faults_in_a_row=2, fault_kinds=["rate_limit_456"]) as replay:
        waits: list[float] = []
        feed = fetcher(backoff_base_s=1.0, rate_limit_backoff_s=45.0, sleep=waits.append).fetch(replay.rss_url)
    assert waits == [45.0, 45.0] and b"<item>" in feed  # two 456s, then the feed


class _Drip:
    """A server that announces a feed and then sends it a byte every 0.1 s: every read gets something."""

    def __init__(self) -> None:
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                return

            def do_GET(self):
                body = b"<rss>" + b" " * 200 + b"</rss>"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    for byte in body:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(0.1)
                except (BrokenPipeError, ConnectionResetError):
                    return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/feed"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.integration
def test_the_timeout_bounds_the_whole_download_not_each_read():
    drip = _Drip()  # 200 bytes at 10 a second: 20 s, though no read waits more than 0.1 s
    try:
        started = time.monotonic()
        with pytest.raises(FetchError) as info:
            fetcher(timeout_s=1.0, retry_times=0, obey_robots=False).fetch(drip.url)
        elapsed = time.monotonic() - started
    finally:
        drip.stop()
    assert info.value.reason == "timeout"
    assert elapsed < 3.0
