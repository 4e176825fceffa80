"""Themes of articles without numbered measures, and when a theme's member stocks follow.

Each text is written here and its expected themes read from it by hand.
"""

from __future__ import annotations

from dataclasses import replace

from tests.conftest import sample_path
from transforms.linking import link_article
from transforms.sina_article import parse_archive_post


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
