"""``policywatch demo``: the offline end-to-end run on the bundled sample articles."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from policywatch.cli.common import console, guarded
from policywatch.config import load_settings
from policywatch.steps.demo import run_demo

__all__ = ["register"]


def demo(
    out: Annotated[Path, typer.Option(help="Folder for the demo's database and outputs.")] = Path("data/demo"),
) -> None:
    """Run the pipeline end to end, offline, on the bundled sample articles into an embedded DuckDB file.

    Example: policywatch demo --out /tmp/pw-demo
    """
    summary = run_demo(out, base_settings=load_settings(), console=console)
    console.print(summary, highlight=False, markup=False)


def register(app: typer.Typer) -> None:
    app.command()(guarded(demo))
