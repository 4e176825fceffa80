"""Sina's article ids: the publishid in its URLs and pages, and the hash id of an article whose URL is unknown."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

__all__ = ["article_hash_id", "page_publishid", "publishid_from_url"]

_PUBLISHID = re.compile(r"(?:doc|detail)-i([a-z]{7}\d{7})", re.IGNORECASE)
_PUBLISHID_ONLY = re.compile(r"^[a-z]{7}\d{7}$")


def publishid_from_url(url: str | None) -> str | None:
    """Sina's stable id from an article URL: ``…/doc-ikyyzxkw1234567.shtml`` → ``kyyzxkw1234567``."""
    if not url:
        return None
    match = _PUBLISHID.search(url)
    return match.group(1).lower() if match else None


def article_hash_id(title: str, text: str) -> str:
    """The id of an article whose URL is unknown: a hash of its title and clean text."""
    digest = hashlib.sha256(f"{title.strip()}\n{text}".encode()).hexdigest()
    return f"h{digest[:16]}"


def page_publishid(url: str | None, meta_id: str | None, own_urls: Iterable[str]) -> str | None:
    """A page's Sina id: from the URL it was fetched from, else its ``publishid`` meta (``meta_id``), else the
    first of its own URLs (``og:url``, ``link rel=canonical``) that has one, so a saved page gets the id its
    crawl would."""
    publishid = publishid_from_url(url)
    if publishid is None:
        meta_id = (meta_id or "").lower()
        publishid = meta_id if _PUBLISHID_ONLY.match(meta_id) else None
    if publishid is None:
        publishid = next(filter(None, map(publishid_from_url, own_urls)), None)
    return publishid
