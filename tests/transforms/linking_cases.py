"""Single sentences judged as ``link_article`` judges an article, for the tests of the linker's rules.

A Sina link is put where Sina's linker would put it (the first occurrence of the short name); ``judge`` gives
the classifier's judgement of that link alone, ``judge_both`` the link's class with the own matcher's finds
vouching for their neighbours, and whether the matcher finds the company itself; ``check`` asserts both.
"""

from __future__ import annotations

from datetime import date

from policywatch.transforms.linking.classifier import LinkJudgement, classify_stock_link
from policywatch.transforms.linking.name_matcher import NameMention, NameScanner, find_company_mentions
from policywatch.transforms.linking.tickers import security_from_code
from policywatch.transforms.models import StockLink, paragraph_starts

DAY = date(2021, 10, 11)
M, C, T = "mention", "name_collision", "theme_stock"


def found(text: str, context, day=DAY) -> list[NameMention]:
    """The own matcher's finds in ``text``, one paragraph a line, as in ``link_article``."""
    paragraphs = text.split("\n")
    starts = paragraph_starts(paragraphs)
    return find_company_mentions(text, starts, paragraphs, day, context, NameScanner(context.master))


def sina_link(text: str, code: str, anchor: str) -> StockLink:
    """A Sina link to ``code`` on the first ``anchor`` in ``text``."""
    security = security_from_code(code)
    return StockLink(code, security.ticker, security.exchange, security.kind, anchor, text.index(anchor), 0, ("span",))


def judge(text: str, code: str, anchor: str, context, day=DAY) -> LinkJudgement:
    """The judgement of a Sina link to ``code`` on the first ``anchor`` in ``text``."""
    return classify_stock_link(sina_link(text, code, anchor), text, day, context)


def judge_both(text: str, code: str, anchor: str, context, day=DAY) -> tuple[str, bool]:
    """The class of a Sina link to ``code`` on the first ``anchor``, and whether the own matcher finds ``code``;
    the matcher's finds vouch for their neighbours in a list, as in ``link_article``."""
    finds = found(text, context, day)
    spans = [(p, p + len(m.name)) for m in finds for p in m.positions]
    judgement = classify_stock_link(sina_link(text, code, anchor), text, day, context, company_spans=spans)
    return judgement.link_class, code in {m.code for m in finds}


def check(text: str, code: str, anchor: str, expected: str, context) -> None:
    """The link is of class ``expected``, and the own matcher finds the company exactly when it is a mention."""
    assert judge_both(text, code, anchor, context) == (expected, expected == M), text
