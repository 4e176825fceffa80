"""Shared CLI plumbing: settings on demand, error exits, and table/CSV/JSON output."""

from __future__ import annotations

import csv
import functools
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any, NoReturn

from rich.console import Console
from rich.table import Table
from rich.text import Text

from policywatch.transforms.errors import PolicywatchError, TransientError
from policywatch.transforms.models import CHINA_TZ

if TYPE_CHECKING:
    from policywatch.config import Settings

__all__ = [
    "EXIT_PARTIAL",
    "EXIT_TERMINAL",
    "EXIT_TRANSIENT",
    "AppState",
    "OutputFormat",
    "emit_rows",
    "fail",
    "guarded",
    "labelled",
]

EXIT_PARTIAL = 1  #: done, but some inputs were skipped
EXIT_TERMINAL = 2  #: bad input or configuration: fix it, do not retry
EXIT_TRANSIENT = 75  #: EX_TEMPFAIL: try again later (a lock, the network)

#: the width of output that no terminal measures (cron, Airflow, CI, a file): wide enough for a URL and a
#: summary on one line, where rich would wrap at 80 columns
UNMEASURED_WIDTH = 120


def unmeasured_width() -> int | None:
    """``UNMEASURED_WIDTH`` when neither ``COLUMNS`` nor a terminal on stdin, stdout or stderr gives a width
    (rich measures those itself: ``policywatch … | less`` in a terminal gets the terminal's width)."""
    if (os.environ.get("COLUMNS") or "").isdigit():
        return None
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        try:
            os.get_terminal_size(stream.fileno())
        except (AttributeError, ValueError, OSError):
            continue
        return None
    return UNMEASURED_WIDTH


# What is printed is data (titles, paths, error messages, query results): never read as markup, so that a
# ``[/]`` in it cannot crash the print nor ``[red]`` style it, nor ``:name:`` become an emoji. Styles go through
# ``labelled``.
console = Console(width=unmeasured_width(), markup=False, emoji=False)
err_console = Console(stderr=True, width=unmeasured_width(), markup=False, emoji=False)


def labelled(label: str, message: str = "", *, style: str = "yellow", reason: str | None = None) -> Text:
    """``label message (reason)`` with the label styled and the rest printed exactly as written."""
    text = Text(label, style=style)
    if message:
        text.append(" " + message)
    if reason:
        text.append(f" ({reason})", style="dim")
    return text


@dataclass
class AppState:
    _load: Callable[[], Settings]
    _settings: Settings | None = field(default=None, init=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = self._load()
        return self._settings


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def fail(exc: PolicywatchError) -> NoReturn:
    kind = "retryable" if isinstance(exc, TransientError) else "error"
    err_console.print(labelled(f"{kind}:", str(exc), style="bold red"), highlight=False, soft_wrap=True)
    sys.exit(EXIT_TRANSIENT if isinstance(exc, TransientError) else EXIT_TERMINAL)


def guarded(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn policywatch's errors into a one-line message and the matching exit code."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except PolicywatchError as exc:
            fail(exc)

    return wrapper


def _plain(value: Any) -> Any:
    """A JSON-ready value: instants in China time, every other type DuckDB returns as text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime):
        return value.astimezone(CHINA_TZ).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)  # INTERVAL (timedelta), UUID, …


def emit_rows(
    columns: Sequence[str], rows: Sequence[Sequence[Any]], fmt: OutputFormat, *, title: str | None = None
) -> None:
    """Print query results as a rich table, CSV or JSON (one array of objects)."""
    if fmt is OutputFormat.json:
        payload = [{c: _plain(v) for c, v in zip(columns, row, strict=True)} for row in rows]
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
        return
    if fmt is OutputFormat.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(
                [json.dumps(_plain(v), ensure_ascii=False) if isinstance(v, list | dict) else _plain(v) for v in row]
            )
        return
    table = Table(title=title, show_lines=False)
    for column in columns:
        table.add_column(Text(column), overflow="fold")
    for row in rows:
        table.add_row(*(Text("" if v is None else str(_plain(v))) for v in row))
    console.print(table)
