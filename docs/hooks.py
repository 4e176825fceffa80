"""MkDocs hook: a table written for GitHub renders the same on the site.

GitHub splits a table row at every `|`, even inside code, so the pages write such a pipe as `\\|`
(`--format table\\|csv`); Python-Markdown keeps the pipes of a code span together and would print the backslash.
Before Markdown reads a page, this unescapes them in the code spans of table rows (fences left alone).
"""

from __future__ import annotations

import re
from typing import Any

_CODE_SPAN = re.compile(r"`[^`\n]*`")


def on_page_markdown(markdown: str, **_: Any) -> str:
    lines, in_fence = [], False
    for line in markdown.split("\n"):
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        elif not in_fence and line.lstrip().startswith("|"):
            line = _CODE_SPAN.sub(lambda span: span.group(0).replace("\\|", "|"), line)
        lines.append(line)
    return "\n".join(lines)
