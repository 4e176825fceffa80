"""The own matcher on every sample article: which companies each names, read from the text by hand.

Sina links only first occurrences and misses codes and tables; the own matcher reads all of it. The
expectations below list every A-share company a reader finds named in each article on its date (quoted),
and the names that look like one but are not.
"""

from __future__ import annotations

import pytest
from policywatch.transforms.linking.linker import link_article
from policywatch.transforms.sina.article import parse_archive_post

from tests.conftest import sample_path

EXPECTED = {
    "00_": set(),  # the standardization outline names fields, no company (机器人, 农产品… are ordinary words)
    "01_": {  # 2022-07: brokers' results
        "sz300059",  # 东方财富日前发布了旗下子公司东方财富证券…
        "sh601555",  # 东吴证券认为
        "sh601211",  # 国泰君安刘欣琦团队认为
        "sh601066",  # 中信建投非银首席赵然认为
        # 华西证券、西南证券、天风证券、东兴证券、红塔证券均公告称
        "sz002926", "sh600369", "sh601162", "sh601198", "sh601236",
        "sz000686",  # 东北证券主要由于证券投资业务…
        "sh600958",  # 东方证券表示
        "sh601099",  # 太平洋证券则表示
        "sh601375",  # 中原证券公告称
        # not: 国盛证券 (002670 was listed as 国盛金控 in 2022), 开源证券 (unlisted), 东财证券 (a nickname)
    },
    "02_": set(),  # Tencent and JD donations: Hong Kong and US listings only
    "03_": {  # 2022-01: the Hurun ranking
        "sh600519",  # 价值2.3万亿的贵州茅台不在榜单上
        "sz300750",  # 宁德时代首次进入前十
        "sh600521", "sh603233",  # 包括华海药业、大参林、好未来、恒大等
        "sz300919",  # 长沙的锂电池材料企业中伟股份
        "sz300957",  # 昆明的护肤品公司贝泰妮
        "sh688185",  # 疫苗公司康希诺
        "sh688536",  # 模拟芯片公司思瑞浦
        "sz300896",  # 医美公司爱美客
        "sz000333",  # 拼多多和美的集团退出前十
        "sh688599", "sh603260",  # 光伏企业天合光能和化工企业合盛硅业
        "sh688116",  # 新材料公司天奈科技
        "sh601318",  # 中国平安保险和京东集团
        # not found, though named: 半导体材料企业中环股份 (002129, renamed TCL中环 in 2022; the oldest bundled
        # list, 2023-10, already has the new name: a known limit); 荣昌生物 (its A shares listed 2022-03-31)
    },
    "04_": set(),  # the State Council's executive meeting on VAT refunds: no company
    "05_": {"sh601377"},  # 兴业证券全球首席策略分析师张忆东; 老百姓手里有更多的钱 is ordinary people (603883)
    "06_": set(),  # "zero-waste cities": 北京特亿阳光新能源 is not listed
    "07_": set(),  # the energy-saving plan: no company
    "08_": {"sh600109", "sh601211"},  # 国金证券通信行业首席分析师罗露认为; 国泰君安通信团队指出
    "09_": set(),  # short-bond funds: 长城证券中短债 is a fund, 嘉实/鹏扬/天弘 are unlisted fund houses
    "10_": {  # 2022-01: IPO statistics of 2021
        "sh601728",  # 最大IPO中国电信（601728.SH）
        "sh601066",  # 中信建投表示
        "sh688303", "sh600905",  # 大全能源、三峡能源等能源企业
        # not: 威博液压 (871245 listed on 2022-01-06, after the article), 市场驱动力之一 (a driving force),
        # 景顺长城基金公司 (a fund house)
    },
}  # fmt: skip

#: the confidence that follows from each occurrence's evidence (docs/linking.md: 0.85 with company words, 0.75 alone)
CONFIDENCE = {
    ("01_", "sh601555"): 0.75,  # 东吴证券认为: a distinctive name; 认为 says nothing only a company does
    ("01_", "sh601375"): 0.85,  # 中原证券公告称
    ("03_", "sh601318"): 0.85,  # 中国平安保险: the insurer's own name
    ("05_", "sh601377"): 0.85,  # 兴业证券全球首席策略分析师
    ("10_", "sh601728"): 0.85,  # 中国电信（601728.SH）
}


def linked(prefix: str, context):
    return link_article(parse_archive_post(sample_path(prefix).read_bytes()), context)


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_companies_named_in_each_sample(prefix, linking_context):
    assert {m.code for m in linked(prefix, linking_context).mentions} == EXPECTED[prefix]


def test_confidences_follow_the_evidence(linking_context):
    for (prefix, code), confidence in CONFIDENCE.items():
        (mention,) = [m for m in linked(prefix, linking_context).mentions if m.code == code]
        assert mention.confidence == confidence, (prefix, code, mention.evidence)
