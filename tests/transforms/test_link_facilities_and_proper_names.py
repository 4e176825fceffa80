"""Two ways a listed company's short name appears in policy text without meaning the company, and the one way a
farm-produce word is the company's business. The sentences of each class are real, quoted whole from State
Council documents and Sina news of the archive (the posts of tests/fixtures/linkage_eval); the counter-examples
that keep the company (its results, its shares) are written for the test.

1. A facility named in a list of facilities and places: the port, the airport, the railway line, not the
   listed operator.
2. A short name inside a longer proper name: a zone, a planned project, an institution, a brand.
3. 农产品 (000061): a theme stock where the measure names cold chain (the company runs farm-produce markets and
   cold-chain logistics and sits in the board 冷链物流), the ordinary word elsewhere.
"""

from __future__ import annotations

import pytest
from policywatch.transforms.linking.classifier import classify_stock_link

from tests.transforms.linking_cases import DAY, C, M, T, check, sina_link


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


#: measure (九) of the State Council's opinions on Guizhou (2022)
GUIZHOU_NINE = (
    "（九）大力发展现代山地特色高效农业。严格落实全省耕地保护任务与责任，强化耕地数量保护和质量提升，调整优化耕地布局，"
    "核实整改补划永久基本农田，促进优质耕地集中连片，到2030年建成高标准农田2800万亩以上。做优做精特色优势农产品，"
    "提高重要农产品标准化、规模化、品牌化水平。深入实施品牌强农战略，打造一批区域公用品牌、农业企业品牌和农产品品牌。"
    "加快现代种业、特色优势杂粮、优质稻推广，推动山地适用小型农机研发推广应用，推进丘陵山区农田宜机化改造。"
    "支持建设产地冷链物流设施，鼓励农业产业化龙头企业、农产品流通企业和大型商超在贵州建设绿色农产品供应基地，推动“黔货出山”。"
)
#: a paragraph of Xinhua's report on the 14th five-year cold-chain logistics plan (2021)
COLD_CHAIN_PLAN = (
    "《规划》明确五方面原则，即市场驱动、政府引导，统筹推进、分类指导，创新引领、提质增效，区域协同、联动融合，绿色智慧、"
    "安全可靠。到2025年，初步形成衔接产地销地、覆盖城市乡村、联通国内国际的冷链物流网络，基本建成符合我国国情和产业结构"
    "特点、适应经济社会发展需要的冷链物流体系。布局建设100个左右国家骨干冷链物流基地，基本建成以国家骨干冷链物流基地为核心、"
    "产销冷链集配中心和两端冷链物流设施为支撑的三级冷链物流节点设施网络。冷链物流规模化组织效率大幅提升，技术装备水平和"
    "标准化、智慧化、绿色化水平明显提高，成本水平显著降低，服务能力显著增强，形成一批具有较强国际竞争力的综合性龙头企业。"
    "农产品产后损失和食品流通浪费显著减少。基本建立“政府监管、企业自管、行业自律、社会监督”的监管机制。展望2035年，"
    "全面建成现代冷链物流体系，设施网络、技术装备、服务质量达到世界先进水平，行业监管和治理能力基本实现现代化。"
)


def _in_measure(text: str, anchor: str, context):
    """The judgement of a Sina link to 000061 on ``anchor`` when ``text`` is the whole measure."""
    return classify_stock_link(sina_link(text, "sz000061", anchor), text, DAY, context, scope=(0, len(text)))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # measures on cold chain: the farm produce the company trades and keeps cold
        (GUIZHOU_NINE, T),
        (COLD_CHAIN_PLAN, T),
        # measures on grain supply, farmland, freight: the ordinary word
        ("12．保障粮食等重要农产品供应。", C),
        (
            "强化进港区、进园区、进厂区、进规模化农产品基地等集疏运设施建设，加快推动铁路进港口重点港区和大型工矿企业、物流园区、"
            "重点物资储备库。",
            C,
        ),
        ("一、全力抓好粮食生产和重要农产品供给", C),
    ],
)
def test_farm_produce_is_the_company_s_field_only_where_the_measure_names_cold_chain(text, expected, linking_context):
    judgement = _in_measure(text, "农产品", linking_context)
    assert judgement.link_class == expected, judgement.reason
    if expected == T:
        assert judgement.theme_id == "cold_chain"
        assert "its measure names 冷链物流" in judgement.reason and "TDX 冷链物流" in judgement.reason


def test_a_measure_theme_makes_no_theme_stock_of_a_place_or_a_curated_phrase(linking_context):
    # 中关村 is a place and 线上线下 a curated phrase: a measure on big data or e-commerce does not make them
    # fields (sentences written for the test; 000931 is in TDX 大数据, 300959 in boards of e-commerce)
    for text, code, anchor in [
        ("支持中关村建设大数据交易中心。", "sz000931", "中关村"),
        ("推动线上线下消费深度融合，发展农村电商。", "sz300959", "线上线下"),
    ]:
        judgement = classify_stock_link(sina_link(text, code, anchor), text, DAY, linking_context, scope=(0, len(text)))
        assert judgement.link_class == C, judgement.reason


def test_a_link_in_the_source_line_is_the_outlet_not_the_company(linking_context):
    # 来源：中国银行保险报 is set aside by the parser; Sina linked 中国银行 in it
    link = sina_link("x中国银行", "sh601988", "中国银行")
    link = type(link)(link.code, link.ticker, link.exchange, link.kind, "中国银行", None, None, ("span",))
    judgement = classify_stock_link(link, "正文", DAY, linking_context, source="中国银行保险报")
    assert judgement.link_class == C and "中国银行保险报" in judgement.reason
    in_title = classify_stock_link(link, "正文", DAY, linking_context, source="新华社")
    assert in_title.link_class == M and "original title" in in_title.reason


def test_a_ranking_line_of_share_moves_names_the_company(linking_context):
    # 新希望 is also "a new hope"; in a list of the sector's stocks with their moves it is the pig farmer
    text = (
        "从2021年1月1日到12月1日，当期营收前三的样本公司，在A股的表现如下：\n新希望： 下跌35.2%；\n牧原股份：下跌2.5%；"
    )
    check(text, "sz000876", "新希望", M, linking_context)
