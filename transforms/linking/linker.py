"""From a parsed article to tickers, with the evidence for each: the linker's single entry point.

Four ways lead from an article to a ticker, each kept as its own row with a confidence:
- ``sina_link``: Sina's auto-link, judged (mention, name collision, index, theme stock);
- ``zhibo_tag``: a stock tag of Sina's 7x24 feed (structured by Sina's editors, no name matching);
- ``text_code``: a code written in the text, such as （601728.SH）;
- ``name_mention``: a company name Sina did not link (all occurrences, tables included);
- ``theme``: a measure (or, without measures, the article) names a theme; its member stocks follow, in
  policy documents only (other articles keep the themes they name, with no tickers from them).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date

from policywatch.transforms.linking.classifier import LinkJudgement, classify_stock_link, theme_scope
from policywatch.transforms.linking.context import LINKER_VERSION, LinkingContext
from policywatch.transforms.linking.name_matcher import NameMention, NameScanner, find_company_mentions
from policywatch.transforms.linking.tickers import code_for_ticker
from policywatch.transforms.models import CHINA_TZ, Article, StockLink, TextCode, paragraph_starts
from policywatch.transforms.policy.score import PolicyAssessment, assess_policy

__all__ = ["LinkedArticle", "MeasureTheme", "TickerLink", "link_article"]

#: an article without measures names a theme only if its terms occur this often (or in the title)
_ARTICLE_THEME_MIN_COUNT = 2


@dataclass(frozen=True, slots=True)
class MeasureTheme:
    measure_ordinal: int | None  #: None: matched on the whole article (it has no measures)
    theme_id: str
    matched_terms: tuple[str, ...]
    score: float


@dataclass(frozen=True, slots=True)
class TickerLink:
    ticker: str
    code: str
    name: str | None
    via: str  #: sina_link | zhibo_tag | text_code | name_mention | theme
    link_class: str | None
    theme_id: str | None
    measure_ordinal: int | None
    confidence: float
    evidence: str


@dataclass(frozen=True, slots=True)
class LinkedArticle:
    article_id: str
    linker_version: str
    judgements: tuple[tuple[StockLink, LinkJudgement], ...]
    measure_themes: tuple[MeasureTheme, ...]
    mentions: tuple[NameMention, ...]
    policy: PolicyAssessment
    tickers: tuple[TickerLink, ...]


def _day(article: Article) -> date | None:
    return article.published_at.astimezone(CHINA_TZ).date() if article.published_at else None


def link_article(article: Article, ctx: LinkingContext, scanner: NameScanner | None = None) -> LinkedArticle:
    """Link one article. Pure: the context carries the master, lexicon, themes and boards."""
    scanner = scanner or NameScanner(ctx.master)
    day = _day(article)
    starts = paragraph_starts(article.paragraphs)
    mentions = find_company_mentions(article.text, starts, list(article.paragraphs), day, ctx, scanner)
    tags = [link for link in article.stock_links if link.seen_in == ("tag",)]
    sina_links = [link for link in article.stock_links if link.seen_in != ("tag",)]
    spans = _company_spans(sina_links, mentions, ctx)
    judgements = tuple(
        (
            link,
            classify_stock_link(
                link,
                article.text,
                day,
                ctx,
                company_spans=spans,
                scope=theme_scope(article, link),
                source=article.source,
            ),
        )
        for link in sina_links
    )
    measure_themes = _measure_themes(article, ctx)
    policy = _policy(article, ctx, measure_themes)
    tickers = (
        *_from_sina_links(judgements, day, ctx),
        *_from_zhibo_tags(tags, day, ctx),
        *_from_text_codes(article.text_codes, day, ctx),
        *_from_name_mentions(mentions, {link.code for link in sina_links}),
        *_from_themes(measure_themes if policy.is_policy else [], article, day, ctx),
    )
    return LinkedArticle(
        article_id=article.article_id,
        linker_version=LINKER_VERSION,
        judgements=judgements,
        measure_themes=tuple(measure_themes),
        mentions=tuple(mentions),
        policy=policy,
        tickers=tickers,
    )


def _company_spans(
    sina_links: list[StockLink], mentions: list[NameMention], ctx: LinkingContext
) -> list[tuple[int, int]]:
    """Names that vouch for their neighbours in a list: distinctive linked names and the companies found."""
    spans = [
        (link.position, link.position + len(link.anchor_text))
        for link in sina_links
        if link.position is not None and link.anchor_text and ctx.lexicon.distinctive(link.anchor_text)
    ]
    spans += [(p, p + len(m.name)) for m in mentions for p in m.positions]
    return sorted(set(spans))


def _policy(article: Article, ctx: LinkingContext, measure_themes: list[MeasureTheme]) -> PolicyAssessment:
    policy = assess_policy(article, segment=ctx.lexicon.segment)
    if measure_themes and not policy.is_policy:
        # a theme's member stocks are what a policy on it may move; an article that is no policy (a ranking,
        # fund managers' views, IPO statistics) names themes without acting on them
        named = ", ".join(dict.fromkeys(t.theme_id for t in measure_themes))
        policy = replace(
            policy,
            reasons=(*policy.reasons, f"not a policy document: themes named ({named}), their member stocks not linked"),
        )
    return policy


def _ticker_link(
    ticker: str,
    code: str,
    name: str | None,
    via: str,
    confidence: float,
    evidence: str,
    *,
    link_class: str | None = None,
    theme_id: str | None = None,
    measure_ordinal: int | None = None,
) -> TickerLink:
    """The one place a ``TickerLink`` is made: each kind of evidence gives what it knows, the rest is None."""
    return TickerLink(
        ticker=ticker,
        code=code,
        name=name,
        via=via,
        link_class=link_class,
        theme_id=theme_id,
        measure_ordinal=measure_ordinal,
        confidence=confidence,
        evidence=evidence,
    )


def _name_on(ctx: LinkingContext, code: str, day: date | None, otherwise: str | None = None) -> str | None:
    record = ctx.master.get(code)
    return record.name_on(day) if record else otherwise


def _from_sina_links(
    judgements: tuple[tuple[StockLink, LinkJudgement], ...], day: date | None, ctx: LinkingContext
) -> Iterator[TickerLink]:
    for link, judgement in judgements:
        yield _ticker_link(
            link.ticker,
            link.code,
            _name_on(ctx, link.code, day),
            "sina_link",
            judgement.confidence,
            f"Sina linked '{link.anchor_text}': {judgement.reason}",
            link_class=judgement.link_class,
            theme_id=judgement.theme_id,
        )


def _from_zhibo_tags(tags: list[StockLink], day: date | None, ctx: LinkingContext) -> Iterator[TickerLink]:
    for tag in tags:
        yield _ticker_link(
            tag.ticker,
            tag.code,
            _name_on(ctx, tag.code, day),
            "zhibo_tag",
            0.0 if tag.kind == "index" else 0.9,
            f"Sina's 7x24 feed tagged the item with {tag.anchor_text or tag.code}",
        )


def _from_text_codes(codes: tuple[TextCode, ...], day: date | None, ctx: LinkingContext) -> Iterator[TickerLink]:
    for code in codes:
        record = ctx.master.get(code.code)
        known = record is not None and record.listed_on(day)
        yield _ticker_link(
            code.ticker,
            code.code,
            _name_on(ctx, code.code, day),
            "text_code",
            0.95 if known else 0.5,
            f"the text writes {code.raw}" + ("" if known else "; the code is not in the securities master"),
        )


def _from_name_mentions(mentions: list[NameMention], linked_codes: set[str]) -> Iterator[TickerLink]:
    for mention in mentions:
        sina_too = "; Sina linked it too" if mention.code in linked_codes else "; Sina did not link it"
        yield _ticker_link(
            mention.ticker,
            mention.code,
            mention.name,
            "name_mention",
            mention.confidence,
            mention.evidence + sina_too,
        )


def _from_themes(
    measure_themes: list[MeasureTheme], article: Article, day: date | None, ctx: LinkingContext
) -> Iterator[TickerLink]:
    """Every member stock of every theme named, trading on the article's day (policy documents only)."""
    labels = {m.ordinal: m.label for m in article.measures}
    for theme_hit in measure_themes:
        theme = ctx.taxonomy.get(theme_hit.theme_id)
        where = f"measure {labels[theme_hit.measure_ordinal]}" if theme_hit.measure_ordinal else "the article"
        for member in theme.members:
            code = code_for_ticker(member.ticker)
            record = ctx.master.get(code)
            if record is not None and not record.trading_on(day):
                continue  # not listed yet, or gone, on the article's date
            basis = f"board {', '.join(member.boards)}" if member.source == "board" else f"curated: {member.note}"
            yield _ticker_link(
                member.ticker,
                code,
                record.name_on(day) if record else member.name,
                "theme",
                0.4 if member.source == "board" else 0.25,
                f"{where} names {', '.join(theme_hit.matched_terms)} → theme {theme.id} "
                f"({theme.name_zh}); member by {basis}",
                theme_id=theme.id,
                measure_ordinal=theme_hit.measure_ordinal,
            )


def _measure_themes(article: Article, ctx: LinkingContext) -> list[MeasureTheme]:
    found: list[MeasureTheme] = []
    if article.measures:
        for measure in article.measures:
            for match in ctx.matcher.match(measure.text):
                found.append(MeasureTheme(measure.ordinal, match.theme_id, match.terms, float(match.count)))
        return found
    in_title = {m.theme_id for m in ctx.matcher.match(article.title)}
    for match in ctx.matcher.match(article.text):
        if match.count >= _ARTICLE_THEME_MIN_COUNT or match.theme_id in in_title:
            found.append(MeasureTheme(None, match.theme_id, match.terms, float(match.count)))
    return found
