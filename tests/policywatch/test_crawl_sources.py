"""A run that names some of its sources takes the others along instead of sending them to the live site."""

from __future__ import annotations

from policywatch.steps.crawl.sources import plan_sources

LIVE_ROLL = "https://feed.mix.sina.com.cn/api/roll/get"
LIVE_ZHIBO = "https://zhibo.sina.com.cn/api/zhibo/feed?zhibo_id=152&tag_id=0&dire=f&dpc=1"
LIVE_RSS = "https://rsshub.app/sina/finance/china"
REPLAY = "http://127.0.0.1:8765"


def plan(**given):
    return plan_sources(configured_roll=LIVE_ROLL, configured_zhibo=LIVE_ZHIBO, configured_rss=[LIVE_RSS], **given)


def test_a_run_that_names_no_source_reads_the_configured_ones():
    sources = plan()
    assert (sources.roll_url, sources.zhibo_url, sources.rss_feeds, sources.notes) == (
        LIVE_ROLL,
        LIVE_ZHIBO,
        (LIVE_RSS,),
        (),
    )
    assert plan(zhibo_url="").zhibo_url == ""  # the 7x24 feed turned off names no host: nothing else moves
    assert plan(zhibo_url="").roll_url == LIVE_ROLL


def test_a_replayed_roll_api_takes_the_7x24_feed_along_and_leaves_the_live_rss_feed_out():
    sources = plan(roll_url=f"{REPLAY}/api/roll/get")
    assert sources.roll_url == "http://127.0.0.1:8765/api/roll/get"
    assert sources.zhibo_url == "http://127.0.0.1:8765/api/zhibo/feed?zhibo_id=152&tag_id=0&dire=f&dpc=1"
    assert sources.rss_feeds == ()
    assert sources.notes == (
        "7x24 feed: http://127.0.0.1:8765/api/zhibo/feed?zhibo_id=152&tag_id=0&dire=f&dpc=1 (the configured"
        f" {LIVE_ZHIBO} moved to the host of --roll-url; --zhibo-url to choose, --zhibo-url '' for none)",
        f"RSS: 1 configured feed(s) on another host than --roll-url left out of this run ({LIVE_RSS});"
        " --rss-url to read one",
    )


def test_a_replayed_7x24_feed_takes_the_roll_api_along():
    sources = plan(zhibo_url=f"{REPLAY}/api/zhibo/feed?zhibo_id=152", rss_feeds=[])
    assert sources.roll_url == "http://127.0.0.1:8765/api/roll/get"
    assert sources.zhibo_url == "http://127.0.0.1:8765/api/zhibo/feed?zhibo_id=152"
    assert sources.rss_feeds == ()
    assert len(sources.notes) == 1 and sources.notes[0].startswith("roll API: http://127.0.0.1:8765/api/roll/get")


def test_sources_already_on_a_named_host_stay_as_they_are():
    sources = plan_sources(
        configured_roll=f"{REPLAY}/api/roll/get",
        configured_zhibo=f"{REPLAY}/api/zhibo/feed?zhibo_id=152",
        configured_rss=[f"{REPLAY}/rss/a", "https://elsewhere.example/rss"],
        roll_url=f"{REPLAY}/api/roll/get?x=1",
    )
    assert sources.zhibo_url == f"{REPLAY}/api/zhibo/feed?zhibo_id=152"
    assert sources.rss_feeds == (f"{REPLAY}/rss/a",)
    assert sources.notes == (
        "RSS: 1 configured feed(s) on another host than --roll-url left out of this run"
        " (https://elsewhere.example/rss); --rss-url to read one",
    )


def test_every_source_given_is_taken_as_given():
    sources = plan(roll_url=f"{REPLAY}/api/roll/get", zhibo_url="", rss_feeds=["https://other.example/feed"])
    assert (sources.roll_url, sources.zhibo_url, sources.rss_feeds, sources.notes) == (
        f"{REPLAY}/api/roll/get",
        "",
        ("https://other.example/feed",),
        (),
    )
