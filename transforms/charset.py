"""Bytes to text for Sina pages and archive posts.

Order: the HTTP ``charset``, then the page's own ``<meta charset>``, then detection. GB2312 is decoded as
GB18030 (old Sina pages declare GB2312 but use characters outside it, such as 镕). Never falls back to
ISO-8859-1: bytes that do not decode cleanly are an error, not mojibake.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from transforms.errors import CharsetError

__all__ = ["decode_html", "normalise_encoding_name"]

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)
#: declared names that are really a superset on Sina's servers
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030"}
_CHINESE_ENCODINGS = ("utf_8", "gb18030", "big5")


def normalise_encoding_name(name: str) -> str | None:
    """Python's codec name for a declared charset, widened to its superset; None if Python knows no such codec."""
    cleaned = name.strip().strip("\"'").lower()
    cleaned = _SUPERSETS.get(cleaned, cleaned)
    try:
        return codecs.lookup(cleaned).name
    except LookupError:
        return None


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if b"\x00" in head:
        return True
    controls = sum(1 for byte in head if byte < 9 or 13 < byte < 32)
    return controls > len(head) // 20


def decode_html(data: bytes, http_charset: str | None = None) -> tuple[str, str]:
    """Decode page bytes; returns ``(text, codec name)``. Raises CharsetError with the reason.

    A declared charset that Python does not know is not guessed around silently: if the bytes are valid
    UTF-8 they are used as such, otherwise the page is refused with the declared name in the message.
    """
    if not data.strip():
        raise CharsetError("empty document: no bytes to decode", reason="empty")
    if _looks_binary(data):
        raise CharsetError("binary data, not an HTML page or text post", reason="binary")
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="strict"), "utf-8"

    declared: list[str] = []
    if http_charset:
        declared.append(http_charset)
    meta = _META_CHARSET.search(data[:4096])
    if meta:
        declared.append(meta.group(1).decode("ascii", errors="replace"))

    for name in declared:
        codec = normalise_encoding_name(name)
        if codec is None:
            try:
                return data.decode("utf-8"), "utf-8"
            except UnicodeDecodeError:
                raise CharsetError(
                    f"unknown charset {name!r} declared, and the bytes are not UTF-8",
                    reason="unknown_charset",
                ) from None
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError as exc:
            if exc.start >= len(data) - 4:
                # cut inside the last character: a truncated download, which the parser reports as such
                return data[: exc.start].decode(codec), codec
            continue  # a wrong declaration: try the next source of truth

    for codec in _CHINESE_ENCODINGS:
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError as exc:
            if codec == "utf_8" and exc.start >= len(data) - 4:
                return data[: exc.start].decode(codec), codec
            continue
    best = from_bytes(data).best()
    if best is None or best.encoding in {"latin_1", "iso8859_1", "cp1252", "ascii"}:
        raise CharsetError("cannot detect the charset of the bytes", reason="undetectable_charset")
    return str(best), best.encoding
