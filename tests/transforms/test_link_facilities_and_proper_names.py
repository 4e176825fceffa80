"""A listed company's short name that is a facility's in policy text: a port, an airport or a railway line named
in a list of facilities and places is the facility, not the listed operator. The sentences are real, quoted
whole from State Council documents in the archive (the posts of tests/fixtures/linkage_eval); the
counter-examples that keep the company (its results, its shares) are written for the test.
"""

from __future__ import annotations

import pytest

from tests.transforms.linking_cases import C, M, check


@pytest.mark.parametrize(
    ("text", "code", "anchor"),
    [
        # a regional plan: the zone's functions coordinated with the airport and the port of Zhuhai
        ("加强合作区与珠海机场、珠海港功能协调和产业联动。", "sz000507", "珠海港"),
        # freight corridors ending at three ports
        ("研究建设重庆经遵义至贵阳至柳州至广州港、深圳港、北部湾港等铁路集装箱货运大通道。", "sh601228", "广州港"),
        ("研究建设重庆经遵义至贵阳至柳州至广州港、深圳港、北部湾港等铁路集装箱货运大通道。", "sz000582", "北部湾港"),
        # a port area of the port of Guangzhou
        ("加快广州港南沙港区四期自动化码头建设，充分利用园区已有铁路，进一步提高港铁联运能力。", "sh601228", "广州港"),
        # ports and port areas in a list that ends in channel works
        (
            "推进锦州港、唐山京唐、曹妃甸、日照岚山、连云港港、宁波舟山条帚门、深圳港西部、广州港、洋浦港、北部湾防城港和钦州"
            "等20万吨级及以上航道建设。",
            "sh600190",
            "锦州港",
        ),
        (
            "推进唐山京唐、黄骅散货港区、日照岚山、连云港连云、宁波舟山衢山、防城港企沙等矿石码头工程。",
            "sh601008",
            "连云港",
        ),
        # works on the port
        ("推进曹妃甸港区煤炭运能扩容、日照港转型升级工程。", "sh600017", "日照港"),
        # the Beijing-Shanghai line among the corridors whose capacity is raised
        (
            "推进高速铁路主通道建设，提升沿江、沿海、呼南、京昆等重要通道以及京沪高铁辅助通道运输能力，有序建设区域连接线。",
            "sh601816",
            "京沪高铁",
        ),
    ],
)
def test_a_facility_in_a_list_of_facilities_and_places_is_the_facility(text, code, anchor, linking_context):
    check(text, code, anchor, C, linking_context)


@pytest.mark.parametrize(
    ("text", "code", "anchor"),
    [
        # the same names where the words are of the company: its results, its shares, its stock list
        ("珠海港发布2021年业绩预告，净利润同比增长。", "sz000507", "珠海港"),
        ("港口板块走强，广州港、北部湾港涨超3%。", "sh601228", "广州港"),
        ("日照港、锦州港等港口股午后拉升。", "sh600017", "日照港"),
    ],
)
def test_the_operator_is_still_the_company_where_company_words_follow(text, code, anchor, linking_context):
    check(text, code, anchor, M, linking_context)
