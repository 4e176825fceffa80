"""The evaluation's own parts: the labels file, pairing labels with links, and the figures, on small hand-made sets
whose right answers are counted by hand."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from policywatch.transforms.errors import ConfigError, InputError
from policywatch.transforms.linking.classifier import LinkJudgement
from policywatch.transforms.linking.evaluation import (
    LinkLabel,
    LinkOutcome,
    PostLabels,
    confusion,
    match_links,
    score_links,
)
from policywatch.transforms.models import StockLink

from policywatch.linkage_evaluation import evaluate_set, format_report, parse_labels
from tests.conftest import FIXTURES

SET = FIXTURES / "linkage_eval"
TEXT = "机器人行业景气。拓斯达、机器人等公司公告增持。"


def _link(code: str, anchor: str, position: int | None) -> StockLink:
    return StockLink(code, f"{code[2:]}.SZ", "SZ", "stock", anchor, position, 0, ("span",))  # type: ignore[arg-type]


def _label(code: str, anchor: str, near: str, label: str, sure: bool = True) -> LinkLabel:
    return LinkLabel(code, anchor, near, label, "why", sure, 1)


def _judged(cls: str) -> LinkJudgement:
    return LinkJudgement(cls, f"said {cls}", 0.5)  # type: ignore[arg-type]


def test_two_links_of_one_code_are_told_apart_by_the_words_around_them():
    judgements = [
        (_link("sz300024", "机器人", 0), _judged("theme_stock")),
        (_link("sz300024", "机器人", TEXT.index("、机器人") + 1), _judged("mention")),
    ]
    labels = PostLabels(
        "p.md",
        "news",
        (
            _label("sz300024", "机器人", "拓斯达、机器人等公司", "mention"),
            _label("sz300024", "机器人", "机器人行业", "theme_stock"),
        ),
        None,
    )
    outcomes = match_links(labels, TEXT, judgements)
    assert [(o.label.label, o.predicted) for o in outcomes] == [("mention", "mention"), ("theme_stock", "theme_stock")]


def test_a_label_that_finds_no_link_is_an_error_naming_it():
    labels = PostLabels("p.md", "news", (_label("sz300024", "机器人", "机器人产业", "theme_stock"),), None)
    with pytest.raises(InputError, match=r"p\.md, label at line 1: no Sina link to sz300024 on '机器人'"):
        match_links(labels, TEXT, [(_link("sz300024", "机器人", 0), _judged("theme_stock"))])


def test_a_link_without_a_label_is_an_error_naming_it():
    labels = PostLabels("p.md", "news", (), None)
    with pytest.raises(InputError, match=r"p.md: Sina links without a label: sz300024 '机器人'") as caught:
        match_links(labels, TEXT, [(_link("sz300024", "机器人", 0), _judged("theme_stock"))])
    assert caught.value.reason == "unlabelled_link"


def test_near_must_quote_the_anchor():
    labels = PostLabels("p.md", "news", (_label("sz300024", "机器人", "行业景气", "theme_stock"),), None)
    with pytest.raises(InputError, match="near does not contain the anchor"):
        match_links(labels, TEXT, [(_link("sz300024", "机器人", 0), _judged("theme_stock"))])


def test_figures_by_hand():
    # five sure labels and one unsure one, counted by hand:
    #   mention: labelled 2, predicted 3 (one of them a collision), correct 2 → precision 2/3, recall 1
    #   name_collision: labelled 2, predicted 1, correct 1 → precision 1, recall 1/2
    #   theme_stock: labelled 1, predicted 1, correct 1; index: none → no figures
    pairs = [
        ("mention", "mention", True),
        ("mention", "mention", True),
        ("name_collision", "mention", True),
        ("name_collision", "name_collision", True),
        ("theme_stock", "theme_stock", True),
        ("theme_stock", "mention", False),
    ]
    outcomes = [
        LinkOutcome("p.md", "news", _label("sz000001", "x", "x", label, sure), predicted, "")
        for label, predicted, sure in pairs
    ]
    scores = {s.name: s for s in score_links(outcomes)}
    assert (scores["mention"].labelled, scores["mention"].predicted, scores["mention"].correct) == (2, 3, 2)
    assert scores["mention"].precision == pytest.approx(2 / 3) and scores["mention"].recall == 1
    assert scores["name_collision"].precision == 1 and scores["name_collision"].recall == 0.5
    assert (scores["theme_stock"].precision, scores["theme_stock"].recall) == (1, 1)
    assert scores["index"].precision is None and scores["index"].recall is None
    assert confusion(outcomes) == {
        ("mention", "mention"): 2,
        ("name_collision", "mention"): 1,
        ("name_collision", "name_collision"): 1,
        ("theme_stock", "theme_stock"): 1,
    }


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("posts: [", "labels.yaml, line 1: not valid YAML"),
        (
            "posts:\n  - post: a.md\n    kind: policy\n    links:\n      - code: sz000061\n        anchor: 农产品\n"
            "        near: 农产品流通\n        label: theme\n        reason: why\n",
            "line 8: posts.0.links.0.label",
        ),
        ("posts:\n  - post: a.md\n    kind: blog\n    links: []\n", "line 3: posts.0.kind"),
        (
            "posts:\n  - post: a.md\n    kind: news\n    links:\n"
            "      - {code: sz000061, anchor: 农产品, near: 农产品, label: mention, reason: farm produce, a word}\n",
            "line 5: posts.0.links.0.a word: Extra inputs",
        ),
        (
            "posts:\n  - post: a.md\n    kind: news\n    links: []\n  - post: a.md\n    kind: news\n    links: []\n",
            "line 5: a.md is labelled twice",
        ),
        (
            "posts:\n  - post: a.md\n    kind: news\n    links: []\n    unlisted:\n      - kind: name_mention\n"
            "        code: 834277\n        near: x\n        reason: y\n",
            "line 7: posts.0.unlisted.0.code",
        ),
    ],
    ids=["yaml", "label", "kind", "comma-cut-reason", "twice", "code"],
)
def test_a_broken_labels_file_is_an_error_naming_the_line(yaml_text, message):
    with pytest.raises(ConfigError, match=message.replace(".", r"\.")):
        parse_labels(yaml_text, "labels.yaml")


def _copy_set(tmp_path: Path, posts: list[str], labels: str) -> Path:
    (tmp_path / "posts").mkdir()
    for name in posts:
        shutil.copy(SET / "posts" / name, tmp_path / "posts" / name)
    (tmp_path / "labels.yaml").write_text(labels, encoding="utf-8")
    return tmp_path


POST = "1000多家深企 拟获研发资助.md"


def test_a_missing_post_is_an_error_not_a_skip(tmp_path, linking_context):
    folder = _copy_set(tmp_path, [], f"posts:\n  - post: {POST}\n    kind: news\n    links: []\n")
    with pytest.raises(InputError, match="is not in") as caught:
        evaluate_set(folder, linking_context)
    assert caught.value.reason == "missing_post"


def test_an_unlabelled_link_in_a_real_post_stops_the_evaluation(tmp_path, linking_context):
    folder = _copy_set(tmp_path, [POST], f"posts:\n  - post: {POST}\n    kind: news\n    links: []\n")
    with pytest.raises(InputError, match="Sina links without a label"):
        evaluate_set(folder, linking_context)


def test_report_shows_figures_matrix_and_each_disagreement_with_both_reasons(tmp_path, linking_context):
    labels = next(p for p in parse_labels((SET / "labels.yaml").read_text(encoding="utf-8")) if p.post == POST)
    (link,) = labels.links
    wrong = "name_collision" if link.label == "mention" else "mention"
    folder = _copy_set(
        tmp_path,
        [POST],
        f"posts:\n  - post: {POST}\n    kind: news\n    links:\n      - code: {link.code}\n"
        f"        anchor: {link.anchor}\n        near: {link.near}\n        label: {wrong}\n"
        "        reason: a deliberately wrong label\n",
    )
    report = format_report(evaluate_set(folder, linking_context))
    assert "confusion (rows: label, columns: policywatch)" in report
    assert f"labelled {wrong}, policywatch" in report and "label: a deliberately wrong label" in report
