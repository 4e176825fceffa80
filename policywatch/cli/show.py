"""``policywatch show ID``: one stored article with everything known about it, and the evidence."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from policywatch.cli.common import AppState, OutputFormat, console, emit_rows, guarded, labelled
from policywatch.transforms.errors import ConfigError
from policywatch.transforms.models import CHINA_TZ

if TYPE_CHECKING:
    import duckdb

__all__ = ["register"]


def _resolve(con: duckdb.DuckDBPyConnection, article_id: str) -> str:
    ids = [
        r[0]
        for r in con.execute(
            "SELECT article_id FROM articles WHERE article_id = ? OR starts_with(article_id, ?) ORDER BY 1 LIMIT 5",
            [article_id, article_id],
        ).fetchall()
    ]
    if article_id in ids:
        return article_id
    if len(ids) != 1:
        raise ConfigError(
            f"no stored article has the id {article_id!r}" if not ids else f"{article_id!r} is ambiguous: {ids}"
        )
    return ids[0]


def show(
    ctx: typer.Context,
    article_id: Annotated[str, typer.Argument(help="An article id, or a unique prefix of one.")],
    all_tickers: Annotated[bool, typer.Option("--all-tickers", help="List every ticker, not the top 25.")] = False,
) -> None:
    """Show one stored article: metadata, policy score, Sina's links judged, measures with their themes, and
    the tickers it reaches with the evidence for each.

    Example: policywatch show loerwde8
    """
    from policywatch.warehouse.store import open_reader

    settings = ctx.ensure_object(AppState).settings
    con = open_reader(settings.db.path)
    try:
        aid = _resolve(con, article_id)
        stored = _read_article(con, aid)
    finally:
        con.close()
    _print_head(aid, stored.head, stored.policy)
    emit_rows(["anchor", "code", "ticker", "class", "reason"], stored.links, OutputFormat.table,
              title="Sina's stock links")  # fmt: skip
    if stored.codes:
        emit_rows(["as written", "ticker"], stored.codes, OutputFormat.table, title="Codes written in the text")
    emit_rows(["section", "measure", "heading", "themes (terms)"], stored.measures, OutputFormat.table,
              title=f"Measures ({len(stored.measures)})")  # fmt: skip
    if stored.article_themes:
        emit_rows(["theme", "terms"], stored.article_themes, OutputFormat.table, title="Themes of the article")
    tickers = stored.tickers
    shown = tickers if all_tickers else tickers[:25]
    more = "" if all_tickers or len(tickers) <= 25 else ", top 25: --all-tickers"
    columns = ["ticker", "name", "confidence", "via", "link class", "themes", "evidence"]
    emit_rows(columns, shown, OutputFormat.table, title=f"Tickers ({len(tickers)}{more})")


@dataclass(frozen=True, slots=True)
class _StoredArticle:
    """The rows ``show`` prints, each list in the order shown."""

    head: tuple
    policy: list[tuple]  #: one row, or none before the article is linked
    links: list[tuple]
    codes: list[tuple]
    measures: list[tuple]
    article_themes: list[tuple]
    tickers: list[tuple]


def _read_article(con: duckdb.DuckDBPyConnection, aid: str) -> _StoredArticle:
    head = con.execute(
        "SELECT title, original_title, published_at, source, editor, url, origin, origin_ref, template,"
        " links_match_comment, warnings FROM articles WHERE article_id = ?",
        [aid],
    ).fetchall()[0]
    policy = con.execute(
        "SELECT policy_score, is_policy, standardization_score, is_standardization, reasons"
        " FROM article_policy WHERE article_id = ?",
        [aid],
    ).fetchall()
    links = con.execute(
        "SELECT anchor_text, code, ticker, link_class, link_reason FROM stock_links"
        " WHERE article_id = ? ORDER BY position NULLS LAST, code",
        [aid],
    ).fetchall()
    codes = con.execute("SELECT raw, ticker FROM text_codes WHERE article_id = ? ORDER BY position", [aid]).fetchall()
    measures = con.execute(
        "SELECT m.section, m.label, m.heading,"
        " string_agg(t.theme_id || ' (' || array_to_string(t.matched_terms, '、') || ')', '; ' ORDER BY t.theme_id)"
        " FROM measures m LEFT JOIN measure_themes t"
        " ON t.article_id = m.article_id AND t.measure_ordinal = m.ordinal"
        " WHERE m.article_id = ? GROUP BY m.ordinal, m.section, m.label, m.heading ORDER BY m.ordinal",
        [aid],
    ).fetchall()
    article_themes = con.execute(
        "SELECT theme_id, array_to_string(matched_terms, '、') FROM measure_themes"
        " WHERE article_id = ? AND measure_ordinal IS NULL ORDER BY score DESC",
        [aid],
    ).fetchall()
    tickers = con.execute(
        "SELECT s.ticker, s.name, round(s.confidence, 2), array_to_string(s.vias, ','),"
        " array_to_string(s.link_classes, ','), array_to_string(s.themes, ','),"
        " (SELECT t.evidence FROM article_tickers t WHERE t.article_id = s.article_id AND t.ticker = s.ticker"
        "  ORDER BY t.confidence DESC LIMIT 1)"
        " FROM article_ticker_summary s WHERE s.article_id = ? ORDER BY s.confidence DESC, s.ticker",
        [aid],
    ).fetchall()
    return _StoredArticle(head, policy, links, codes, measures, article_themes, tickers)


def _print_head(aid: str, head: tuple, policy: list[tuple]) -> None:
    """The title as a rule, then the article's metadata and policy verdict, one labelled line each."""
    title, original, published, source, editor, url, origin, ref, template, match, warnings = head
    console.rule(Text(title, style="bold"))
    when = published.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M %Z") if published else "unknown"
    policy_line = None
    if policy:
        score, is_policy, std_score, is_std, reasons = policy[0]
        verdict = "standardization policy" if is_std else "policy" if is_policy else "not a policy document"
        policy_line = f"{verdict} (policy {score:.2f}, standardization {std_score:.2f}): {'; '.join(reasons)}"
    for label, value in (
        ("id", aid), ("published", when), ("source", source), ("editor", editor), ("url", url),
        ("original title", original), ("from", f"{origin} {ref or ''} ({template})"), ("policy", policy_line),
        ("links = comment", match), ("warnings", "; ".join(warnings or []) or None),
    ):  # fmt: skip
        if value is not None:
            console.print(labelled(f"{label:>16}", str(value), style="dim"), highlight=False)
    if not policy:
        console.print(labelled("not linked yet:", "run `policywatch link`"))


def register(app: typer.Typer) -> None:
    app.command()(guarded(show))
