"""Commands on articles: parse files, import archives, list and show what is stored."""

from __future__ import annotations

import json
import sys
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
from policywatch.transforms.errors import ConfigError, InputError

__all__ = ["register"]


def parse(
    ctx: typer.Context,
    paths: Annotated[
        list[Path], typer.Argument(help="Archive posts (.md), saved pages (.html/.shtml[.gz]) or folders.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per article, one per line.")] = False,
    url: Annotated[str | None, typer.Option(help="The page's URL (gives Sina's publishid); one file only.")] = None,
    link: Annotated[
        bool, typer.Option(help="Also judge Sina's links and find themes, tickers and the policy score.")
    ] = True,
) -> None:
    """Parse (and link) articles and print what was found, without touching the database.

    Example: policywatch parse article.md --json | jq '.stock_links[] | {code, anchor_text, class, reason}'
    """
    from policywatch.article_json import article_record
    from policywatch.steps.parse_files import iter_article_files, parse_files

    files, missing = iter_article_files(paths)
    if url and len(files) != 1:
        raise ConfigError("--url names one page: pass exactly one file with it")
    linker = _linker(ctx.ensure_object(AppState).settings) if link else None
    failures = [(path, InputError(f"{path} does not exist", reason="not_found")) for path in missing]
    rows = []
    for path, result in parse_files(files) if not url else [(files[0], _parse_one(files[0], url))]:
        if isinstance(result, InputError):
            failures.append((path, result))
            continue
        linked = linker(result) if linker else None
        if as_json:
            record = {"path": str(path), **article_record(result, linked)}
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
            continue
        classes = ", ".join(f"{lk.anchor_text}:{j.link_class}" for lk, j in linked.judgements) if linked else ""
        policy = f"{linked.policy.policy_score:.2f}" if linked else ""
        rows.append((result.article_id, result.published_at, result.title[:30], policy, classes, len(result.measures)))
    if not as_json:
        emit_rows(["article_id", "published_at", "title", "policy", "Sina links", "measures"], rows, OutputFormat.table)
    for path, error in failures:
        err_console.print(labelled("skipped", f"{path}: {error}", reason=error.reason), highlight=False)
    if failures:
        raise typer.Exit(EXIT_PARTIAL)


def _linker(settings):
    from policywatch.reference import load_linking_context
    from policywatch.transforms.linking.linker import link_article
    from policywatch.transforms.linking.name_matcher import NameScanner

    context = load_linking_context(settings.linking.themes_file, settings.linking.reference_dir)
    scanner = NameScanner(context.master)
    return lambda article: link_article(article, context, scanner)


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
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from policywatch.steps.import_archive import import_archive

    settings = ctx.ensure_object(AppState).settings
    with Progress(
        TextColumn("[bold]importing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}", markup=False),  # a file name
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
        err_console.print(labelled("skipped", f"{skip.item}: {skip.message}", reason=skip.reason), highlight=False)
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
    from policywatch.warehouse.store import open_reader

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
            WHERE ? IS NULL OR contains(a.title, ?)
            ORDER BY a.published_at DESC NULLS LAST, a.article_id
            LIMIT ?
            """,
            [search, search, limit],
        ).fetchall()
    finally:
        con.close()
    emit_rows(["article_id", "published_at", "title", "source", "links", "measures", "origin"], rows, fmt)


def reparse(
    ctx: typer.Context,
    article_ids: Annotated[
        list[str] | None, typer.Argument(help="Only these articles (kept rejects are left alone).")
    ] = None,
    everything: Annotated[
        bool, typer.Option("--all", help="Every stored article and every unresolved reject, whatever parsed it.")
    ] = False,
) -> None:
    """Parse stored articles and the crawl's kept rejects again from their raw bytes with the current parser.

    By default only what an older parser version produced or refused: stored articles are updated in place,
    rejects that parse now are stored as new articles (and marked resolved). Updated and new articles are
    linked by the next `policywatch link`. Exit code 1 when something is still refused.

    Example: policywatch reparse && policywatch link
    """
    from policywatch.steps.crawl.rejects import reparse_rejects
    from policywatch.steps.reparse import reparse_articles

    settings = ctx.ensure_object(AppState).settings
    summary = reparse_articles(settings, article_ids=article_ids or None, everything=everything)
    counts = summary.counts()
    console.print(
        f"run {summary.run_id}: {counts['checked']} re-parsed, {counts['updated']} updated, "
        f"{counts['unchanged']} unchanged, {counts['skipped']} skipped",
        highlight=False,
    )
    for skip in summary.skipped:
        err_console.print(labelled("skipped", f"{skip.item}: {skip.message}", reason=skip.reason), highlight=False)
    refused = []
    if not article_ids:
        rejects = reparse_rejects(settings, everything=everything)
        console.print(
            f"run {rejects.run_id}: {rejects.tried} kept rejects parsed again with parser {rejects.parser_version}: "
            f"{rejects.new} new, {rejects.updated} updated, {rejects.unchanged} unchanged, "
            f"{len(rejects.refused)} still refused",
            highlight=False,
        )
        refused = rejects.refused
        for skip in refused:
            err_console.print(
                labelled("still refused", f"{skip.item}: {skip.message}", reason=skip.reason), highlight=False
            )
    if summary.skipped or refused:
        raise typer.Exit(EXIT_PARTIAL)


def register(app: typer.Typer) -> None:
    app.command()(guarded(parse))
    app.command("import-archive")(guarded(import_archive_command))
    app.command()(guarded(articles))
    app.command()(guarded(reparse))
