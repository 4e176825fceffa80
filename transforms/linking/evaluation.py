"""Scoring the linker against hand labels: which label each of Sina's links got, per-class precision and recall.

A labelled link names Sina's link by its code, its anchor and ``near``, words of the text around it that contain
the anchor (two links of one code in one post are told apart by them). Every Sina link of a labelled post must
have exactly one label and every label exactly one link: a label that finds nothing, or a link nobody labelled,
is an error, never a silent skip, so the figures always stand on the whole set.

``unlisted`` labels are the companies a post names that Sina did not link (``name_mention``) and the stock
codes written in its text (``text_code``), compared with what the own matcher and the code reader found.
Pure: the caller reads the files, parses and links the posts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from policywatch.transforms.errors import InputError
from policywatch.transforms.linking.classifier import LinkJudgement
from policywatch.transforms.models import StockLink

__all__ = [
    "LINK_CLASSES",
    "ClassScore",
    "LinkLabel",
    "LinkOutcome",
    "PostLabels",
    "UnlistedLabel",
    "UnlistedOutcome",
    "compare_unlisted",
    "confusion",
    "match_links",
    "score_links",
    "score_unlisted",
]

LINK_CLASSES = ("mention", "name_collision", "theme_stock", "index")
UnlistedKind = Literal["name_mention", "text_code"]


@dataclass(frozen=True, slots=True)
class LinkLabel:
    code: str  #: Sina form, ``sz000061``
    anchor: str
    near: str  #: words of the post around the link; contains ``anchor``
    label: str
    reason: str
    sure: bool  #: False: kept and shown, not counted in the figures
    line: int  #: line of the label in its file, for errors


@dataclass(frozen=True, slots=True)
class UnlistedLabel:
    kind: UnlistedKind
    code: str
    reason: str
    line: int


@dataclass(frozen=True, slots=True)
class PostLabels:
    post: str  #: file name of the post
    kind: str  #: policy | news
    links: tuple[LinkLabel, ...]
    unlisted: tuple[UnlistedLabel, ...] | None  #: None: the post's unlinked names were not labelled


@dataclass(frozen=True, slots=True)
class LinkOutcome:
    post: str
    kind: str
    label: LinkLabel
    predicted: str
    reason: str  #: the linker's


@dataclass(frozen=True, slots=True)
class UnlistedOutcome:
    post: str
    kind: UnlistedKind
    code: str
    labelled: bool
    found: bool
    evidence: str  #: the label's reason, or what the linker said


@dataclass(frozen=True, slots=True)
class ClassScore:
    name: str
    labelled: int
    predicted: int
    correct: int

    @property
    def precision(self) -> float | None:
        return self.correct / self.predicted if self.predicted else None

    @property
    def recall(self) -> float | None:
        return self.correct / self.labelled if self.labelled else None


def _is_at(label: LinkLabel, link: StockLink, text: str) -> bool:
    """Is ``link`` the one ``label`` names? A link whose words the parser set aside (an original-title or a
    source line: no position in the text) is found by its code and anchor alone."""
    if link.code != label.code or link.anchor_text != label.anchor:
        return False
    if link.position is None:
        return True
    start = link.position - label.near.find(label.anchor)
    return start >= 0 and text[start : start + len(label.near)] == label.near


def match_links(
    labels: PostLabels, text: str, judgements: Sequence[tuple[StockLink, LinkJudgement]]
) -> tuple[LinkOutcome, ...]:
    """Pair each label with the judgement of the one Sina link it names; raise on any link or label left over."""
    outcomes, taken = [], set()
    for label in labels.links:
        if label.anchor not in label.near:
            raise InputError(f"{labels.post}, label at line {label.line}: near does not contain the anchor")
        hits = [i for i, (link, _) in enumerate(judgements) if i not in taken and _is_at(label, link, text)]
        if not hits:
            raise InputError(
                f"{labels.post}, label at line {label.line}: no Sina link to {label.code} on '{label.anchor}' "
                f"where the text reads '{label.near}'",
                reason="label_without_link",
            )
        taken.add(hits[0])
        judgement = judgements[hits[0]][1]
        outcomes.append(LinkOutcome(labels.post, labels.kind, label, judgement.link_class, judgement.reason))
    left = [f"{link.code} '{link.anchor_text}'" for i, (link, _) in enumerate(judgements) if i not in taken]
    if left:
        raise InputError(f"{labels.post}: Sina links without a label: {', '.join(left)}", reason="unlabelled_link")
    return tuple(outcomes)


def compare_unlisted(labels: PostLabels, found: Iterable[tuple[UnlistedKind, str, str]]) -> tuple[UnlistedOutcome, ...]:
    """Labelled against ``found`` (kind, code, evidence): what the matcher and the code reader reported for the
    post, leaving out the companies Sina linked. Empty when the post's unlisted names were not labelled."""
    if labels.unlisted is None:
        return ()
    wanted = {(u.kind, u.code): u for u in labels.unlisted}
    got = {(kind, code): evidence for kind, code, evidence in found}
    return tuple(
        UnlistedOutcome(
            labels.post,
            kind,
            code,
            labelled=(kind, code) in wanted,
            found=(kind, code) in got,
            evidence=wanted[(kind, code)].reason if (kind, code) in wanted else got[(kind, code)],
        )
        for kind, code in sorted(set(wanted) | set(got))
    )


def score_links(outcomes: Iterable[LinkOutcome]) -> tuple[ClassScore, ...]:
    """Precision and recall of each class over the sure labels."""
    sure = [o for o in outcomes if o.label.sure]
    return tuple(
        ClassScore(
            name,
            labelled=sum(o.label.label == name for o in sure),
            predicted=sum(o.predicted == name for o in sure),
            correct=sum(o.label.label == name == o.predicted for o in sure),
        )
        for name in LINK_CLASSES
    )


def confusion(outcomes: Iterable[LinkOutcome]) -> Counter[tuple[str, str]]:
    """(label, predicted) → how many sure labels."""
    return Counter((o.label.label, o.predicted) for o in outcomes if o.label.sure)


def score_unlisted(outcomes: Iterable[UnlistedOutcome]) -> tuple[ClassScore, ...]:
    outcomes = list(outcomes)
    return tuple(
        ClassScore(
            kind,
            labelled=sum(o.labelled for o in outcomes if o.kind == kind),
            predicted=sum(o.found for o in outcomes if o.kind == kind),
            correct=sum(o.labelled and o.found for o in outcomes if o.kind == kind),
        )
        for kind in ("name_mention", "text_code")
    )
