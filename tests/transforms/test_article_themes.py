"""Themes of articles without numbered measures, and when a theme's member stocks follow.

Each text is written here and its expected themes read from it by hand.
"""

from __future__ import annotations

from dataclasses import replace

from policywatch.transforms.linking.linker import link_article
from policywatch.transforms.sina.article import parse_archive_post

from tests.conftest import sample_path


def article(title: str, text: str):
    """A sample post's metadata (2022-03, no links) with the given title and text."""
    base = parse_archive_post(sample_path("02_").read_bytes())
    paragraphs = tuple(text.split("\n"))
    return replace(
        base, title=title, original_title=None, text=text, paragraphs=paragraphs, stock_links=(),
        keyword_comment_codes=None, links_match_comment=None, text_codes=(), sections=(), measures=(),
        other_lists=(),
    )  # fmt: skip


def themes_of(linked) -> dict[str, tuple[str, ...]]:
    return {t.theme_id: t.matched_terms for t in linked.measure_themes}


def test_a_nested_term_is_one_mention(linking_context):
    # 工业机器人 once: a single mention of robots, below the two an article without measures needs
    once = article("制造业观察", "某地推广工业机器人，企业加快技术改造。")
    assert "robots" not in themes_of(link_article(once, linking_context))
    # 工业机器人 and, separately, 机器人: two mentions
    twice = article("制造业观察", "某地推广工业机器人，机器人产业规模扩大。")
    assert themes_of(link_article(twice, linking_context))["robots"] == ("工业机器人", "机器人")


def sample(prefix: str, context):
    return link_article(parse_archive_post(sample_path(prefix).read_bytes()), context)


def test_articles_that_are_no_policy_name_themes_without_their_stocks(linking_context):
    # 03: the Hurun ranking names 疫苗公司康希诺 and 生物医药公司荣昌生物 — biotech as the companies' business
    # 05: fund managers on 光伏、新能源车 and 产业链自主可控 (industrial self-reliance, not IT substitution)
    # 10: IPO statistics naming 新能源汽车、光伏、风电
    expected = {"03_": {"biotech"}, "05_": {"renewables"}, "10_": {"nev", "renewables"}}
    for prefix, themes in expected.items():
        linked = sample(prefix, linking_context)
        assert set(themes_of(linked)) == themes, prefix
        assert not [t for t in linked.tickers if t.via == "theme"], prefix
        assert any("their member stocks not linked" in r for r in linked.policy.reasons), prefix


def test_a_policy_document_reaches_its_theme_stocks(linking_context):
    # 07: 国务院发布《"十四五"节能减排综合工作方案》: energy saving and carbon peaking, a policy
    linked = sample("07_", linking_context)
    assert linked.policy.is_policy and "dual_carbon" in themes_of(linked)
    assert {t.theme_id for t in linked.tickers if t.via == "theme"} == {"dual_carbon"}


def test_exclusions_of_the_bundled_themes(linking_context):
    matcher = linking_context.matcher
    # "产业链自主可控" is self-reliance of supply chains at large, not 信创
    assert matcher.match("需求主导的产业链自主可控仍是目前的大方向") == []
    assert [m.theme_id for m in matcher.match("推动基础软件和操作系统自主可控")] == ["xinchuang"]
    # "水电费" is the utility bill, "红色基因" the revolutionary heritage
    assert matcher.match("减免小微企业水电费") == []
    assert matcher.match("传承红色基因") == []
