"""Is an article a policy document (or the news of one), and is it a standardization policy? A score with reasons.

The score adds up evidence a reader can check: who issued it (the State Council, a ministry), a named document
(《…纲要》, 《…方案》, 《…意见》), the act of issuing (印发, 发布, 部署), numbered measures, and policy
vocabulary. Standardization adds how densely 标准/标准化 run through the text, the standards bodies, and
标准 in the title or the document's name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from policywatch.transforms.models import Article

__all__ = ["ISSUERS", "PolicyAssessment", "assess_policy"]

#: canonical issuer → the ways texts write it; the first group are the top-level bodies
TOP_ISSUERS: dict[str, tuple[str, ...]] = {
    "中共中央": ("中共中央", "党中央"),
    "国务院": ("国务院",),
    "国务院常务会议": ("国务院常务会议", "国常会"),
    "国务院办公厅": ("国务院办公厅", "国办"),
}
MINISTRIES: dict[str, tuple[str, ...]] = {
    "国家发展改革委": ("国家发展改革委", "国家发展和改革委员会", "国家发改委", "发改委", "发展改革委"),
    "工业和信息化部": ("工业和信息化部", "工信部"),
    "市场监管总局": ("国家市场监督管理总局", "市场监管总局"),
    "国家标准化管理委员会": ("国家标准化管理委员会", "国家标准委"),
    "财政部": ("财政部",),
    "中国人民银行": ("中国人民银行", "人民银行", "央行"),
    "证监会": ("中国证监会", "证监会"),
    "银保监会": ("银保监会", "国家金融监督管理总局"),
    "生态环境部": ("生态环境部",),
    "商务部": ("商务部",),
    "科技部": ("科技部", "科学技术部"),
    "住房和城乡建设部": ("住房和城乡建设部", "住建部"),
    "农业农村部": ("农业农村部",),
    "交通运输部": ("交通运输部",),
    "国家能源局": ("国家能源局",),
    "国家网信办": ("国家网信办", "国家互联网信息办公室"),
    "国资委": ("国务院国资委", "国资委"),
    "国务院金融稳定发展委员会": ("国务院金融稳定发展委员会", "国务院金融委"),
    "国家税务总局": ("国家税务总局", "税务总局"),
    "教育部": ("教育部",),
    "国家卫生健康委": ("国家卫生健康委", "国家卫健委"),
}
ISSUERS = {**TOP_ISSUERS, **MINISTRIES}
STANDARDS_BODIES = ("国家标准化管理委员会", "市场监管总局")
_DOC_TITLE = re.compile(
    r"《([^《》]{2,60}?(?:纲要|规划|方案|意见|通知|办法|条例|规定|决定|计划|指引|措施|细则|标准|法))》"
)
_ISSUING = re.compile(r"印发|发布|出台|部署|审议通过|确定|通知|公布|颁布")
_POLICY_WORDS = re.compile(r"政策|措施|举措|部署|实施|文件|规划|要求|推进|加快")
_STANDARD = re.compile(r"标准")


@dataclass(frozen=True, slots=True)
class PolicyAssessment:
    policy_score: float
    is_policy: bool
    standardization_score: float
    is_standardization: bool
    issuers: tuple[str, ...]
    documents: tuple[str, ...]
    reasons: tuple[str, ...]


_FORMS = sorted(((form, canonical) for canonical, forms in ISSUERS.items() for form in forms), key=lambda f: -len(f[0]))
_FORM_PATTERNS = [(re.compile(re.escape(form)), canonical) for form, canonical in _FORMS]
#: any body's name at all: most sentences have none, and are passed over before segmenting
_ANY_FORM = re.compile("|".join(re.escape(form) for form, _ in _FORMS))
_ONLY_FORMS = re.compile(f"(?:{_ANY_FORM.pattern})+")
_CHUNK = re.compile(r"[^。！？；!?;\n]+")


def _tiling(word: str) -> list[int]:
    """The inner boundaries of ``word`` if it is written entirely of bodies' names, else none."""
    if not _ONLY_FORMS.fullmatch(word):
        return []
    bounds, at = [], 0
    while at < len(word):
        form = next((f for f, _ in _FORMS if word.startswith(f, at)), None)
        if form is None:
            return []
        at += len(form)
        bounds.append(at)
    return bounds[:-1]


def _found_issuers(text: str, segment: Callable[[str], Sequence[str]]) -> list[str]:
    """The bodies named in ``text``, in order of first mention.

    A written form counts where it is a word of its own: the segmenter cuts at both its edges (国办 is not in
    我国办好, 央行 not in 中央行动, 商务部 not in 电子商务部门), and only the longest form at each place counts
    (国务院 inside 国务院常务会议 or 国务院国资委 is that body, not the State Council as well)."""
    found: dict[str, None] = {}
    for chunk in _CHUNK.finditer(text):
        sentence = chunk.group(0)
        if not _ANY_FORM.search(sentence):
            continue
        hits = [
            (m.start(), m.end(), canonical) for pattern, canonical in _FORM_PATTERNS for m in pattern.finditer(sentence)
        ]
        cuts, offset = {0}, 0
        for word in segment(sentence):
            # the segmenter knows some joint names as one word (中共中央国务院): cut them into the bodies
            cuts.update(offset + inner for inner in _tiling(word))
            offset += len(word)
            cuts.add(offset)
        reach = -1
        for start, end, canonical in sorted(hits, key=lambda h: (h[0], h[0] - h[1])):
            if start < reach or start not in cuts or end not in cuts:
                continue
            reach = end
            found[canonical] = None
    return list(found)


def assess_policy(
    article: Article, *, segment: Callable[[str], Sequence[str]], threshold: float = 0.5
) -> PolicyAssessment:
    """Score ``article``; ``segment`` is a word segmenter (the lexicon's), which decides where a body's name is
    a word of its own."""
    text = f"{article.title}\n{article.original_title or ''}\n{article.text}"
    reasons: list[str] = []

    issuers = _found_issuers(text, segment)
    top = [i for i in issuers if i in TOP_ISSUERS]
    issuer_score = 0.35 if top else min(0.35, 0.25 * len(issuers))
    if issuers:
        reasons.append(f"issuing bodies named: {', '.join(issuers)}")

    documents = list(dict.fromkeys(m.group(1) for m in _DOC_TITLE.finditer(text)))
    document_score = 0.3 if documents else 0.0
    if documents:
        reasons.append(f"policy documents named: {', '.join('《' + d + '》' for d in documents[:3])}")

    issuing = sorted(set(_ISSUING.findall(text)))
    issuing_score = 0.15 if issuing and issuers else 0.0
    if issuing_score:
        reasons.append(f"issuing verbs: {', '.join(issuing)}")

    structure_score = 0.0
    if len(article.measures) >= 5 or len(article.sections) >= 2:
        structure_score = 0.1
        reasons.append(f"{len(article.measures)} numbered measures in {len(article.sections)} sections")

    vocabulary = len(_POLICY_WORDS.findall(text))
    vocabulary_score = 0.15 if vocabulary >= 5 else 0.0
    if vocabulary_score:
        reasons.append(f"policy vocabulary (政策, 措施, 文件, 要求, 推进, …) {vocabulary} times")

    policy_score = round(
        min(1.0, issuer_score + document_score + issuing_score + structure_score + vocabulary_score), 3
    )
    is_policy = policy_score >= threshold
    if not reasons:
        reasons.append("no issuing body, policy document or policy vocabulary found")

    standard_count = len(_STANDARD.findall(article.text))
    density = 1000 * standard_count / max(1, len(article.text))
    std_score = min(0.5, density / 20 * 0.5)  # 20 per 1,000 characters or more: full weight
    titled = "标准" in article.title or any("标准" in d for d in documents)
    if titled:
        std_score += 0.3
    bodies = [b for b in STANDARDS_BODIES if b in issuers]
    if bodies:
        std_score += 0.2
    std_score = round(min(1.0, std_score), 3)
    if standard_count:
        reasons.append(f"标准 appears {standard_count} times ({density:.1f} per 1,000 characters)")
    if titled:
        reasons.append("标准 is in the title or the document's name")
    if bodies:
        reasons.append(f"standards bodies: {', '.join(bodies)}")
    return PolicyAssessment(
        policy_score=policy_score,
        is_policy=is_policy,
        standardization_score=std_score,
        is_standardization=is_policy and std_score >= threshold,
        issuers=tuple(issuers),
        documents=tuple(documents),
        reasons=tuple(reasons),
    )
