"""Sina's times as aware datetimes: the times its pages show (China time), its API's epoch seconds, and a
page's publication time made exact by its ``article:published_time``."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from policywatch.transforms.models import CHINA_TZ

__all__ = ["epoch_to_utc", "page_published_at", "parse_china_time"]

_CN_TIME = re.compile(
    r"(?P<y>\d{4})\s*[年\-/.]\s*(?P<m>\d{1,2})\s*[月\-/.]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:(?:\s*|T)(?P<H>\d{1,2})\s*[:：时]\s*(?P<M>\d{1,2})(?:\s*[:：分]\s*(?P<S>\d{1,2}))?)?"
)
_CLOCK = re.compile(r"\d{1,2}\s*[:：时]\s*\d{2}")
_ISO_OFFSET = re.compile(r"([+-]\d{2}):?(\d{2})$|Z$")
_NO_CLOCK = "the page gives the publication date without a time: read as 00:00 China time"


def parse_china_time(text: str | None) -> datetime | None:
    """Sina's page times: ``2021年10月10日 20:58``, ``2021-10-10 20:58:34`` or ``2021-10-10T20:58:34`` (China
    time, naive) or ISO with an offset (``2021-10-10T20:58:34+08:00``). Returns an aware datetime, or None."""
    if not text:
        return None
    text = text.strip()
    iso = text.replace(" ", "T", 1) if re.match(r"\d{4}-\d{2}-\d{2} \d", text) else text
    if _ISO_OFFSET.search(iso) and "T" in iso:
        try:
            return datetime.fromisoformat(iso.replace("Z", "+00:00"))
        except ValueError:
            pass
    match = _CN_TIME.search(text)
    if not match:
        return None
    try:
        return datetime(
            int(match["y"]),
            int(match["m"]),
            int(match["d"]),
            int(match["H"] or 0),
            int(match["M"] or 0),
            int(match["S"] or 0),
            tzinfo=CHINA_TZ,
        )
    except ValueError:
        return None


def epoch_to_utc(seconds: int | float | str) -> datetime:
    """Sina's API times (``intime``/``ctime``, epoch seconds, often as strings) → aware UTC."""
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=float(seconds))


def page_published_at(shown_texts: Iterable[str | None], meta_text: str | None, warnings: list[str]) -> datetime | None:
    """A page's publication time: the first of ``shown_texts`` (the time the page shows, by its template's
    selectors, then the generic ones) that reads as a time, made exact (seconds, offset) by ``meta_text`` (its
    ``article:published_time``) when that names the same minute (or the same day, when the page shows no time).
    What was assumed or disagreed goes to ``warnings``."""
    shown, has_clock = None, False
    for time_text in shown_texts:
        shown = parse_china_time(time_text)
        has_clock = bool(_CLOCK.search(time_text or ""))
        if shown is not None:
            break
    meta = parse_china_time(meta_text)
    if shown is None or meta is None or meta == shown:
        if shown is not None and not has_clock:
            warnings.append(_NO_CLOCK)
        return shown
    meta_cn = meta.astimezone(CHINA_TZ)
    if has_clock:
        consistent = shown.second == 0 and meta_cn.replace(second=0, microsecond=0) == shown
    else:
        consistent = meta_cn.date() == shown.date()
    if consistent:
        return meta_cn
    warnings.append(
        f"the page shows {shown.isoformat()} but its article:published_time says {meta.isoformat()}: "
        "kept the time it shows"
    )
    if not has_clock:
        warnings.append(_NO_CLOCK)
    return shown
