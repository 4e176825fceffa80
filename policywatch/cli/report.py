"""``policywatch report``: the self-contained HTML report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from policywatch.cli.common import AppState, console, guarded

__all__ = ["register"]


def report(
    ctx: typer.Context,
    article_ids: Annotated[list[str] | None, typer.Argument(help="Only these articles' pages (default: all).")] = None,
    out: Annotated[Path, typer.Option(help="Folder for index.html and the article pages.")] = Path("data/report"),
    study: Annotated[str | None, typer.Option(help="The study whose results are shown (default from config).")] = None,
) -> None:
    """Write the HTML report: an overview and one page per article with its measures, themes, Sina's links judged,
    the CAAR per theme with confidence bands and the statistics. Single files, no network needed to view them.

    Example: policywatch report --out /tmp/pw-report && xdg-open /tmp/pw-report/index.html
    """
    from policywatch.report import write_reports

    settings = ctx.ensure_object(AppState).settings
    summary = write_reports(settings, out, article_ids=article_ids or None, study=study)
    console.print(f"report: {summary.index} and {len(summary.pages)} article pages", highlight=False)


def register(app: typer.Typer) -> None:
    app.command()(guarded(report))
