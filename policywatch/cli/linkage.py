"""Commands of the linking layer: link stored articles, list the themes, refresh the securities master."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from policywatch.cli.common import (
    EXIT_PARTIAL,
    AppState,
    OutputFormat,
    console,
    emit_rows,
    err_console,
    guarded,
    labelled,
)

__all__ = ["register"]

reference_app = typer.Typer(help="The securities master: show what it knows, refresh it from the exchanges.")


def link(
    ctx: typer.Context,
    article_ids: Annotated[
        list[str] | None, typer.Argument(help="Only these articles (default: every stale one).")
    ] = None,
    relink_all: Annotated[bool, typer.Option("--all", help="Re-link every stored article.")] = False,
) -> None:
    """Link stored articles: judge Sina's links, find themes per measure, companies named, policy scores.

    Only articles not linked yet, or linked by an older linker, taxonomy or reference data, are linked.

    Example: policywatch link && policywatch sql "SELECT * FROM article_ticker_summary ORDER BY confidence DESC"
    """
    from policywatch.steps.link import link_articles

    settings = ctx.ensure_object(AppState).settings
    summary = link_articles(settings, article_ids=article_ids or None, relink_all=relink_all)
    classes = ", ".join(f"{n} {c}" for c, n in sorted(summary.link_classes.items())) or "none"
    reloaded = f"; reloaded {', '.join(summary.reloaded)}" if summary.reloaded else ""
    console.print(
        f"run {summary.run_id}: linked {summary.linked} articles; Sina links judged: {classes};"
        f" {summary.tickers} (article, ticker) pairs{reloaded}",
        highlight=False,
    )
    if summary.unknown:
        err_console.print(labelled("skipped", f"no stored article has these ids: {', '.join(summary.unknown)}"))
        raise typer.Exit(EXIT_PARTIAL)


def themes(
    ctx: typer.Context,
    fmt: Annotated[OutputFormat, typer.Option("--format", help="table, csv or json.")] = OutputFormat.table,
) -> None:
    """List the theme taxonomy: terms, members (board-backed or curated) and how often stored articles hit it.

    Example: policywatch themes --format csv > themes.csv
    """
    from policywatch.reference import load_taxonomy
    from policywatch.warehouse.store import open_reader

    settings = ctx.ensure_object(AppState).settings
    taxonomy = load_taxonomy(settings.linking.themes_file)
    hits: dict[str, tuple[int, int]] = {}
    if Path(settings.db.path).exists():
        con = open_reader(settings.db.path)
        try:
            hits = {
                row[0]: (row[1], row[2])
                for row in con.execute(
                    "SELECT theme_id, count(DISTINCT article_id), count(*) FROM measure_themes GROUP BY 1"
                ).fetchall()
            }
        finally:
            con.close()
    rows = [
        (
            t.id,
            t.name_zh,
            t.name_en,
            "、".join(t.terms),
            sum(m.source == "board" for m in t.members),
            sum(m.source == "curated" for m in t.members),
            *hits.get(t.id, (0, 0)),
        )
        for t in taxonomy.themes
    ]
    emit_rows(["theme", "name_zh", "name_en", "terms", "board members", "curated", "articles", "matches"], rows, fmt)


@reference_app.command("refresh")
@guarded
def reference_refresh(ctx: typer.Context) -> None:
    """Fetch today's code/name lists of the three exchanges (akshare, online) into a dated snapshot.

    The bundled snapshot stays the offline default; newer snapshots are merged in as later name lists.

    Example: policywatch reference refresh && policywatch link --all
    """
    from policywatch.steps.reference import refresh_reference

    settings = ctx.ensure_object(AppState).settings
    path, count = refresh_reference(settings)
    console.print(f"wrote {count} securities to {path}; run `policywatch link --all` to re-link with them")


@reference_app.command("show")
@guarded
def reference_show(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="A code (300024, sz300024, 300024.SZ) or a short name.")],
) -> None:
    """Show what the securities master knows of a code or a name: names over time, exchange, tickers.

    A name or code the snapshots do not know exits with 1 and says so.

    Example: policywatch reference show 中国重工
    """
    from policywatch.reference import load_master

    settings = ctx.ensure_object(AppState).settings
    master = load_master(settings.linking.reference_dir)
    needle = query.strip().lower().replace(".ss", "").replace(".sz", "").replace(".bj", "")
    records = [r for r in master.records.values() if needle in (r.code, r.symbol)]
    records += [master.records[c] for c in master.codes_named(query.strip()) if master.records[c] not in records]
    if not records:
        oldest = master.snapshots[0] if master.snapshots else None
        since = f" (the oldest is {oldest[1]}, as of {oldest[0]})" if oldest else ""
        err_console.print(
            f"no code or name '{query.strip()}' is known in the securities master's snapshots{since}: a name "
            "dropped before the oldest snapshot (a company renamed earlier) is not known",
            highlight=False,
        )
        similar = sorted({n for n in master.all_names() if query.strip() in n or (len(n) > 2 and n in query)})[:5]
        if similar:
            err_console.print(f"names that contain it or that it contains: {', '.join(similar)}", highlight=False)
        raise typer.Exit(EXIT_PARTIAL)
    rows = [
        (
            r.code,
            r.ticker,
            r.kind,
            " → ".join(f"{span.name} [{span.valid_from or '…'}, {span.valid_to or '…'})" for span in r.names),
            r.list_date,
            r.yahoo_symbol or "none",
            r.successor_code or "",
        )
        for r in records
    ]
    emit_rows(["code", "ticker", "kind", "names over time", "listed", "yahoo", "successor"], rows, OutputFormat.table)


def register(app: typer.Typer) -> None:
    app.command()(guarded(link))
    app.command()(guarded(themes))
    app.add_typer(reference_app, name="reference")
