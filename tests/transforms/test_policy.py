"""Policy and standardization labels for every sample, decided by reading the articles."""

from __future__ import annotations

from dataclasses import replace

import pytest
from policywatch.transforms.policy.score import assess_policy
from policywatch.transforms.sina.article import parse_archive_post

from tests.conftest import sample_path

# (is a policy document or the news of one, is a standardization policy)
EXPECTED = {
    "00_": (True, True),  # 中共中央、国务院印发《国家标准化发展纲要》
    "01_": (False, False),  # a broker's half-year results
    "02_": (False, False),  # donations of test kits
    "03_": (False, False),  # the Hurun ranking
    "04_": (True, False),  # 国务院常务会议确定实施大规模增值税留抵退税
    "05_": (False, False),  # fund managers on investing under common prosperity
    "06_": (True, False),  # 生态环境部会同17个部门印发《"十四五"时期"无废城市"建设工作方案》
    "07_": (True, False),  # 国务院发布《"十四五"节能减排综合工作方案》
    "08_": (True, False),  # 发改委等部委通知…启动建设国家算力枢纽节点
    "09_": (False, False),  # short-bond fund drawdowns
    "10_": (False, False),  # IPO statistics of 2021
}


def assess(article, context):
    return assess_policy(article, segment=context.lexicon.segment)


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_policy_labels(prefix, linking_context):
    assessment = assess(parse_archive_post(sample_path(prefix).read_bytes()), linking_context)
    assert (assessment.is_policy, assessment.is_standardization) == EXPECTED[prefix]
    assert 0 <= assessment.policy_score <= 1 and 0 <= assessment.standardization_score <= 1
    assert assessment.reasons


def test_reasons_name_the_issuers_and_the_document(linking_context):
    assessment = assess(parse_archive_post(sample_path("00_").read_bytes()), linking_context)
    assert {"中共中央", "国务院"} <= set(assessment.issuers)
    assert assessment.documents == ("国家标准化发展纲要",)
    text = " ".join(assessment.reasons)
    assert "《国家标准化发展纲要》" in text and "35 numbered measures in 9 sections" in text


def with_text(text: str):
    base = parse_archive_post(sample_path("02_").read_bytes())
    return replace(base, title="新闻", original_title=None, text=text, paragraphs=(text,), measures=(), sections=())


@pytest.mark.parametrize(
    ("text", "issuers"),
    [
        # "我国办好" (our country runs well): 国 and 办 belong to different words, no 国办 (国务院办公厅) here
        ("我国办好自己的事情是应对挑战的关键。", ()),
        # "中央行动" (the centre's action): no 央行 (中国人民银行)
        ("各地紧跟中央行动部署。", ()),
        # "电子商务部门" (e-commerce departments): no 商务部
        ("电子商务部门加强监管。", ()),
        # the central bank by its short name, and 国办 in a document number
        ("央行宣布降准0.5个百分点。", ("中国人民银行",)),
        ("国办印发《关于进一步优化营商环境的意见》。", ("国务院办公厅",)),
        # "国务院常务会议确定": the executive meeting, named once, not the State Council as well
        ("国务院常务会议确定实施大规模增值税留抵退税。", ("国务院常务会议",)),
        # "中共中央、国务院印发": both; also when written together in a document's title (sample 06)
        ("中共中央、国务院印发《国家标准化发展纲要》。", ("中共中央", "国务院")),
        ("在《中共中央国务院关于深入打好污染防治攻坚战的意见》中明确提出。", ("中共中央", "国务院")),
        # "国务院国资委": the state-assets commission, not the State Council as well
        ("国务院国资委召开会议。", ("国资委",)),
    ],
)
def test_issuers_are_whole_words(text, issuers, linking_context):
    assert assess(with_text(text), linking_context).issuers == issuers


def test_the_executive_meeting_article_names_no_bare_state_council(linking_context):
    # sample 04: 国务院常务会议 (four times), 国务院金融委 (its financial committee) and 财政部; 国务院 is never
    # written on its own there
    assessment = assess(parse_archive_post(sample_path("04_").read_bytes()), linking_context)
    assert set(assessment.issuers) == {"国务院常务会议", "国务院金融稳定发展委员会", "财政部"}
