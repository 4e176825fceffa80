"""Hexo archive posts: YAML front matter, then the inner HTML of the article body.

The public Sina archives were written by RSSHub: ``date`` is RFC 2822 in GMT (Sina's ``intime``), ``author``
is the feed's name (not the article's source), braces in the body are escaped as ``&#123;``/``&#125;``
(decoded by the HTML parser), and the article URL is not kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

import yaml

from transforms.errors import ParseError
from transforms.models import CHINA_TZ

__all__ = ["HexoPost", "parse_post_date", "parse_rfc2822", "split_front_matter"]

_FRONT_MATTER = re.compile(r"\A\ufeff?\s*---[ \t]*\r?\n(?P<yaml>.*?)\r?\n---[ \t]*(?:\r?\n|\Z)(?P<body>.*)\Z", re.S)


@dataclass(frozen=True, slots=True)
class HexoPost:
    front_matter: dict[str, Any]
    body: str


def split_front_matter(text: str) -> HexoPost:
    """Split a post into its front matter and body; ParseError if it has no usable front matter."""
    match = _FRONT_MATTER.match(text)
    if not match:
        raise ParseError("not a Hexo post: no '---' front matter at the top", reason="no_front_matter")
    try:
        data = yaml.safe_load(match.group("yaml"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        raise ParseError(f"front matter is not valid YAML{where}: {exc}", reason="bad_front_matter") from None
    if not isinstance(data, dict):
        raise ParseError("front matter is not a mapping of fields", reason="bad_front_matter")
    return HexoPost(front_matter=data, body=match.group("body"))


def parse_rfc2822(value: Any) -> datetime | None:
    """``Sun, 10 Oct 2021 12:58:34 GMT`` → an aware datetime (a date without a zone is read as China time)."""
    return parse_post_date(value)[0]


def parse_post_date(value: Any) -> tuple[datetime | None, bool]:
    """``Sun, 10 Oct 2021 12:58:34 GMT`` → an aware datetime. YAML may already have made a datetime of a date
    written ``2021-10-10 20:58:34``; a date without a zone is Hexo's site time, read here as China time.
    Returns the instant and whether the zone was assumed."""
    if value is None or value == "":
        return None, False
    if isinstance(value, datetime):
        return (value, False) if value.tzinfo else (value.replace(tzinfo=CHINA_TZ), True)
    try:
        parsed = parsedate_to_datetime(str(value))
    except (TypeError, ValueError):
        return None, False
    return (parsed, False) if parsed.tzinfo else (parsed.replace(tzinfo=CHINA_TZ), True)
