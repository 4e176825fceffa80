from __future__ import annotations

import csv

import pytest
from policywatch.transforms.errors import ConfigError
from policywatch.transforms.policy.themes import ThemeMatcher, parse_taxonomy

from policywatch.reference import BUNDLED_REFERENCE, BUNDLED_THEMES, load_taxonomy

GOOD = """\
themes:
  - id: robots
    name_zh: 机器人
    name_en: robots
    terms: [机器人, 工业机器人]
    exclusions: [聊天机器人]
    boards:
      EM: [机器人概念]
    members:
      - {ticker: 300024.SZ, name: 机器人, source: board, boards: [EM 机器人概念]}
      - {ticker: 002747.SZ, name: 埃斯顿, source: curated, note: robot arms}
  - id: ai
    name_zh: 人工智能
    name_en: AI
    terms: [人工智能, AI, 5G]
"""


def test_bundled_taxonomy_covers_every_reference_theme():
    taxonomy = load_taxonomy()
    assert len(taxonomy.themes) >= 24
    with (BUNDLED_REFERENCE / "theme_tickers.csv").open(encoding="utf-8") as handle:
        reference = {(row["theme"], row["yahoo"]) for row in csv.DictReader(handle)}
    members = {m.ticker for t in taxonomy.themes for m in t.members}
    assert {ticker for _, ticker in reference} <= members
    for theme in taxonomy.themes:
        assert theme.name_zh and theme.name_en and theme.terms


def test_parse_a_small_taxonomy():
    taxonomy = parse_taxonomy(GOOD)
    assert [t.id for t in taxonomy.themes] == ["robots", "ai"]
    assert taxonomy.get("ai").terms == ("人工智能", "AI", "5G")


@pytest.mark.parametrize(
    ("broken", "line", "message"),
    [
        (GOOD.replace("ticker: 300024.SZ", "ticker: 300024"), 10, "not a ticker"),
        (GOOD.replace("source: curated, note: robot arms", "source: curated"), 11, "needs a note"),
        (GOOD.replace("    name_en: AI\n", ""), 12, "name_en"),
        (GOOD.replace("  - id: ai", "  - id: robots"), 12, "appears twice"),
        (GOOD.replace("boards: [EM 机器人概念]", "boards: [EM 不存在]"), 10, "not among the theme's boards"),
        (GOOD.replace("id: ai", "id: AI Theme"), 12, "lowercase slugs"),
        (GOOD + "  - id: x\n    unknown_key: 1\n", 17, "unknown_key"),
        # an empty value is null, read as such (it once crashed the line-keeping loader)
        (GOOD.replace("    name_en: AI\n", "    name_en:\n"), 14, "name_en"),
    ],
)
def test_malformed_taxonomy_names_the_line(broken, line, message):
    with pytest.raises(ConfigError) as info:
        parse_taxonomy(broken, "mine.yaml")
    text = str(info.value)
    assert message in text and "mine.yaml" in text
    if line is not None:
        assert f"line {line}" in text


def test_a_bare_code_read_as_a_number_says_how_to_write_it():
    # YAML reads the unquoted 002230 as the octal number 1176: the error must not leave the user with "1176"
    broken = GOOD.replace("ticker: 002747.SZ", "ticker: 002230")
    with pytest.raises(ConfigError) as info:
        parse_taxonomy(broken, "mine.yaml")
    text = str(info.value)
    assert "line 11" in text and "read unquoted digits as a number" in text and '"002230.SZ"' in text


def test_invalid_yaml_names_the_line():
    # the parser stops where the unclosed list meets the next item
    with pytest.raises(ConfigError, match=r"mine\.yaml, line 4: not valid YAML"):
        parse_taxonomy("themes:\n  - id: a\n    terms: [unclosed\n  - id: b\n", "mine.yaml")


def test_matcher_exclusions_and_ascii_words():
    matcher = ThemeMatcher(parse_taxonomy(GOOD))
    hits = {m.theme_id: m for m in matcher.match("工业机器人和聊天机器人都在发展，AI与5G融合，MAIN不算")}
    # the text names robots once: 工业机器人 (机器人 inside it is the same words, not a second mention) and
    # 聊天机器人 (an exclusion: chat bots are not robots)
    assert hits["robots"].terms == ("工业机器人",)
    assert hits["robots"].count == 1
    assert hits["ai"].terms == ("AI", "5G") and hits["ai"].count == 2
    assert matcher.match("聊天机器人") == []


def test_nested_terms_count_once():
    matcher = ThemeMatcher(parse_taxonomy(GOOD))
    # "推广工业机器人": one robot word; an article needs two mentions (or the title) to name a theme by itself
    (robots,) = matcher.match("推广工业机器人")
    assert (robots.terms, robots.count) == (("工业机器人",), 1)
    # "工业机器人和机器人产业": two separate mentions
    (robots,) = matcher.match("工业机器人和机器人产业")
    assert (robots.terms, robots.count) == (("工业机器人", "机器人"), 2)


def test_the_bundled_file_is_what_the_taxonomy_loader_reads():
    assert load_taxonomy(BUNDLED_THEMES) == load_taxonomy()
