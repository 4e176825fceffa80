"""Loading the linker's output (and the reference data it used) into DuckDB, idempotently.

Every article's linkage rows are replaced whole in one transaction per batch; ``linked_articles`` records
which linker, taxonomy and reference data produced them so a change in any of them re-links exactly the
stale articles.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import duckdb
import pyarrow as pa
from policywatch.transforms.linking.linker import LinkedArticle
from policywatch.transforms.linking.securities import SecurityMaster
from policywatch.transforms.linking.tickers import code_for_ticker
from policywatch.transforms.policy.themes import Taxonomy
from policywatch.warehouse.arrow_io import insert_rows
from policywatch.warehouse.db import transaction

__all__ = ["articles_to_link", "load_reference", "save_linkage"]

_STRS = pa.list_(pa.string())
_TS = pa.timestamp("us", tz="UTC")
_SECURITIES = pa.schema(
    [("code", pa.string()), ("symbol", pa.string()), ("exchange", pa.string()), ("kind", pa.string()),
     ("ticker", pa.string()), ("yahoo_symbol", pa.string()), ("name", pa.string()), ("former_names", _STRS),
     ("list_date", pa.date32()), ("source", pa.string()), ("successor_code", pa.string())]
)  # fmt: skip
_NAMES = pa.schema(
    [("code", pa.string()), ("name", pa.string()), ("valid_from", pa.date32()), ("valid_to", pa.date32())]
)
_THEMES = pa.schema(
    [("theme_id", pa.string()), ("name_zh", pa.string()), ("name_en", pa.string()), ("terms", _STRS),
     ("exclusions", _STRS)]
)  # fmt: skip
_MEMBERS = pa.schema(
    [("theme_id", pa.string()), ("ticker", pa.string()), ("code", pa.string()), ("name", pa.string()),
     ("source", pa.string()), ("note", pa.string())]
)  # fmt: skip
_MEASURE_THEMES = pa.schema(
    [("article_id", pa.string()), ("measure_ordinal", pa.int32()), ("theme_id", pa.string()),
     ("matched_terms", _STRS), ("score", pa.float64())]
)  # fmt: skip
_TICKERS = pa.schema(
    [("article_id", pa.string()), ("ticker", pa.string()), ("code", pa.string()), ("name", pa.string()),
     ("via", pa.string()), ("link_class", pa.string()), ("theme_id", pa.string()), ("measure_ordinal", pa.int32()),
     ("confidence", pa.float64()), ("evidence", pa.string())]
)  # fmt: skip
_POLICY = pa.schema(
    [("article_id", pa.string()), ("policy_score", pa.float64()), ("is_policy", pa.bool_()),
     ("standardization_score", pa.float64()), ("is_standardization", pa.bool_()), ("issuers", _STRS),
     ("reasons", _STRS), ("documents", _STRS)]
)  # fmt: skip
_MENTIONS = pa.schema(
    [("article_id", pa.string()), ("code", pa.string()), ("ticker", pa.string()), ("kind", pa.string()),
     ("name", pa.string()), ("positions", pa.list_(pa.int32())), ("in_table", pa.bool_()),
     ("evidence", pa.string()), ("sina_linked", pa.bool_())]
)  # fmt: skip
_LINKED = pa.schema(
    [("article_id", pa.string()), ("linker_version", pa.string()), ("taxonomy_hash", pa.string()),
     ("reference_hash", pa.string()), ("linked_at", _TS), ("run_id", pa.string())]
)  # fmt: skip
_PER_ARTICLE = ("measure_themes", "article_tickers", "article_policy", "name_mentions", "linked_articles")


def _stored_hash(con: duckdb.DuckDBPyConnection, kind: str) -> str | None:
    rows = con.execute("SELECT content_hash FROM reference_loads WHERE kind = ?", [kind]).fetchall()
    return rows[0][0] if rows else None


def load_reference(
    con: duckdb.DuckDBPyConnection,
    master: SecurityMaster,
    taxonomy: Taxonomy,
    *,
    reference_hash: str,
    taxonomy_hash: str,
) -> list[str]:
    """Replace ``securities``/``security_names`` and ``themes``/``theme_members`` when their source changed.
    Returns the kinds reloaded."""
    reloaded = []
    now = datetime.now(UTC)
    if _stored_hash(con, "securities") != reference_hash:
        with transaction(con):
            con.execute("DELETE FROM securities")
            con.execute("DELETE FROM security_names")
            insert_rows(con, "securities", _SECURITIES, (
                {"code": r.code, "symbol": r.symbol, "exchange": r.exchange, "kind": r.kind, "ticker": r.ticker,
                 "yahoo_symbol": r.yahoo_symbol, "name": r.current_name, "former_names": list(r.former_names),
                 "list_date": r.list_date, "source": "; ".join(r.sources), "successor_code": r.successor_code}
                for r in master.records.values()
            ))  # fmt: skip
            insert_rows(con, "security_names", _NAMES, (
                {"code": r.code, "name": s.name, "valid_from": s.valid_from, "valid_to": s.valid_to}
                for r in master.records.values() for s in r.names
            ))  # fmt: skip
            _record_load(con, "securities", reference_hash, now)
        reloaded.append("securities")
    if _stored_hash(con, "themes") != taxonomy_hash:
        with transaction(con):
            con.execute("DELETE FROM themes")
            con.execute("DELETE FROM theme_members")
            insert_rows(con, "themes", _THEMES, (
                {"theme_id": t.id, "name_zh": t.name_zh, "name_en": t.name_en, "terms": list(t.terms),
                 "exclusions": list(t.exclusions)} for t in taxonomy.themes
            ))  # fmt: skip
            insert_rows(con, "theme_members", _MEMBERS, (
                {"theme_id": t.id, "ticker": m.ticker, "code": code_for_ticker(m.ticker), "name": m.name,
                 "source": "board: " + ", ".join(m.boards) if m.source == "board" else "curated", "note": m.note}
                for t in taxonomy.themes for m in t.members
            ))  # fmt: skip
            _record_load(con, "themes", taxonomy_hash, now)
        reloaded.append("themes")
    return reloaded


def _record_load(con: duckdb.DuckDBPyConnection, kind: str, content_hash: str, now: datetime) -> None:
    con.execute("INSERT OR REPLACE INTO reference_loads VALUES (?, ?, ?)", [kind, content_hash, now])


def articles_to_link(
    con: duckdb.DuckDBPyConnection, *, linker_version: str, taxonomy_hash: str, reference_hash: str
) -> list[str]:
    """Ids of stored articles never linked, or linked by another linker, taxonomy or reference data."""
    rows = con.execute(
        """
        SELECT a.article_id FROM articles a LEFT JOIN linked_articles l USING (article_id)
        WHERE l.article_id IS NULL OR l.linker_version <> ? OR l.taxonomy_hash <> ? OR l.reference_hash <> ?
        ORDER BY a.published_at NULLS LAST, a.article_id
        """,
        [linker_version, taxonomy_hash, reference_hash],
    ).fetchall()
    return [r[0] for r in rows]


def save_linkage(
    con: duckdb.DuckDBPyConnection,
    linked: Sequence[LinkedArticle],
    *,
    taxonomy_hash: str,
    reference_hash: str,
    run_id: str,
) -> None:
    """Replace the linkage rows of these articles in one transaction."""
    if not linked:
        return
    ids = [item.article_id for item in linked]
    now = datetime.now(UTC)
    with transaction(con):
        for table in _PER_ARTICLE:
            con.execute(f"DELETE FROM {table} WHERE article_id IN (SELECT unnest(?::VARCHAR[]))", [ids])
        judged = pa.table(
            {
                "article_id": [i.article_id for i in linked for _ in i.judgements],
                "code": [link.code for i in linked for link, _ in i.judgements],
                "link_class": [j.link_class for i in linked for _, j in i.judgements],
                "link_reason": [j.reason for i in linked for _, j in i.judgements],
            },
            schema=pa.schema([(n, pa.string()) for n in ("article_id", "code", "link_class", "link_reason")]),
        )
        con.register("_judged_links", judged)
        try:
            con.execute(
                "UPDATE stock_links SET link_class = j.link_class, link_reason = j.link_reason FROM _judged_links j"
                " WHERE stock_links.article_id = j.article_id AND stock_links.code = j.code"
                " AND stock_links.origin = 'sina_link'"
            )
        finally:
            con.unregister("_judged_links")
        insert_rows(con, "measure_themes", _MEASURE_THEMES, (
            {"article_id": i.article_id, "measure_ordinal": m.measure_ordinal, "theme_id": m.theme_id,
             "matched_terms": list(m.matched_terms), "score": m.score} for i in linked for m in i.measure_themes
        ))  # fmt: skip
        insert_rows(con, "article_tickers", _TICKERS, (
            {"article_id": i.article_id, "ticker": t.ticker, "code": t.code, "name": t.name, "via": t.via,
             "link_class": t.link_class, "theme_id": t.theme_id, "measure_ordinal": t.measure_ordinal,
             "confidence": t.confidence, "evidence": t.evidence} for i in linked for t in i.tickers
        ))  # fmt: skip
        insert_rows(con, "article_policy", _POLICY, (
            {"article_id": i.article_id, "policy_score": i.policy.policy_score, "is_policy": i.policy.is_policy,
             "standardization_score": i.policy.standardization_score,
             "is_standardization": i.policy.is_standardization, "issuers": list(i.policy.issuers),
             "reasons": list(i.policy.reasons), "documents": list(i.policy.documents)} for i in linked
        ))  # fmt: skip
        insert_rows(con, "name_mentions", _MENTIONS, (
            {"article_id": i.article_id, "code": m.code, "ticker": m.ticker, "kind": m.kind, "name": m.name,
             "positions": list(m.positions), "in_table": m.in_table, "evidence": m.evidence,
             "sina_linked": m.code in {link.code for link, _ in i.judgements}}
            for i in linked for m in i.mentions
        ))  # fmt: skip
        insert_rows(con, "linked_articles", _LINKED, (
            {"article_id": i.article_id, "linker_version": i.linker_version, "taxonomy_hash": taxonomy_hash,
             "reference_hash": reference_hash, "linked_at": now, "run_id": run_id} for i in linked
        ))  # fmt: skip
