"""Commands on articles: parse files, import archives, list and show what is stored."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from policywatch.cli.common import (
    EXIT_PARTIAL,
    AppState,
    OutputFormat,
    console,
    emit_rows,
    err_console,
    guarded,
)
from policywatch.steps.import_archive import import_archive
from policywatch.steps.parse_files import iter_article_files, parse_files
from transforms.errors import ConfigError, InputError
from transforms.models import CHINA_TZ
from warehouse.store import open_reader

__all__ = ["register"]


def parse(
    paths: Annotated[
        list[Path], typer.Argument(help="Archive posts (.md), saved pages (.html/.shtml[.gz]) or folders.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per article, one per line.")] = False,
    url: Annotated[str | None, typer.Option(help="The page's URL (gives Sina's publishid); one file only.")] = None,
) -> None:
    """Parse articles and print what was found, without touching the database.

    Example: policywatch parse samples/ --json | jq '.stock_links[].ticker'
    """
    files, missing = iter_article_files(paths)
    if url and len(files) != 1:
        raise ConfigError("--url names one page: pass exactly one file with it")
    failures = [(path, InputError(f"{path} does not exist", reason="not_found")) for path in missing]
    rows = []
    for path, result in parse_files(files) if not url else [(files[0], _parse_one(files[0], url))]:
        if isinstance(result, InputError):
            failures.append((path, result))
            continue
        if as_json:
            record = {"path": str(path), **result.to_dict()}
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            rows.append(
                (
                    result.article_id,
                    result.published_at,
                    result.title[:40],
                    len(result.stock_links),
                    len(result.text_codes),
                    len(result.measures),
                    result.template,
                )
            )
    if not as_json:
        emit_rows(
            ["article_id", "published_at", "title", "links", "text_codes", "measures", "template"],
            rows,
            OutputFormat.table,
        )
    for path, error in failures:
        err_console.print(f"[yellow]skipped[/] {path}: {error} [dim]({error.reason})[/]", highlight=False)
    if failures:
        raise typer.Exit(EXIT_PARTIAL)


def _parse_one(path: Path, url: str):
    from policywatch.steps.parse_files import parse_file

    try:
        return parse_file(path, url=url)
    except InputError as exc:
        return exc


def import_archive_command(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Hexo posts or folders of them (searched recursively).")],
) -> None:
    """Import archive posts into the database: idempotent, one transaction per batch.

    Example: policywatch import-archive ~/RSSHUB-PAGE/source/_posts/
    """
    settings = ctx.ensure_object(AppState).settings
    with Progress(
        TextColumn("[bold]importing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=err_console,
        transient=True,
    ) as progress:
        task = progress.add_task("", total=None)
        summary = import_archive(
            paths,
            settings,
            on_start=lambda total: progress.update(task, total=total),
            on_item=lambda path: progress.update(task, advance=1, description=path.name[:40]),
        )
    counts = summary.counts()
    console.print(
        f"run {summary.run_id}: {counts['found']} posts found, {counts['new']} new, {counts['updated']} updated, "
        f"{counts['unchanged']} unchanged, {counts['skipped']} skipped → {settings.db.path}",
        highlight=False,
    )
    for skip in summary.skipped:
        err_console.print(f"[yellow]skipped[/] {skip.item}: {skip.message} [dim]({skip.reason})[/]", highlight=False)
    if summary.skipped:
        raise typer.Exit(EXIT_PARTIAL)


def articles(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(help="Show at most this many, newest first.")] = 50,
    search: Annotated[str | None, typer.Option("--search", "-s", help="Only titles containing this text.")] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", help="table, csv or json.")] = OutputFormat.table,
) -> None:
    """List stored articles, newest first, with their counts of links and measures.

    Example: policywatch articles --search 标准 --limit 10
    """
    settings = ctx.ensure_object(AppState).settings
    con = open_reader(settings.db.path)
    try:
        rows = con.execute(
            """
            SELECT a.article_id, a.published_at, a.title, a.source,
                   (SELECT count(*) FROM stock_links l WHERE l.article_id = a.article_id) AS links,
                   (SELECT count(*) FROM measures m WHERE m.article_id = a.article_id) AS measures,
                   a.origin
            FROM articles a
            WHERE ? IS NULL OR a.title LIKE '%' || ? || '%'
            ORDER BY a.published_at DESC NULLS LAST, a.article_id
            LIMIT ?
            """,
            [search, search, limit],
        ).fetchall()
    finally:
        con.close()
    emit_rows(["article_id", "published_at", "title", "source", "links", "measures", "origin"], rows, fmt)


def show(
    ctx: typer.Context,
    article_id: Annotated[str, typer.Argument(help="An article id, or a unique prefix of one.")],
) -> None:
    """Show one stored article: its metadata, Sina's stock links, codes in the text and its measures.

    Example: policywatch show h04a25845a96f8f15
    """
    settings = ctx.ensure_object(AppState).settings
    con = open_reader(settings.db.path)
    try:
        ids = [r[0] for r in con.execute(
            "SELECT article_id FROM articles WHERE article_id = ? OR starts_with(article_id, ?) ORDER BY 1 LIMIT 5",
            [article_id, article_id],
        ).fetchall()]  # fmt: skip
        if article_id in ids:
            ids = [article_id]
        if len(ids) != 1:
            raise ConfigError(
                f"no stored article has the id {article_id!r}" if not ids else f"{article_id!r} is ambiguous: {ids}"
            )
        (aid,) = ids
        head = con.execute(
            "SELECT title, original_title, published_at, source, editor, url, origin, origin_ref, template,"
            " links_match_comment, warnings FROM articles WHERE article_id = ?",
            [aid],
        ).fetchall()[0]
        links = con.execute(
            "SELECT code, ticker, kind, anchor_text, position, seen_in FROM stock_links"
            " WHERE article_id = ? ORDER BY position NULLS LAST, code",
            [aid],
        ).fetchall()
        codes = con.execute(
            "SELECT raw, ticker, position FROM text_codes WHERE article_id = ? ORDER BY position", [aid]
        ).fetchall()
        measures = con.execute(
            "SELECT section, label, heading FROM measures WHERE article_id = ? ORDER BY ordinal", [aid]
        ).fetchall()
        lists = con.execute(
            "SELECT list_no, count(*) FROM numbered_list_items WHERE article_id = ? GROUP BY 1 ORDER BY 1",
            [aid],
        ).fetchall()
    finally:
        con.close()
    title, original, published, source, editor, url, origin, ref, template, match, warnings = head
    console.rule(f"[bold]{title}")
    when = published.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M %Z") if published else "unknown"
    for label, value in (
        ("id", aid), ("published", when), ("source", source), ("editor", editor), ("url", url),
        ("original title", original), ("from", f"{origin} {ref or ''} ({template})"),
        ("links = comment", match), ("warnings", "; ".join(warnings or []) or None),
    ):  # fmt: skip
        if value is not None:
            console.print(f"[dim]{label:>16}[/] {value}", highlight=False)
    emit_rows(
        ["code", "ticker", "kind", "anchor", "position", "seen_in"],
        links,
        OutputFormat.table,
        title="Sina stock links",
    )
    if codes:
        emit_rows(["as written", "ticker", "position"], codes, OutputFormat.table, title="Codes in the text")
    emit_rows(["section", "measure", "heading"], measures, OutputFormat.table, title=f"Measures ({len(measures)})")
    for list_no, count in lists:
        console.print(f"[dim]other numbered list {list_no}: {count} items (table numbered_list_items)[/]")


def register(app: typer.Typer) -> None:
    app.command()(guarded(parse))
    app.command("import-archive")(guarded(import_archive_command))
    app.command()(guarded(articles))
    app.command()(guarded(show))
