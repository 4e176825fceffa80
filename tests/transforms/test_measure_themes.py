"""Themes of the standardization outline's 35 measures, labelled by reading each measure.

A measure is labelled with a theme when its text names that field (e.g. （十） names 算力基础设施 and
工业互联网); measures about the standards system itself (（四）, （二十五）…) name no investable theme.
"""

from __future__ import annotations

from policywatch.transforms.linking.linker import link_article
from policywatch.transforms.sina.article import parse_archive_post

from tests.conftest import sample_path

EXPECTED = {
    1: set(), 2: set(),
    # 人工智能、量子信息、生物技术…两化融合、新一代信息技术、大数据、区块链…新能源…智能船舶、高铁、新能源汽车、
    # 智能网联汽车和机器人…生物医学研究、分子育种、无人驾驶
    3: {"ai", "quantum", "biotech", "industrial_internet", "big_data", "blockchain", "renewables", "smart_ships",
        "high_speed_rail", "nev", "icv", "robots"},
    4: set(), 5: set(),
    6: {"database"},  # 开展数据库等方面标准攻关
    7: {"industrial_internet", "cold_chain", "ecommerce", "big_data"},  # 智能制造…食品冷链…电子商务…大数据与产业融合
    8: {"big_data", "data_security"},  # 建立数据资源产权、交易流通、跨境传输和安全保护等标准规范
    9: set(),
    10: {"computing", "industrial_internet"},  # 算力基础设施等信息基础设施…建立工业互联网标准
    11: {"dual_carbon", "renewables", "ccus"},  # 碳达峰、碳中和…完善可再生能源标准…碳捕集利用与封存标准
    12: {"dual_carbon"},  # 统筹完善应对气候变化标准
    13: set(),
    14: {"green_finance"},  # 建立健全绿色金融、生态旅游等绿色发展标准
    15: {"dual_carbon"},  # 构建节能节水…等绿色生活标准
    16: {"smart_agriculture"},  # 加快智慧农业标准研制…加强数字乡村标准化建设
    17: {"smart_city"},  # 城市信息模型平台…智能化城市基础设施…健全智慧城市标准
    18: {"data_security"},  # 数据安全和个人信息保护、网络安全保障体系
    19: set(), 20: set(),
    21: {"smart_city"},  # 完善职业教育、智慧社区、社区服务等标准
    22: {"green_finance", "dual_carbon"},  # 推动气候变化…绿色金融、数字领域等国际标准制定
    23: set(), 24: set(), 25: set(), 26: set(),
    27: {"quantum", "ai", "big_data", "blockchain"},  # 计量量子化…人工智能、大数据、区块链
    28: set(), 29: set(), 30: set(), 31: set(), 32: set(), 33: set(), 34: set(), 35: set(),
}  # fmt: skip


def test_themes_of_every_measure(linking_context):
    article = parse_archive_post(sample_path("00_").read_bytes())
    linked = link_article(article, linking_context)
    found: dict[int, set[str]] = {m.number: set() for m in article.measures}
    ordinal_to_number = {m.ordinal: m.number for m in article.measures}
    for hit in linked.measure_themes:
        found[ordinal_to_number[hit.measure_ordinal]].add(hit.theme_id)
    assert found == EXPECTED


def test_theme_evidence_lists_the_matched_terms(linking_context):
    article = parse_archive_post(sample_path("00_").read_bytes())
    linked = link_article(article, linking_context)
    third = {h.theme_id: h.matched_terms for h in linked.measure_themes if h.measure_ordinal == 3}
    assert third["robots"] == ("机器人",)
    assert set(third["icv"]) == {"智能网联汽车", "无人驾驶"}
    # 新能源 counts for renewables, but not inside 新能源汽车 (an exclusion of that theme)
    assert third["renewables"] == ("新能源",)


def test_theme_members_reach_tickers_with_their_measure(linking_context):
    article = parse_archive_post(sample_path("00_").read_bytes())
    linked = link_article(article, linking_context)
    robots = [t for t in linked.tickers if t.via == "theme" and t.theme_id == "robots"]
    assert {t.ticker for t in robots} >= {"300024.SZ", "002747.SZ", "300124.SZ"}
    assert {t.measure_ordinal for t in robots} == {3}
    # a curated pick is reached with less confidence than a board member
    agri = {t.ticker: t.confidence for t in linked.tickers if t.theme_id == "smart_agriculture" and t.via == "theme"}
    assert agri["000816.SZ"] < next(t.confidence for t in robots)
    # 中国重工 (absorbed in 2025) was listed in 2021: it is reached through smart_ships
    assert any(t.ticker == "601989.SS" for t in linked.tickers if t.theme_id == "smart_ships")
    # 达梦数据 listed in 2024: not a 2021 ticker
    assert not any(t.ticker == "688692.SS" for t in linked.tickers)
