"""Policy and standardization labels for every sample, decided by reading the articles."""

from __future__ import annotations

import pytest

from tests.conftest import sample_path
from transforms.policy import assess_policy
from transforms.sina_article import parse_archive_post

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


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_policy_labels(prefix):
    assessment = assess_policy(parse_archive_post(sample_path(prefix).read_bytes()))
    assert (assessment.is_policy, assessment.is_standardization) == EXPECTED[prefix]
    assert 0 <= assessment.policy_score <= 1 and 0 <= assessment.standardization_score <= 1
    assert assessment.reasons


def test_reasons_name_the_issuers_and_the_document():
    assessment = assess_policy(parse_archive_post(sample_path("00_").read_bytes()))
    assert {"中共中央", "国务院"} <= set(assessment.issuers)
    assert assessment.documents == ("国家标准化发展纲要",)
    text = " ".join(assessment.reasons)
    assert "《国家标准化发展纲要》" in text and "35 numbered measures in 9 sections" in text
