"""Roll API and 7x24 answers in the exact shapes of sina-formats.md: JSON and JSONP, ``urls`` a JSON string,
times as strings, ``result.status.code``; every malformed answer is a FeedFormatError naming the field."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from policywatch.transforms.errors import ParseError
from policywatch.transforms.sina.feeds import FeedFormatError, parse_roll_answer, parse_zhibo_answer, strip_jsonp

URL = "https://finance.sina.com.cn/china/gncj/2021-10-10/doc-iktzscyx9453213.shtml"
WAP = "https://finance.sina.cn/2021-10-10/detail-iktzscyx9453213.d.html"

# As Sina writes it: slashes escaped, ids and times as strings, ``urls`` a JSON array inside a string.
ROLL_JSON = (
    r'{"result":{"status":{"code":0,"msg":"succ"},"timestamp":"Sun Oct 10 21:05:02 +0800 2021","top":[],'
    r'"lid":"1686","pdps":[],"total":51634,"start":0,"end":2,"data":['
    r'{"docid":"comos:ktzscyx9453213","oid":"9453213",'
    r'"url":"https:\/\/finance.sina.com.cn\/china\/gncj\/2021-10-10\/doc-iktzscyx9453213.shtml",'
    r'"wapurl":"https:\/\/finance.sina.cn\/2021-10-10\/detail-iktzscyx9453213.d.html",'
    r'"urls":"[\"https:\\\/\\\/finance.sina.com.cn\\\/china\\\/gncj\\\/2021-10-10\\\/doc-iktzscyx9453213.shtml\"]",'
    r'"title":"\u91cd\u78c5\uff01\u4e2d\u592e\u53d1\u6587","stitle":"","intro":"10\u670810\u65e5","summary":"",'
    r'"wapsummary":"","media_name":"\u8bc1\u5238\u65f6\u62a5","author":"","keywords":"\u6807\u51c6\u5316,\u7eb2\u8981",'
    r'"ctime":"1633870654","mtime":"1633870714","intime":"1633870714","img":{"u":"","w":0,"h":0}},'
    r'{"docid":"comos:ktzscyx9453000","url":"https:\/\/tech.sina.com.cn\/i\/2021-10-10\/doc-iktzscyx9453000.shtml",'
    r'"title":"\u79d1\u6280","ctime":1633870000,"intime":1633870100}'
    r"]}}"
)


def roll(items: list[dict] | None = None, **result) -> str:
    body = {"status": {"code": 0, "msg": "succ"}, "data": items if items is not None else []}
    body.update(result)
    return json.dumps({"result": body})


def error_of(data) -> FeedFormatError:
    with pytest.raises(FeedFormatError) as info:
        parse_roll_answer(data)
    assert isinstance(info.value, ParseError)  # a terminal input error: that page is lost, not the crawl
    return info.value


def test_a_json_answer_in_sina_shapes():
    page = parse_roll_answer(ROLL_JSON.encode())
    assert page.total == 51634
    first, second = page.items
    assert first.url == URL
    assert first.wapurl == WAP
    assert first.urls == (URL,)
    assert first.title == "重磅！中央发文"
    assert first.media_name == "证券时报"
    assert first.keywords == ("标准化", "纲要")
    assert first.docid == "comos:ktzscyx9453213"
    # 1633870714 = 2021-10-10 12:58:34 UTC = 20:58:34 in China (the outline's publication time)
    assert first.intime == datetime(2021, 10, 10, 12, 58, 34, tzinfo=UTC)
    assert first.ctime == datetime(2021, 10, 10, 12, 57, 34, tzinfo=UTC)
    assert first.listed_at == first.intime
    # numbers instead of strings are accepted too
    assert second.intime == datetime(2021, 10, 10, 12, 48, 20, tzinfo=UTC)
    assert second.urls == ()


def test_a_jsonp_answer_gives_the_same_page():
    wrapped = f"try{{feedCardJsonpCallback({ROLL_JSON});}}catch(e){{}};"
    assert parse_roll_answer(wrapped) == parse_roll_answer(ROLL_JSON)
    assert strip_jsonp(f"cb({ROLL_JSON})") == ROLL_JSON
    assert strip_jsonp(f"/**/ cb({ROLL_JSON});") == ROLL_JSON


def test_an_empty_data_list_is_the_end_of_the_channel():
    assert parse_roll_answer(roll([])).items == ()


def test_ctime_stands_in_for_a_missing_intime():
    (item,) = parse_roll_answer(roll([{"url": URL, "title": "t", "ctime": "1633870654"}])).items
    assert item.intime is None
    assert item.listed_at == datetime(2021, 10, 10, 12, 57, 34, tzinfo=UTC)


def test_not_json_is_a_clear_error():
    error = error_of(b"<html><body>Kinsoku jikou desu!</body></html>")
    assert error.reason == "malformed_roll"
    assert "not JSON" in str(error) and "<html>" in str(error)


def test_empty_and_undecodable_answers():
    assert "empty" in str(error_of(b"  "))
    assert "UTF-8" in str(error_of(b'{"result": "\xff\xfe"}'))


def test_an_error_status_names_sinas_message():
    error = error_of(json.dumps({"result": {"status": {"code": 1, "msg": "invalid lid"}, "data": []}}))
    assert error.reason == "roll_status"
    assert "invalid lid" in str(error)


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ({"data": []}, "(top).result is missing"),
        ({"result": []}, "(top).result is a list, expected an object"),
        ({"result": {"data": []}}, "result.status is missing"),
        ({"result": {"status": {"msg": "succ"}, "data": []}}, "result.status.code is missing"),
        ({"result": {"status": {"code": 0}}}, "result.data is missing"),
        ({"result": {"status": {"code": 0}, "data": {"0": {}}}}, "result.data is an object, expected a list"),
    ],
)
def test_missing_or_mistyped_structure_names_the_field(answer, expected):
    assert expected in str(error_of(json.dumps(answer)))


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ({"title": "t", "intime": "1633870714"}, "result.data[1].url is missing or empty"),
        ({"url": URL, "intime": "1633870714"}, "result.data[1].title is missing or empty"),
        ({"url": URL, "title": "t"}, "result.data[1].intime and ctime are both missing"),
        ({"url": URL, "title": "t", "intime": ["1633870714"]}, "result.data[1].intime is a list"),
        ({"url": URL, "title": "t", "intime": "yesterday"}, "result.data[1].intime is 'yesterday'"),
        ({"url": URL, "title": "t", "intime": True}, "result.data[1].intime is a boolean"),
        (
            {"url": {"href": URL}, "title": "t", "intime": "1633870714"},
            "result.data[1].url is an object, expected text",
        ),
        ({"url": URL, "title": "t", "intime": "1633870714", "urls": "[not json"}, "result.data[1].urls is"),
        ({"url": URL, "title": "t", "intime": "1633870714", "urls": "[1, 2]"}, "result.data[1].urls is not an array"),
        ("just text", "result.data[1] is text, expected an object"),
    ],
)
def test_a_bad_item_is_an_error_for_the_page_naming_the_item(item, expected):
    good = {"url": URL, "title": "t", "intime": "1633870714"}
    assert expected in str(error_of(roll([good, item])))


def test_keep_going_keeps_the_good_items_and_names_each_bad_one_with_its_url():
    good = {"url": URL, "title": "纲要", "intime": "1633870714"}
    page = parse_roll_answer(roll([good, {"url": WAP, "title": "t"}, "just text", good]), bad_items="keep_going")
    assert [i.title for i in page.items] == ["纲要", "纲要"]
    assert [(e.reason, str(e)) for e in page.refused] == [
        ("malformed_roll", f"roll answer: result.data[1].intime and ctime are both missing: the item has no time"
                           f" (the item of {WAP})"),
        ("malformed_roll", "roll answer: result.data[2] is text, expected an object"),
    ]  # fmt: skip
    with pytest.raises(FeedFormatError):
        parse_roll_answer(b"<html>not json</html>", bad_items="keep_going")  # the page itself still fails


ZHIBO = {
    "result": {
        "status": {"code": 0, "msg": ""},
        "data": {
            "feed": {
                "list": [
                    {
                        "id": 1516723,
                        "zhibo_id": 152,
                        "rich_text": "【传音控股：前三季度净利润同比增长】传音控股公告，前三季度实现净利润19.5亿元。",
                        "create_time": "2019-10-19 08:34:51",
                        "update_time": "2019-10-19 08:36:56",
                        "ext": json.dumps(
                            {
                                "stocks": [{"market": "cn", "symbol": "sh688036", "key": "传音控股"}],
                                "needPush": False,
                                "docurl": "https://finance.sina.com.cn/7x24/2019-10-19/doc-iicezuev3218731.shtml",
                                "docid": "icezuev3218731",
                            }
                        ),
                        "tag": [{"id": "3", "name": "公司"}, {"id": "10", "name": "A股"}],
                    }
                ]
            }
        },
    }
}


def test_a_zhibo_answer_with_its_ext_string():
    (item,) = parse_zhibo_answer(json.dumps(ZHIBO, ensure_ascii=False).encode()).items
    assert item.id == 1516723
    assert item.tags == ("公司", "A股")
    assert item.created_at.astimezone(UTC) == datetime(2019, 10, 19, 0, 34, 51, tzinfo=UTC)  # China time − 8 h
    assert [(s.market, s.symbol, s.key) for s in item.stocks] == [("cn", "sh688036", "传音控股")]
    assert item.docurl == "https://finance.sina.com.cn/7x24/2019-10-19/doc-iicezuev3218731.shtml"


def test_zhibo_jsonp_and_errors():
    text = json.dumps(ZHIBO, ensure_ascii=False)
    assert parse_zhibo_answer(f"try{{jQuery1234_5678({text});}}catch(e){{}};").items[0].id == 1516723
    broken = json.loads(text)
    entry = broken["result"]["data"]["feed"]["list"][0]
    entry["ext"] = "{stocks:"
    with pytest.raises(FeedFormatError, match=r"list\[0\]\.ext is"):
        parse_zhibo_answer(json.dumps(broken))
    del entry["ext"]
    entry["create_time"] = "19/10/2019"
    with pytest.raises(FeedFormatError, match=r"create_time is '19/10/2019'"):
        parse_zhibo_answer(json.dumps(broken))
    with pytest.raises(FeedFormatError, match=r"result.data.feed is missing") as info:
        parse_zhibo_answer(json.dumps({"result": {"status": {"code": 0}, "data": {}}}))
    assert info.value.reason == "malformed_zhibo"
