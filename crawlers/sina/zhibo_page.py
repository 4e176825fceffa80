"""A 7x24 feed page cut into its items, each kept as the exact JSON text Sina sent.

The spider needs only what paging needs (each item's id) and must keep the rest raw: the loader parses the
items, and a newer parser can parse them again from the same text. So the answer is checked for its frame
(JSON or JSONP, ``result.status.code == 0``, a list at ``result.data.feed.list``) and each element of the list
is cut out of the answer as it is, with its id when it has a usable one. An element's meaning (its text, time,
tags) is not looked at here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from policywatch.transforms.sina.feeds import FeedFormatError, strip_jsonp

__all__ = ["RawZhiboItem", "split_zhibo_page", "zhibo_feed_key"]

#: the query parameters that page through one feed (the rest name the feed)
_PAGING = ("page", "page_size")

_PATH = ("result", "data", "feed", "list")
_DECODER = json.JSONDecoder()
_WS = " \t\n\r"


@dataclass(frozen=True, slots=True)
class RawZhiboItem:
    raw: str  #: the element's JSON text exactly as in the answer
    id: int | None  #: None when the element has no usable id (the loader reports it)


def _fail(message: str, reason: str = "malformed_zhibo") -> FeedFormatError:
    return FeedFormatError(f"zhibo answer: {message}", reason=reason)


def _skip_ws(text: str, at: int) -> int:
    while at < len(text) and text[at] in _WS:
        at += 1
    return at


def _members(text: str, at: int) -> Iterator[tuple[str, int, int]]:
    """``(key, start, end)`` of each member of the object starting at ``text[at]`` (``{``)."""
    at = _skip_ws(text, at + 1)
    if text[at] == "}":
        return
    while True:
        key, at = _DECODER.raw_decode(text, at)
        at = _skip_ws(text, _skip_ws(text, at) + 1)  # past the colon
        start = at
        _, at = _DECODER.raw_decode(text, start)
        yield key, start, at
        at = _skip_ws(text, at)
        if text[at] == "}":
            return
        at = _skip_ws(text, at + 1)  # past the comma


def _elements(text: str, at: int) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each element of the array starting at ``text[at]`` (``[``)."""
    at = _skip_ws(text, at + 1)
    if text[at] == "]":
        return
    while True:
        start = at
        _, at = _DECODER.raw_decode(text, start)
        yield start, at
        at = _skip_ws(text, at)
        if text[at] == "]":
            return
        at = _skip_ws(text, at + 1)


def _item_id(value: Any) -> int | None:
    if not isinstance(value, dict):
        return None
    raw = value.get("id")
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.strip().isdecimal():
        return int(raw.strip())
    return None


def zhibo_feed_key(url: str) -> str:
    """The feed a 7x24 URL reads, whatever its page: the URL without its paging parameters."""
    parts = urlsplit(url.strip())
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in _PAGING]
    return urlunsplit(parts._replace(query=urlencode(query)))


def split_zhibo_page(body: bytes) -> list[RawZhiboItem]:
    """The items of one page of ``zhibo.sina.com.cn/api/zhibo/feed``, newest first as Sina lists them.

    Raises FeedFormatError (reason ``malformed_zhibo``, or ``zhibo_status`` when Sina reports an error) when the
    answer is not such a page at all; an element without a usable id is returned with ``id`` None.
    """
    try:
        text = strip_jsonp(body.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise _fail(f"not UTF-8 text: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        head = text.strip()[:60].replace("\n", " ")
        raise _fail(f"not JSON or JSONP ({exc.msg} at char {exc.pos}; starts {head!r})") from None
    node: Any = data
    for depth, key in enumerate(_PATH):
        if key == "data" and isinstance(node, dict):
            status = node.get("status") if isinstance(node.get("status"), dict) else {}
            if str(status.get("code", "")).strip() != "0":
                message = status.get("msg") or "no message"
                raise _fail(f"Sina reports status {status.get('code')} ({message})", "zhibo_status")
        if not isinstance(node, dict) or key not in node:
            raise _fail(f"{'.'.join(_PATH[: depth + 1])} is missing")
        node = node[key]
    if not isinstance(node, list):
        raise _fail(f"{'.'.join(_PATH)} is not a list")
    # the same walk over the text, to cut each element out as it was sent
    at = _skip_ws(text, 0)
    for key in _PATH:
        at = [start for name, start, _ in _members(text, at) if name == key][-1]  # json.loads keeps the last
    return [
        RawZhiboItem(text[start:end], _item_id(value))
        for (start, end), value in zip(_elements(text, at), node, strict=True)
    ]
