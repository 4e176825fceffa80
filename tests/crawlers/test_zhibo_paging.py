"""Reading the 7x24 feed: the page splitter keeps each item's text as Sina sent it, the pager steers the read
down to the newest stored item and to older gaps, and the loader's arithmetic says what is still unread."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from policywatch.crawlers.sina.zhibo_page import split_zhibo_page, zhibo_feed_key
from policywatch.crawlers.sina.zhibo_paging import ZhiboPager
from policywatch.transforms.sina.feeds import FeedFormatError
from policywatch.warehouse.crawl_state import ZhiboGap

from policywatch.steps.crawl.gaps import ZhiboRead, unread_gaps

#: one page of zhibo.sina.com.cn/api/zhibo/feed as Sina answers it (fields as in sina-formats.md: ``ext`` is a
#: JSON string, times are China time without a zone, ids are numbers; update_time and tag ids ride along)
ANSWER = (
    '{"result":{"status":{"code":0,"msg":""},"timestamp":"Mon Oct 11 10:00:00 +0800 2021","data":{"feed":{"list":['
    '{"id":4973890,"zhibo_id":152,"type":0,"rich_text":"\\u3010\\u592e\\u884c\\u3011\\u5f00\\u5c55MLF\\u64cd\\u4f5c",'
    '"create_time":"2021-10-11 09:30:02","update_time":"2021-10-11 09:31:40",'
    '"tag":[{"id":"1","name":"\\u5b8f\\u89c2"}],'
    '"ext":"{\\"stocks\\":[],\\"needPush\\":false,\\"docurl\\":\\"https:\\\\/\\\\/finance.sina.com.cn\\\\/7x24\\\\/'
    '2021-10-11\\\\/doc-iktzqtyu1234567.shtml\\"}","is_delete":0},'
    ' {"id": "4973888", "rich_text": "【国家标准化发展纲要印发】", "create_time": "2021-10-10 21:05:14",'
    ' "ext": "{\\"stocks\\":[{\\"market\\":\\"cn\\",\\"symbol\\":\\"sz300024\\",\\"key\\":\\"机器人\\"}]}", "tag": []},'
    '{"rich_text":"no id"}'
    '],"page_info":{"totalPage":9,"pageSize":3,"page":1,"totalNum":27}}}}}'
)


def test_a_page_is_cut_into_items_exactly_as_sent():
    items = split_zhibo_page(ANSWER.encode())
    assert [i.id for i in items] == [4973890, 4973888, None]
    first = items[0].raw
    assert first.startswith('{"id":4973890,') and first.endswith('"is_delete":0}')
    assert '"update_time":"2021-10-11 09:31:40"' in first and '"tag":[{"id":"1"' in first  # kept, not parsed
    assert first.encode() in ANSWER.encode()  # byte for byte
    assert items[1].raw.startswith('{"id": "4973888"') and "机器人" in items[1].raw
    jsonp = f"try{{feedCallback({ANSWER});}}catch(e){{}};".encode()
    assert split_zhibo_page(jsonp) == items


def test_an_id_of_digits_int_cannot_read_is_no_id_not_a_crash():
    page = '{"result":{"status":{"code":0},"data":{"feed":{"list":[{"id":"²3","rich_text":"x"},{"id":"17"}]}}}}'
    assert [i.id for i in split_zhibo_page(page.encode())] == [None, 17]


@pytest.mark.parametrize(
    ("body", "reason", "words"),
    [
        (ANSWER[: len(ANSWER) // 2].encode(), "malformed_zhibo", "not JSON"),
        (b'{"result": {"status": {"code": 0}, "data": {}}}', "malformed_zhibo", "result.data.feed is missing"),
        (b'{"result": {"status": {"code": 0}, "data": {"feed": {"list": {}}}}}', "malformed_zhibo", "not a list"),
        (b'{"result": {"status": {"code": 1, "msg": "busy"}}}', "zhibo_status", "status 1 (busy)"),
        (b"\xff\xfe<html>", "malformed_zhibo", "not UTF-8"),
    ],
)
def test_a_page_that_is_not_a_feed_page_is_a_clear_error(body, reason, words):
    with pytest.raises(FeedFormatError) as info:
        split_zhibo_page(body)
    assert info.value.reason == reason and words in str(info.value)


def test_the_feed_key_leaves_out_the_paging():
    url = "https://zhibo.sina.com.cn/api/zhibo/feed?page=3&page_size=20&zhibo_id=152&tag_id=0&dire=f&dpc=1"
    assert zhibo_feed_key(url) == "https://zhibo.sina.com.cn/api/zhibo/feed?zhibo_id=152&tag_id=0&dire=f&dpc=1"


def read_feed(
    feed: list[int], pager: ZhiboPager, *, size: int, lost: Callable[[int, int], bool] = lambda page, n: False
) -> tuple[list[dict], str | None, list[int]]:
    """Drive ``pager`` over ``feed`` (ids, newest first): the page records, the end, and the pages asked for."""
    records, asked, page = [], [], pager.first_page()
    while page is not None:
        asked.append(page)
        if lost(page, asked.count(page)):
            result = pager.lost(page, "malformed_zhibo")
        else:
            result = pager.read(page, feed[(page - 1) * size : page * size])
        records.append(result.record)
        page, end = result.next_page, result.end
    return records, end, asked


def test_a_read_stops_at_the_newest_stored_item():
    feed = list(range(130, 100, -1))
    pager = ZhiboPager.start(pages=20, page_size=5, newest_stored=118)
    records, end, asked = read_feed(feed, pager, size=5)
    assert (end, asked) == ("reached_stored", [1, 2, 3])
    assert records[1] == {"page": 2, "state": "read", "newest": 125, "oldest": 121, "read_down_from": 126}


def test_a_first_crawl_reads_its_budget_and_a_lost_page_does_not_stop_it():
    feed = list(range(130, 100, -1))
    records, end, asked = read_feed(
        feed, ZhiboPager.start(pages=4, page_size=5, newest_stored=None), size=5, lost=lambda p, n: p == 2
    )
    assert (end, asked) == ("page_limit", [1, 2, 3, 4])
    assert [r["state"] for r in records] == ["read", "lost", "read", "read"]
    assert records[2]["read_down_from"] == 120  # nothing links page 3 to page 1: the loader sees the hole
    _, end, asked = read_feed(
        feed, ZhiboPager.start(pages=9, page_size=5, newest_stored=None), size=5, lost=lambda p, n: p in (2, 3)
    )
    assert (end, asked) == ("pages_lost", [1, 2, 3])  # two in a row: the feed is down


def test_the_end_of_the_feed_ends_the_read():
    records, end, asked = read_feed([105, 104, 103], ZhiboPager.start(pages=9, page_size=2, newest_stored=None), size=2)
    assert (end, asked) == ("end_of_feed", [1, 2, 3])
    assert records[-1] == {"page": 3, "state": "empty", "read_down_from": 103}


def test_a_deep_gap_is_found_by_interpolation_not_by_reading_every_page_above_it():
    feed = list(range(100_000, 90_000, -1))  # 200 pages of 50
    pager = ZhiboPager.start(pages=20, page_size=50, newest_stored=99_990, gaps=[(98_000, 98_500)])
    _, end, asked = read_feed(feed, pager, size=50)
    # page 1 reaches the stored items; page 31 holds id 98500 (position 1500); pages 31..41 cross the gap
    assert end == "reached_stored"
    assert asked == [1, *range(31, 42)]


def test_gaps_are_read_highest_first_within_the_budget():
    feed = list(range(10_000, 9_000, -1))  # ids with holes of their own would work the same
    gaps = [(9_700, 9_705), (9_900, 9_925)]
    # 9925 is at position 75 (page 8), 9900 at 100 (page 11), 9705 at 295 (page 30), 9700 at 300 (page 31)
    records, end, asked = read_feed(
        feed, ZhiboPager.start(pages=7, page_size=10, newest_stored=9_995, gaps=gaps), size=10
    )
    assert asked == [1, 8, 9, 10, 11, 30, 31] and end == "reached_stored"
    assert_sound(feed, records, end, newest=9_995, gaps=gaps, left=[])
    records, end, asked = read_feed(
        feed, ZhiboPager.start(pages=4, page_size=10, newest_stored=9_995, gaps=gaps), size=10
    )
    assert asked == [1, 8, 9, 10] and end == "page_limit"
    assert_sound(
        feed, records, end, newest=9_995, gaps=gaps, left=[(9_700, 9_705)]
    )  # nothing is left between 9900 and 9901


def test_an_edge_between_two_pages_read_apart_is_read_on_in_order():
    # the gap's upper edge, id 910, is gone from the feed: it falls between page 9 (…911) and page 10 (909…),
    # which the search reads out of order (10, then 9): page 10 is read again right after page 9
    feed = [*range(1000, 910, -1), *range(909, 800, -1)]
    records, end, asked = read_feed(
        feed, ZhiboPager.start(pages=20, page_size=10, newest_stored=995, gaps=[(880, 910)]), size=10
    )
    assert (asked, end) == ([1, 10, 9, 10, 11, 12], "reached_stored")
    assert records[3]["read_down_from"] == 911
    assert_sound(feed, records, end, newest=995, gaps=[(880, 910)], left=[])


def assert_sound(feed, records, end, *, newest, gaps, left):
    """What the loader works out from the records is ``left``, and every id of the feed it had to read that was
    not on a page read is inside a gap still open: nothing unread passes for read."""
    open_gaps = [ZhiboGap("f", low, high, "earlier") for low, high in gaps]
    result = unread_gaps(ZhiboRead(tuple(records), end), feed="f", newest_stored=newest, open_gaps=open_gaps)
    assert [(g.low, g.high) for g in result] == left
    size = 10
    read = {i for r in records if r["state"] == "read" for i in feed[(r["page"] - 1) * size : r["page"] * size]}
    wanted = {i for i in feed if i > newest or any(low < i < high for low, high in gaps)}
    top = max((r["newest"] for r in records if r["state"] == "read"), default=None)
    for i in wanted - read:
        assert (top is not None and i > top) or any((g.low or -1) < i < g.high for g in result), i


def test_what_is_unread_after_a_read():
    pages = (
        {"page": 1, "state": "read", "newest": 108, "oldest": 107, "read_down_from": 108},
        {"page": 2, "state": "read", "newest": 106, "oldest": 105, "read_down_from": 107},
        {"page": 3, "state": "lost", "reason": "http_500"},
        {"page": 4, "state": "read", "newest": 102, "oldest": 101, "read_down_from": 102},
    )
    # the read had to go down to 98: 103-104 were on the lost page, 99-100 below the last page read
    gaps = unread_gaps(ZhiboRead(pages, "pages_lost"), feed="f", newest_stored=98, open_gaps=[])
    assert [(g.low, g.high, g.reason) for g in gaps] == [(102, 105, "http_500"), (98, 101, "http_500")]
    # a first crawl that used its budget leaves no unbounded gap below it; one that lost its last pages does
    first = unread_gaps(ZhiboRead(pages, "page_limit"), feed="f", newest_stored=None, open_gaps=[])
    assert [(g.low, g.high) for g in first] == [(102, 105)]
    lost = unread_gaps(ZhiboRead(pages, "pages_lost"), feed="f", newest_stored=None, open_gaps=[])
    assert [(g.low, g.high) for g in lost] == [(102, 105), (None, 101)]
    # an older gap the read went through is closed; one it did not reach stays, one more run open
    older = [ZhiboGap("f", 103, 106, "malformed_zhibo", "r1", None, 1), ZhiboGap("f", 50, 60, "page_limit", "r0")]
    left = unread_gaps(ZhiboRead(pages[:2], "page_limit"), feed="f", newest_stored=106, open_gaps=older)
    assert [(g.low, g.high, g.reason, g.runs) for g in left] == [
        (103, 105, "malformed_zhibo", 2),
        (50, 60, "page_limit", 2),
    ]
    # ids above everything read are the next run's anyway
    top_lost = ({"page": 1, "state": "lost", "reason": "timeout"}, pages[1])
    assert unread_gaps(ZhiboRead(top_lost, "reached_stored"), feed="f", newest_stored=104, open_gaps=[]) == []
    empty = ({"page": 5, "state": "empty", "read_down_from": 101},)
    assert unread_gaps(ZhiboRead(pages + empty, "end_of_feed"), feed="f", newest_stored=None, open_gaps=[]) == [
        ZhiboGap("f", 102, 105, "http_500")
    ]


def test_the_pager_state_survives_a_json_round_trip():
    pager = ZhiboPager.start(pages=5, page_size=3, newest_stored=10, gaps=[[None, 4]])
    pager.read(1, [15, 14, 13])
    again = ZhiboPager.restore(json.loads(json.dumps(pager.dump())))
    assert again.dump() == pager.dump()
