"""Hexo archive posts: YAML front matter, then the inner HTML of the article body.

The public Sina archives were written by RSSHub: ``date`` is RFC 2822 in GMT (Sina's ``intime``; other forms
are read too, see ``parse_post_date``), ``author``
is the feed's name (not the article's source), braces in the body are escaped as ``&#123;``/``&#125;``
(decoded by the HTML parser), and the article URL is not kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime, parsedate_tz
from typing import Any

import yaml
from policywatch.transforms.errors import ParseError
from policywatch.transforms.models import CHINA_TZ

__all__ = ["HexoPost", "parse_post_date", "parse_rfc2822", "split_front_matter"]

_MINUS_ZERO = re.compile(r"\s-0000\s*$")
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_SHAPE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d|$)")
_NO_ZONE = "the post's date has no time zone: read as China time"
_NO_TIME = "the post's date has no time: read as 00:00 China time"
_IMPOSSIBLE = "{!r} names no real day or time"
_FRONT_MATTER = re.compile(r"\A\ufeff?\s*---[ \t]*\r?\n(?P<yaml>.*?)\r?\n---[ \t]*(?:\r?\n|\Z)(?P<body>.*)\Z", re.S)


class _PostLoader(yaml.SafeLoader):
    """YAML's safe loader, except that a timestamp naming no real day (``date: 2021-02-30``) stays a string:
    the post's other fields are still read, and its date is judged (and reported) like any other."""


def _timestamp_or_text(loader: _PostLoader, node: yaml.ScalarNode) -> Any:
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


_PostLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


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
        data = yaml.load(match.group("yaml"), Loader=_PostLoader)  # a SafeLoader
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


def parse_post_date(value: Any) -> tuple[datetime | None, str | None]:
    """A front-matter ``date`` → ``(aware instant, note)``; ``(None, None)`` when there is no usable date, and
    ``(None, reason)`` when it has a date's shape but names no real day or time (``2021-02-30``).

    RSSHub writes RFC 2822 in GMT (``Sun, 10 Oct 2021 12:58:34 GMT``); ``-0000`` is UTC too (RFC 2822: "UTC,
    local zone unknown"). ISO 8601 (``2021-10-10T12:58:34Z``, quoted or not) keeps its offset. A time without a
    zone (``2021-10-10 20:58:34``, which YAML already makes a naive datetime) is Hexo's site time, read as China
    time; a date alone (``2021-10-10``) is read as 00:00 China time, so it keeps its calendar day in China.
    The note says what was assumed.
    """
    if value is None or value == "":
        return None, None
    if isinstance(value, datetime):
        return (value, None) if value.tzinfo else (value.replace(tzinfo=CHINA_TZ), _NO_ZONE)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=CHINA_TZ), _NO_TIME
    text = str(value).strip()
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        if parsedate_tz(text) is not None:  # read as RFC 2822, but no such day (``30 Feb``) or time
            return None, _IMPOSSIBLE.format(text)
        parsed = None
    if parsed is not None:
        if parsed.tzinfo:
            return parsed, None
        if _MINUS_ZERO.search(text):
            return parsed.replace(tzinfo=UTC), None
        return parsed.replace(tzinfo=CHINA_TZ), _NO_ZONE
    try:
        if _DATE_ONLY.match(text):
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, tzinfo=CHINA_TZ), _NO_TIME
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None, _IMPOSSIBLE.format(text) if _ISO_SHAPE.match(text) else None
    return (parsed, None) if parsed.tzinfo else (parsed.replace(tzinfo=CHINA_TZ), _NO_ZONE)
