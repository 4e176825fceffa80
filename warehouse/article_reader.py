"""Reading stored articles back as ``Article`` records, so later steps work on what the warehouse holds."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import duckdb
from policywatch.transforms.models import Article, Measure, Section, StockLink, TextCode

__all__ = ["read_articles"]


def read_articles(con: duckdb.DuckDBPyConnection, article_ids: Sequence[str]) -> list[Article]:
    """The articles with these ids (in that order; unknown ids are left out), with links, codes and measures.
    ``stock_links`` holds Sina's links and the 7x24 feed's stock tags (``seen_in == ('tag',)``)."""
    if not article_ids:
        return []
    ids = list(article_ids)
    where = "WHERE article_id IN (SELECT unnest(?::VARCHAR[]))"
    heads = con.execute(
        "SELECT article_id, id_source, url, title, original_title, published_at, source, editor, keywords, template,"
        f" encoding, fetched_at, text, paragraphs, keyword_comment_codes, links_match_comment, warnings, parser_version"
        f" FROM articles {where}",
        [ids],
    ).fetchall()
    links: dict[str, list[StockLink]] = defaultdict(list)
    for row in con.execute(
        "SELECT article_id, code, ticker, exchange, kind, anchor_text, position, paragraph, seen_in"
        f" FROM stock_links {where} AND origin IN ('sina_link', 'zhibo_tag')"
        " ORDER BY article_id, position NULLS LAST, code",
        [ids],
    ).fetchall():
        links[row[0]].append(StockLink(row[1], row[2], row[3], row[4], row[5], row[6], row[7], tuple(row[8])))
    codes: dict[str, list[TextCode]] = defaultdict(list)
    for row in con.execute(
        "SELECT article_id, code, ticker, exchange, raw, explicit_exchange, position, paragraph"
        f" FROM text_codes {where} ORDER BY article_id, position",
        [ids],
    ).fetchall():
        codes[row[0]].append(TextCode(row[1], row[1][2:], row[3], row[2], row[4], row[5], row[6], row[7]))
    sections: dict[str, list[Section]] = defaultdict(list)
    for row in con.execute(
        f"SELECT article_id, number, label, title, position, paragraph FROM sections {where} ORDER BY 1, 2", [ids]
    ).fetchall():
        sections[row[0]].append(Section(*row[1:]))
    measures: dict[str, list[Measure]] = defaultdict(list)
    for row in con.execute(
        "SELECT article_id, ordinal, number, label, style, heading, text, section, section_title, position, paragraph"
        f" FROM measures {where} ORDER BY 1, 2",
        [ids],
    ).fetchall():
        measures[row[0]].append(Measure(*row[1:]))
    by_id = {}
    for row in heads:
        (aid, id_source, url, title, original, published, source, editor, keywords, template, encoding, fetched,
         text, paragraphs, comment_codes, match, warnings, version) = row  # fmt: skip
        by_id[aid] = Article(
            article_id=aid,
            id_source=id_source,
            url=url,
            title=title,
            original_title=original,
            published_at=published,
            source=source,
            editor=editor,
            keywords=tuple(keywords or ()),
            template=template,
            encoding=encoding,
            fetched_at=fetched,
            text=text,
            paragraphs=tuple(paragraphs),
            stock_links=tuple(links[aid]),
            keyword_comment_codes=tuple(comment_codes) if comment_codes is not None else None,
            links_match_comment=match,
            text_codes=tuple(codes[aid]),
            sections=tuple(sections[aid]),
            measures=tuple(measures[aid]),
            other_lists=(),
            warnings=tuple(warnings or ()),
            parser_version=version,
        )
    return [by_id[i] for i in ids if i in by_id]
