from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from policywatch.transforms.alerts.matching import (
    AlertCandidate,
    CandidateMeasure,
    CandidateTicker,
    SinaLink,
    match_rule,
)
from policywatch.transforms.alerts.message import render_alert
from policywatch.transforms.alerts.watchlist import Rule

OUTLINE = AlertCandidate(
    article_id="h1",
    title="中央发文：国家标准化发展纲要",
    url="https://finance.sina.com.cn/x/doc-iktzscyx9453213.shtml",
    origin_ref=None,
    published_at=datetime(2021, 10, 10, 12, 58, tzinfo=UTC),
    policy_score=1.0,
    is_policy=True,
    standardization_score=0.8,
    is_standardization=True,
    issuers=("中共中央", "国务院"),
    documents=("国家标准化发展纲要",),
    text="……加快智慧农业标准研制……",
    measures=(
        CandidateMeasure(3, "（三）", "加强关键技术领域标准研究", (("ai", ("人工智能",)), ("robots", ("机器人",)))),
        CandidateMeasure(16, "（十六）", "推进乡村振兴标准化建设", (("smart_agriculture", ("智慧农业",)),)),
    ),
    article_themes=(),
    tickers=(
        CandidateTicker("300024.SZ", "机器人", 0.5, ("sina_link", "theme"), ("theme_stock",), ("robots",)),
        CandidateTicker("002747.SZ", "埃斯顿", 0.4, ("theme",), (), ("robots",)),
        CandidateTicker("000061.SZ", "农产品", 0.1, ("sina_link",), ("name_collision",), ()),
    ),
    sina_links=(
        SinaLink("机器人", "300024.SZ", "theme_stock", "…"),
        SinaLink("农产品", "000061.SZ", "name_collision", "…"),
    ),
)


def rule(**kw) -> Rule:
    return Rule(id="r", channels=("c",), **kw)


def test_themes_select_the_measures_that_name_them():
    match = match_rule(rule(themes=("robots", "nev")), OUTLINE)
    assert match.themes == ("robots",)
    assert [m.label for m in match.measures] == ["（三）"]


def test_standardization_only_skips_other_policies():
    other = replace(OUTLINE, is_standardization=False)
    assert match_rule(rule(themes=("robots",), standardization_only=True), other) is None
    assert match_rule(rule(themes=("robots",)), other) is not None
    weak = replace(OUTLINE, policy_score=0.3)
    assert match_rule(rule(themes=("robots",)), weak) is None
    assert match_rule(rule(themes=("robots",), min_policy_score=0.3), weak) is not None


def test_name_collisions_do_not_count_as_tracked_tickers():
    assert match_rule(rule(tickers=("000061.SZ",)), OUTLINE) is None
    assert match_rule(rule(tickers=("000061.SZ",), min_ticker_confidence=0.1), OUTLINE) is not None
    hit = match_rule(rule(tickers=("300024.SZ",)), OUTLINE)
    assert [t.ticker for t in hit.tickers] == ["300024.SZ"] and [m.label for m in hit.measures] == ["（三）"]


def test_keywords():
    assert match_rule(rule(keywords=("智慧农业",)), OUTLINE).keywords == ("智慧农业",)
    assert match_rule(rule(keywords=("稀土",)), OUTLINE) is None


def test_message_says_what_a_reader_needs_in_chinese():
    match = match_rule(rule(themes=("robots",), description="机器人政策"), OUTLINE)
    message = render_alert(OUTLINE, match, {"robots": "机器人", "ai": "人工智能"})
    assert message.title == "【policywatch】标准化政策：中央发文：国家标准化发展纲要"
    body = message.body
    for expected in (
        "发布时间：2021-10-10 20:58（北京时间）",
        "发布机构：中共中央、国务院",
        "《国家标准化发展纲要》",
        "https://finance.sina.com.cn/x/doc-iktzscyx9453213.shtml",
        "（三）加强关键技术领域标准研究 — 机器人（robots）：机器人",
        "机器人 相关股票：300024.SZ 机器人、002747.SZ 埃斯顿",
        "农产品 000061.SZ：名称撞车",
        "机器人 300024.SZ：主题股",
        "触发规则：r（机器人政策）",
    ):
        assert expected in body
    assert "人工智能（ai）" not in body  # only the tracked theme of the measure is shown


def test_a_theme_with_more_stocks_than_shown_says_how_many_were_left_out():
    members = tuple(CandidateTicker(f"60000{i}.SS", f"机器人{i}", 0.4, ("theme",), (), ("robots",)) for i in range(8))
    many = replace(OUTLINE, tickers=members)
    body = render_alert(many, match_rule(rule(themes=("robots",)), many), {"robots": "机器人"}).body
    assert "600005.SS 机器人5 等 8 只（另有 2 只未列出）" in body
    assert "600006.SS" not in body


def test_a_link_to_the_local_replay_says_it_works_only_while_the_demo_runs():
    local = replace(OUTLINE, url="http://127.0.0.1:38449/china/2021-10-10/doc-iktzscyx9453213.shtml")
    body = render_alert(local, match_rule(rule(themes=("robots",)), local), {"robots": "机器人"}).body
    assert "链接：http://127.0.0.1:38449/china/2021-10-10/doc-iktzscyx9453213.shtml（演示用本地回放" in body
    real = render_alert(OUTLINE, match_rule(rule(themes=("robots",)), OUTLINE), {"robots": "机器人"}).body
    assert "链接：https://finance.sina.com.cn/x/doc-iktzscyx9453213.shtml\n" in real
