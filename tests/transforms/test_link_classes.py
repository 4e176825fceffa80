"""Every Sina link in every sample, classified by hand from reading the sentence it sits in.

The expected classes are a reader's judgement of each sentence (quoted in the comments), never the
classifier's output.
"""

from __future__ import annotations

import pytest
from policywatch.transforms.linking.linker import link_article
from policywatch.transforms.sina.article import parse_archive_post, parse_sina_page

from tests.conftest import PAGES, sample_path

M, C, T, IDX = "mention", "name_collision", "theme_stock", "index"

EXPECTED = {
    "00_": {
        "sz300024": T,  # 研究制定…智能网联汽车和机器人等领域关键技术标准: robots as a field; 300024 makes robots
        "sz300832": C,  # 实施新产业标准化领航工程: "new industries"
        "sz000061": C,  # 循环型生态农业、农产品食品安全: farm produce
        "sz000816": C,  # 加快智慧农业标准研制: smart agriculture as a field
    },
    "01_": {
        "sz300059": M,  # 东方财富日前发布了旗下子公司…业绩
        "sh601555": M,  # 东吴证券认为 (the broker's research)
        "sh601211": M,  # 国泰君安刘欣琦团队认为
        "sh601066": M,  # 中信建投非银首席赵然认为
        "sz002926": M,  # 比如，华西证券、西南证券、天风证券、东兴证券、红塔证券均公告称
        "sh600369": M,
        "sh601162": M,
        "sh601198": M,
        "sh601236": M,
        "sz000686": M,  # 比如，东北证券主要由于…业务收入下降
        "sh600958": M,  # 东方证券表示
        "sh601099": M,  # 太平洋证券则表示: 太平洋 is the broker's short name
        "sh601375": M,  # 中原证券公告称
    },
    "02_": {},
    "03_": {
        "sh600519": M,  # 价值2.3万亿的贵州茅台不在榜单上
        "sz300750": M,  # 其次是宁德时代和美团
        "sh600521": M,  # 包括华海药业、大参林、好未来、恒大
        "sh603233": M,
        "sz002129": M,  # 半导体材料企业中环股份
        "sz300919": M,  # 锂电池材料企业中伟股份
        "sz300957": M,  # 护肤品公司贝泰妮
        "sh688185": M,  # 疫苗公司康希诺
        "sh688536": M,  # 模拟芯片公司思瑞浦
        "sz300896": M,  # 医美公司爱美客
        "sz000333": M,  # 拼多多和美的集团退出前十
        "sh688599": M,  # 光伏企业天合光能
        "sh603260": M,  # 化工企业合盛硅业
        "sh688116": M,  # 新材料公司天奈科技
        "sh601318": M,  # 中国平安保险: the insurer's own name
    },
    "04_": {},
    "05_": {
        "sh601377": M,  # 兴业证券全球首席策略分析师张忆东
        "sh603883": C,  # 老百姓手里有更多的钱: ordinary people
    },
    "06_": {},
    "07_": {},
    "08_": {
        "sh600109": M,  # 国金证券通信行业首席分析师罗露认为
        "sh601211": M,  # 国泰君安通信团队指出
    },
    "09_": {
        "sz002939": C,  # 南华瑞恒中短债、长城证券中短债、天弘增利等多只中短债基金: a fund's name
    },
    "10_": {
        "bj838275": C,  # 医疗保健…有望继续成为市场驱动力之一: "driving force"
        "sh601728": M,  # 最大IPO中国电信（601728.SH）
        "bj871245": M,  # 威博液压公开发行股票获证监会同意注册
        "sh601066": M,  # 中信建投表示
        "sh688303": M,  # A股募资十大企业中，大全能源、三峡能源等能源企业
        "sh600905": M,
    },
}

PAGE_EXPECTED = {
    "page_2015_gbk.shtml": {  # 卫星导航个股表现活跃，其中数字政通涨停，四维图新涨幅超8%…
        "sz300075": M, "sz002405": M, "sz300053": M, "sz002383": M, "sz002465": M, "sz300036": M,
    },
    "mobile_2021.html": {"sz002557": M, "sz300783": M},  # 同年，洽洽食品、三只松鼠、良品铺子等休闲食品企业
    "nested_index_links.html": {
        "sh000300": IDX, "sz399300": IDX, "sh000001": IDX,
        "bj838275": M,  # 北交所个股中，驱动力早盘一度涨超10%: the company this time
    },
}  # fmt: skip


def judge(article, context) -> dict[str, str]:
    return {link.code: j.link_class for link, j in link_article(article, context).judgements}


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_sample_link_classes(prefix, linking_context):
    article = parse_archive_post(sample_path(prefix).read_bytes())
    assert judge(article, linking_context) == EXPECTED[prefix]


@pytest.mark.parametrize("name", sorted(PAGE_EXPECTED))
def test_page_link_classes(name, linking_context):
    article = parse_sina_page((PAGES / name).read_bytes())
    assert judge(article, linking_context) == PAGE_EXPECTED[name]


def reasons(prefix, context) -> dict[str, str]:
    article = parse_archive_post(sample_path(prefix).read_bytes())
    return {link.code: j.reason for link, j in link_article(article, context).judgements}


def test_reasons_carry_the_evidence(linking_context):
    outline = reasons("00_", linking_context)
    assert "common noun" in outline["sz000061"]
    assert "robots" in outline["sz300024"] and "机器人概念" in outline["sz300024"]
    assert "curated pick of theme smart_agriculture" in outline["sz000816"]
    assert "太平洋证券" in reasons("01_", linking_context)["sh601099"]
    assert "长城证券中短债" in reasons("09_", linking_context)["sz002939"]
    assert "（601728.SH）" in reasons("10_", linking_context)["sh601728"]


def test_theme_stock_link_names_its_theme(linking_context):
    article = parse_archive_post(sample_path("00_").read_bytes())
    (robot,) = [j for link, j in link_article(article, linking_context).judgements if link.code == "sz300024"]
    assert robot.theme_id == "robots"


def test_seven_by_24_stock_tags_reach_tickers_without_being_judged(linking_context):
    from dataclasses import replace

    from policywatch.transforms.models import StockLink

    article = parse_archive_post(sample_path("02_").read_bytes())
    tag = StockLink("sz300750", "300750.SZ", "SZ", "stock", "宁德时代", None, None, ("tag",))
    tagged = replace(article, stock_links=(tag,))
    linked = link_article(tagged, linking_context)
    assert linked.judgements == ()  # a tag is Sina's editors' structured data, not a name match to judge
    (ticker,) = [t for t in linked.tickers if t.via == "zhibo_tag"]
    assert (ticker.ticker, ticker.confidence) == ("300750.SZ", 0.9)
    assert "7x24" in ticker.evidence


def facility_link(sentence: str, context) -> str:
    """The reason for the one link to 大秦铁路 (601006), a company named after the railway line it runs."""
    from policywatch.transforms.sina.article import parse_body_html

    link = (
        '<span id="stock_sh601006"><a href="https://finance.sina.com.cn/realstock/company/sh601006/nc.shtml"'
        ' class="keyword">大秦铁路</a></span>'
    )
    article = parse_body_html(f"<p>{sentence.format(link)}</p>", title="运量")
    ((_, judgement),) = link_article(article, context).judgements
    return judgement.reason


def test_a_company_named_after_its_facility_is_described_once_in_the_reason(linking_context):
    assert facility_link("{}公告称，上半年货运量同比增长。", linking_context) == (
        "'大秦铁路' is also the name of the railway line it runs, but here it names 大秦铁路 (601006.SS): "
        "followed by 公告"
    )
    assert facility_link("{}今年运量创新高。", linking_context) == (
        "'大秦铁路' is the name of the railway line it runs; here it is used in that sense and nothing around it "
        "names the company 大秦铁路 (601006.SS)"
    )
