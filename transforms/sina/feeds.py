"""Parse Sina's listing answers: the roll API (JSON or JSONP) and the 7x24 ``zhibo`` feed.

Pure: bytes or text in, frozen records out. The shapes are Sina's as documented in ``sina-formats.md``:
times are unix seconds, usually as *strings*; the roll item's ``urls`` and the zhibo item's ``ext`` are JSON
*strings* inside the JSON. Anything else is a ``FeedFormatError`` whose message names the page's field, so a
bad answer costs that one page, never the crawl.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from policywatch.transforms.errors import ParseError
from policywatch.transforms.models import CHINA_TZ
from policywatch.transforms.sina.times import epoch_to_utc

__all__ = [
    "FeedFormatError",
    "RollItem",
    "RollPage",
    "ZhiboItem",
    "ZhiboPage",
    "ZhiboStock",
    "parse_roll_answer",
    "parse_zhibo_answer",
    "parse_zhibo_item",
    "strip_jsonp",
]

# try{cb({...});}catch(e){};  ·  cb({...});  ·  /**/cb({...})
_JSONP = re.compile(
    r"^\s*(?:/\*\*/)?\s*(?:try\s*\{)?\s*[A-Za-z_$][\w$.]*\s*\((?P<json>.*)\)\s*;?\s*"
    r"(?:\}\s*catch\s*\(\s*\w*\s*\)\s*\{[^}]*\}\s*;?)?\s*$",
    re.S,
)
_EPOCH = re.compile(r"^\d{9,11}(?:\.\d+)?$")


class FeedFormatError(ParseError):
    """A listing answer that is not in Sina's shape (not JSON, a missing field, a wrong type, an error status)."""


@dataclass(frozen=True, slots=True)
class RollItem:
    """One entry of ``result.data[]``."""

    url: str
    title: str
    intime: datetime | None  #: when Sina listed it (UTC); the archives' ``date``
    ctime: datetime | None  #: creation time (UTC)
    mtime: datetime | None
    wapurl: str | None = None
    urls: tuple[str, ...] = ()  #: other URLs of the same article (from the JSON string ``urls``)
    intro: str | None = None
    media_name: str | None = None
    author: str | None = None
    keywords: tuple[str, ...] = ()
    docid: str | None = None

    @property
    def listed_at(self) -> datetime | None:
        return self.intime or self.ctime


@dataclass(frozen=True, slots=True)
class RollPage:
    items: tuple[RollItem, ...]
    total: int | None  #: Sina's count of items in the channel, when given
    #: the items that could not be read, each as the FeedFormatError naming what is wrong with it (only with
    #: ``parse_roll_answer(…, bad_items="keep_going")``: one bad item costs itself, not its page)
    refused: tuple[FeedFormatError, ...] = ()


@dataclass(frozen=True, slots=True)
class ZhiboStock:
    """A structured stock tag of a 7x24 item: ``{"market": "cn", "symbol": "sz300024", "key": "机器人"}``."""

    market: str
    symbol: str
    key: str


@dataclass(frozen=True, slots=True)
class ZhiboItem:
    id: int
    rich_text: str  #: may hold simple HTML
    created_at: datetime  #: aware; Sina gives naive China time
    tags: tuple[str, ...]
    stocks: tuple[ZhiboStock, ...]
    docurl: str | None


@dataclass(frozen=True, slots=True)
class ZhiboPage:
    items: tuple[ZhiboItem, ...]


def strip_jsonp(text: str) -> str:
    """The JSON inside a JSONP answer (``try{cb({...});}catch(e){};``); plain JSON is returned unchanged."""
    stripped = text.strip()
    if stripped[:1] in ("{", "["):
        return stripped
    match = _JSONP.match(stripped)
    return match.group("json") if match else stripped


def _load(data: bytes | str, what: str) -> Any:
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FeedFormatError(f"{what} answer is not UTF-8 text: {exc}", reason=f"malformed_{what}") from None
    if not data.strip():
        raise FeedFormatError(f"{what} answer is empty", reason=f"malformed_{what}")
    try:
        return json.loads(strip_jsonp(data))
    except json.JSONDecodeError as exc:
        head = data.strip()[:60].replace("\n", " ")
        raise FeedFormatError(
            f"{what} answer is not JSON or JSONP ({exc.msg} at char {exc.pos}; starts {head!r})",
            reason=f"malformed_{what}",
        ) from None


class _Fields:
    """Typed access to one JSON object, with errors that name the path of the field."""

    def __init__(self, obj: Any, path: str, what: str) -> None:
        if not isinstance(obj, Mapping):
            raise FeedFormatError(
                f"{what} answer: {path} is {_kind(obj)}, expected an object", reason=f"malformed_{what}"
            )
        self.obj, self.path, self.what = obj, path, what

    def fail(self, key: str, problem: str) -> FeedFormatError:
        return FeedFormatError(f"{self.what} answer: {self.path}.{key} {problem}", reason=f"malformed_{self.what}")

    def child(self, key: str) -> _Fields:
        if key not in self.obj:
            raise self.fail(key, "is missing")
        return _Fields(self.obj[key], f"{self.path}.{key}", self.what)

    def list(self, key: str) -> list[Any]:
        value = self.obj.get(key)
        if key not in self.obj:
            raise self.fail(key, "is missing")
        if not isinstance(value, list):
            raise self.fail(key, f"is {_kind(value)}, expected a list")
        return value

    def text(self, key: str, *, required: bool = False) -> str | None:
        value = self.obj.get(key)
        if value is None or value == "":
            if required:
                raise self.fail(key, "is missing or empty")
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.fail(key, f"is {_kind(value)}, expected text")
        return str(value).strip()

    def epoch(self, key: str) -> datetime | None:
        value = self.obj.get(key)
        if value is None or value == "" or value == 0 or value == "0":
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.fail(key, f"is {_kind(value)}, expected unix seconds")
        if isinstance(value, str) and not _EPOCH.match(value.strip()):
            raise self.fail(key, f"is {value!r}, expected unix seconds")
        return epoch_to_utc(value)

    def integer(self, key: str) -> int:
        value = self.obj.get(key)
        if isinstance(value, bool) or value is None:
            raise self.fail(key, "is missing" if value is None else "is a boolean, expected a number")
        try:
            return int(str(value).strip())
        except ValueError:
            raise self.fail(key, f"is {value!r}, expected a number") from None


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "text", bool: "a boolean", type(None): "null"}.get(
        type(value), f"a {type(value).__name__}"
    )


def _status(result: _Fields) -> None:
    status = result.child("status")
    code = status.obj.get("code")
    if code is None:
        raise status.fail("code", "is missing")
    if str(code).strip() != "0":
        message = status.obj.get("msg") or "no message"
        raise FeedFormatError(
            f"{result.what} answer: Sina reports status {code} ({message})", reason=f"{result.what}_status"
        )


def _string_list(fields: _Fields, key: str) -> tuple[str, ...]:
    """``urls`` is a JSON string of an array (``"[\\"https:\\/\\/…\\"]"``); a real array is accepted too."""
    value = fields.obj.get(key)
    if value in (None, "", "[]"):
        return ()
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise fields.fail(key, f"is {value[:40]!r}, expected a JSON array in a string") from None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise fields.fail(key, "is not an array of URLs")
    return tuple(v.strip() for v in value if v.strip())


def parse_roll_answer(data: bytes | str, *, bad_items: Literal["raise", "keep_going"] = "raise") -> RollPage:
    """One page of ``feed.mix.sina.com.cn/api/roll/get``; raises FeedFormatError naming what is wrong. With
    ``bad_items="keep_going"`` an item that cannot be read goes to ``RollPage.refused`` and the others are
    kept; a page that is not a roll answer at all still raises."""
    result = _Fields(_load(data, "roll"), "(top)", "roll").child("result")
    _status(result)
    items: list[RollItem] = []
    refused: list[FeedFormatError] = []
    for index, raw in enumerate(result.list("data")):
        try:
            items.append(_roll_item(_Fields(raw, f"result.data[{index}]", "roll")))
        except FeedFormatError as exc:
            if bad_items == "raise":
                raise
            url = raw.get("url") if isinstance(raw, dict) else None
            refused.append(
                FeedFormatError(f"{exc} (the item of {url})", reason=exc.reason) if isinstance(url, str) else exc
            )
    total = str(result.obj.get("total") or "")
    return RollPage(tuple(items), int(total) if total.isdecimal() else None, tuple(refused))


def _roll_item(item: _Fields) -> RollItem:
    intime, ctime = item.epoch("intime"), item.epoch("ctime")
    if intime is None and ctime is None:
        raise item.fail("intime", "and ctime are both missing: the item has no time")
    keywords = item.text("keywords") or ""
    return RollItem(
        url=item.text("url", required=True) or "",
        title=item.text("title", required=True) or "",
        intime=intime,
        ctime=ctime,
        mtime=item.epoch("mtime"),
        wapurl=item.text("wapurl"),
        urls=_string_list(item, "urls"),
        intro=item.text("intro"),
        media_name=item.text("media_name"),
        author=item.text("author"),
        keywords=tuple(k.strip() for k in keywords.split(",") if k.strip()),
        docid=item.text("docid"),
    )


def _china_time(fields: _Fields, key: str) -> datetime:
    value = fields.text(key, required=True) or ""
    try:
        naive = datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        raise fields.fail(key, f"is {value!r}, expected 'YYYY-MM-DD HH:MM:SS' (China time)") from None
    return naive.replace(tzinfo=CHINA_TZ)


def _zhibo_ext(fields: _Fields) -> tuple[tuple[ZhiboStock, ...], str | None]:
    raw = fields.obj.get("ext")
    if raw in (None, ""):
        return (), None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            raise fields.fail("ext", f"is {raw[:40]!r}, expected a JSON object in a string") from None
    ext = _Fields(raw, f"{fields.path}.ext", "zhibo")
    stocks = []
    for index, entry in enumerate(ext.obj.get("stocks") or []):
        stock = _Fields(entry, f"{ext.path}.stocks[{index}]", "zhibo")
        stocks.append(
            ZhiboStock(
                market=(stock.text("market", required=True) or "").lower(),
                symbol=stock.text("symbol", required=True) or "",
                key=stock.text("key") or "",
            )
        )
    return tuple(stocks), ext.text("docurl")


def parse_zhibo_answer(data: bytes | str) -> ZhiboPage:
    """One page of ``zhibo.sina.com.cn/api/zhibo/feed`` (``result.data.feed.list[]``)."""
    result = _Fields(_load(data, "zhibo"), "(top)", "zhibo").child("result")
    _status(result)
    feed = result.child("data").child("feed")
    items = [parse_zhibo_item(raw, f"result.data.feed.list[{index}]") for index, raw in enumerate(feed.list("list"))]
    return ZhiboPage(items=tuple(items))


def parse_zhibo_item(obj: Any, path: str) -> ZhiboItem:
    """One element of a 7x24 page's ``result.data.feed.list`` (the JSON object); ``path`` names it in the
    FeedFormatError raised when it is not a usable item."""
    item = _Fields(obj, path, "zhibo")
    tags = obj.get("tag") or []
    if not isinstance(tags, list):
        raise item.fail("tag", f"is {_kind(tags)}, expected a list")
    stocks, docurl = _zhibo_ext(item)
    return ZhiboItem(
        id=item.integer("id"),
        rich_text=item.text("rich_text", required=True) or "",
        created_at=_china_time(item, "create_time"),
        tags=tuple(str(t.get("name")) for t in tags if isinstance(t, Mapping) and t.get("name")),
        stocks=stocks,
        docurl=docurl or item.text("docurl"),
    )
