"""Two ways a listed company's short name appears in policy text without meaning the company. The sentences of
each class are real, quoted whole from State Council documents and Sina news of the archive (the posts of
tests/fixtures/linkage_eval); the counter-examples that keep the company (its results, its shares) are written
for the test.

1. A facility named in a list of facilities and places: the port, the airport, the railway line, not the
   listed operator.
2. A short name inside a longer proper name: a zone, a planned project, an institution, a brand.
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


@pytest.mark.parametrize(
    ("text", "code", "anchor"),
    [
        # a planned project whose name ends in the short name
        (
            "支持发展数字贸易，探索建设数字丝绸之路国际数据港，重点面向共建“一带一路”国家提供数据服务。",
            "sh603881",
            "数据港",
        ),
        # zones: the Wuhan East Lake high-tech zone, the Zhongguancun demonstration zone
        ("武汉东湖高新区培育了一批光电子企业，产业规模约占全国的50%；", "sh600133", "东湖高新"),
        (
            "支持具备条件的中关村国家自主创新示范区核心区新一轮先行先试改革政策在城市副中心落地实施。",
            "sz000931",
            "中关村",
        ),
        # an alliance named after its field
        (
            "在市场方面，7月9日，中国动力电池产业创新联盟最新发布的数据显示，今年上半年，我国动力电池产量累计达到74.7GWh，"
            "同比增长217.5%；",
            "sh600482",
            "中国动力",
        ),
        # institutions and a brand: a bad-debt manager, Sina's analyst award
        (
            "在监管部门的推动下，金融资产管理公司（简称“AMC”）纾困房企的速度加快，中国华融、中国长城资产、中国信达等全国性AMC"
            "相继与房企进行战略合作，对接纾困项目并进行出资。",
            "sz000066",
            "中国长城",
        ),
        ("炒股就看金麒麟分析师研报，权威，专业，及时，全面，助您挖掘潜力主题机会！", "sh603586", "金麒麟"),
        # no name at all: Sina's match runs across 创新 + 和 + 成果
        (
            "探索科技成果转让市场化定价机制和利益分配机制，支持跨区域共建一批产学研创新和成果转化实体。",
            "sz002001",
            "新和成",
        ),
    ],
)
def test_a_short_name_inside_a_longer_proper_name_is_not_the_company(text, code, anchor, linking_context):
    check(text, code, anchor, C, linking_context)


@pytest.mark.parametrize(
    ("text", "code", "anchor"),
    [
        ("数据港公告，拟投资建设数据中心项目。", "sh603881", "数据港"),
        ("东湖高新发布公告称，公司拟转让子公司股权。", "sh600133", "东湖高新"),
        ("新和成股价午后涨停。", "sz002001", "新和成"),
    ],
)
def test_the_short_name_alone_is_still_the_company(text, code, anchor, linking_context):
    check(text, code, anchor, M, linking_context)
