"""Bytes to text for Sina pages and archive posts.

w3lib (Scrapy's own) finds what the bytes declare, the way browsers do: a byte order mark, then the HTTP
``charset``, then the page's ``<meta charset>`` (the WHATWG prescan: comments skipped, stops at ``<body>``),
each label resolved to Python's codec with GB2312 and GBK widened to GB18030 (old Sina pages declare GB2312
but use characters outside it, such as 镕). What this module adds is the judgement of each decoding, since
Sina's declarations are often wrong and w3lib would decode any bytes with any charset, replacing what does not
fit. Never falls back to ISO-8859-1 and never stores mojibake:

- a declared charset that leaves a few undecodable bytes for the page's size (a stray ``\\xff``, a short GBK
  string in a script of a UTF-8 page) is used, the bad bytes replaced by U+FFFD, with a warning; one that
  leaves many (more than 1 per 100 other non-ASCII characters) is not the page's charset;
- a declared charset Python does not know is not guessed around: the bytes are used if they are UTF-8,
  refused otherwise;
- detection only considers the charsets Sina writes (UTF-8, GB18030, Big5) and judges each decoding by the
  share of common Chinese characters in it: GB18030 accepts almost any Big5 bytes, but the text it makes of
  them is a third rare characters and symbols. Bytes no candidate turns into plausible Chinese are refused.
"""

from __future__ import annotations

import codecs
import re
import threading
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache

from charset_normalizer import from_bytes
from policywatch.transforms.errors import CharsetError
from w3lib.encoding import html_body_declared_encoding, read_bom, resolve_encoding

__all__ = ["DecodedText", "decode_document", "plausibility"]

#: the meta's label as the page writes it: messages name it so, and w3lib's prescan answers None both for no
#: declaration and for a label no codec has, which are not the same thing here (the second is refused)
_META_LABEL = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)
#: WHATWG labels Python has no codec name for
_LABELS_PYTHON_LACKS = {"x-gbk": "gbk"}
_DETECTED = ("utf-8", "gb18030", "big5")
#: a charset may leave at most 1 undecodable sequence per this many other non-ASCII characters (one is always
#: allowed): a stray byte, or a short string in another charset in a script, of a real page; not a page in
#: another charset, where nearly every Chinese character is one or two bad sequences
_CHARS_PER_BAD_SEQUENCE = 100
#: the share of common Chinese characters a GB18030 or Big5 decoding needs: real pages score above 0.99,
#: Big5 read as GB18030 about 0.33
_MIN_PLAUSIBILITY = 0.8
_SAMPLE_CHARS = 4000


@dataclass(frozen=True, slots=True)
class DecodedText:
    text: str
    encoding: str  #: Python's codec name
    warnings: tuple[str, ...] = ()


_CONTROL_BYTES = bytes(b for b in range(32) if b < 9 or 13 < b < 32)  #: not tab, newline, CR, FF, VT


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if b"\x00" in head:
        return True
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))  # counted in C, not byte by byte
    return controls > len(head) // 20


@dataclass(frozen=True, slots=True)
class _Attempt:
    codec: str
    text: str | None  #: None when too many bytes do not decode
    bad: tuple[int, ...]  #: offsets of the undecodable sequences (replaced by U+FFFD in ``text``)


_CUT_REASONS = ("unexpected end of data", "incomplete multibyte sequence")
_ERRORS = "policywatch.charset.record"
#: the offsets of the undecodable sequences met by the decoding running in this thread
_BAD = threading.local()


class _TooMany(Exception):
    """More undecodable sequences than any text of this size may have: the decoding stops there."""


def _replace_and_record(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    if exc.start >= len(exc.object) - 4 and exc.reason in _CUT_REASONS:
        return "", len(exc.object)  # a cut inside the last character: left to the truncation check
    _BAD.offsets.append(exc.start)
    if len(_BAD.offsets) > _BAD.limit:
        raise _TooMany
    return "\ufffd", exc.end


codecs.register_error(_ERRORS, _replace_and_record)


def _all_bad(data: bytes, codec: str, first: list[int]) -> tuple[int, ...]:
    """Every undecodable sequence's offset, once the first few showed the charset does not fit: the others
    are counted at C speed (U+FFFD from "replace" less those already in the text), their offsets unknown (-1)."""
    total = data.decode(codec, "replace").count("\ufffd") - data.decode(codec, "ignore").count("\ufffd")
    return (*first, *[-1] * max(0, total - len(first)))


def _decode(data: bytes, codec: str) -> _Attempt:
    """Decode, replacing undecodable sequences by U+FFFD, as long as they are few for the text around them.
    A cut inside the last character is dropped instead: that is a truncated transfer, which the parser
    reports as such."""
    try:
        return _Attempt(codec, data.decode(codec), ())  # the common case, at C speed
    except UnicodeDecodeError:
        pass
    # never more bad sequences than one per _CHARS_PER_BAD_SEQUENCE bytes: the check below could not pass, so
    # a wrong charset stops early instead of calling the handler for each of its thousands of bad sequences
    _BAD.offsets, _BAD.limit = [], max(1, len(data) // _CHARS_PER_BAD_SEQUENCE)
    try:
        text = data.decode(codec, errors=_ERRORS)
        bad = tuple(_BAD.offsets)
    except _TooMany:
        return _Attempt(codec, None, _all_bad(data, codec, _BAD.offsets))
    finally:
        del _BAD.offsets, _BAD.limit
    if bad:
        decoded = sum(1 for char in text if ord(char) > 0x7F) - len(bad)
        if len(bad) > max(1, decoded // _CHARS_PER_BAD_SEQUENCE):
            return _Attempt(codec, None, bad)
    return _Attempt(codec, text, bad)


def _is_neutral(char: str) -> bool:
    """Punctuation and spaces every Chinese text has, whatever the charset."""
    point = ord(char)
    return (
        char.isspace()
        or 0x3000 <= point <= 0x303F  # 、。「」《》
        or 0xFF00 <= point <= 0xFF65  # fullwidth forms: ，：（）
        or 0x2010 <= point <= 0x2027  # dashes, curly quotes, ellipsis
        or point in (0xB7, 0xFFFD)
    )


@lru_cache(maxsize=16384)
def _is_common_chinese(char: str) -> bool:
    """A hanzi of GB2312 (simplified) or of Big5's frequent set (traditional)."""
    try:
        gb = char.encode("gb2312")
        if len(gb) == 2 and 0xB0 <= gb[0] <= 0xF7:
            return True
    except UnicodeEncodeError:
        pass
    try:
        big5 = char.encode("big5")
    except UnicodeEncodeError:
        return False
    return len(big5) == 2 and 0xA4 <= big5[0] <= 0xC6


def plausibility(text: str) -> float:
    """The share of common Chinese characters among the non-ASCII characters of ``text`` (punctuation and
    spaces left out): about 1.0 for real Chinese text, far lower for mojibake. 1.0 when there are none."""
    counted = common = 0
    for char in text:
        if ord(char) < 0x80 or _is_neutral(char):
            continue
        counted += 1
        common += _is_common_chinese(char)
        if counted >= _SAMPLE_CHARS:
            break
    return common / counted if counted else 1.0


def _plausible(attempt: _Attempt) -> bool:
    if attempt.text is None:
        return False
    # valid UTF-8 is its own evidence: other charsets' non-ASCII bytes almost never form UTF-8 sequences
    return attempt.codec == "utf-8" or plausibility(attempt.text) >= _MIN_PLAUSIBILITY


def _replaced(attempt: _Attempt) -> tuple[str, ...]:
    if not attempt.bad:
        return ()
    where = ", ".join(str(offset) for offset in attempt.bad[:3])
    return (
        f"{len(attempt.bad)} undecodable byte sequence(s) in the {attempt.codec} text replaced by U+FFFD "
        f"(at byte {where})",
    )


def _detect(data: bytes, tried: Collection[str] = ()) -> _Attempt | None:
    """The plausible decoding with the fewest replaced bytes, in Sina's own order of charsets; the codecs in
    ``tried`` already gave no plausible text (decoding is deterministic), so they are not decoded again."""
    plausible = []
    for codec in _DETECTED:
        if codec in tried:
            continue
        attempt = _decode(data, codec)
        if _plausible(attempt):
            if not attempt.bad:
                return attempt  # none fewer: the later charsets need not be tried
            plausible.append(attempt)
    return min(plausible, key=lambda attempt: len(attempt.bad)) if plausible else None


def _guess(data: bytes) -> str:
    best = from_bytes(data[:65536]).best()
    return f" (it looks like {best.encoding}, not Chinese)" if best is not None else ""


def _codec(label: str) -> str | None:
    """Python's codec for a declared label (w3lib's mapping, GB2312 and GBK widened to GB18030); None if none."""
    label = label.strip().strip("\"'")
    return resolve_encoding(_LABELS_PYTHON_LACKS.get(label.lower(), label))


def _declarations(data: bytes, http_charset: str | None) -> list[tuple[str, str | None]]:
    """What the HTTP header, then the page, declare: (the label as written, Python's codec or None)."""
    declared: list[tuple[str, str | None]] = []
    if http_charset:
        declared.append((http_charset, _codec(http_charset)))
    codec = html_body_declared_encoding(data)
    written = _META_LABEL.search(data[:4096])
    label = written.group(1).decode("ascii") if written else None
    if codec is not None:
        declared.append((label if label is not None and _codec(label) == codec else codec, codec))
    elif label is not None and resolve_encoding(label) is None:
        # w3lib passes over a label it has no codec for: one Python knows by another name, or one to refuse
        declared.append((label, _codec(label)))
    return declared


def _after_bom(data: bytes) -> DecodedText | None:
    """The text after a byte order mark, which declares its charset beyond doubt; None without one."""
    codec, bom = read_bom(data)
    if codec is None or bom is None:
        return None
    attempt = _decode(data[len(bom) :], codec)
    if attempt.text is None:
        raise CharsetError(
            f"the bytes start with a {codec.upper()} byte order mark but {len(attempt.bad)} byte sequences "
            f"are not {codec.upper()}",
            reason="charset_mismatch",
        )
    return DecodedText(attempt.text, codec, _replaced(attempt))


def _unknown_charset(data: bytes, name: str) -> DecodedText:
    try:
        return DecodedText(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        raise CharsetError(
            f"unknown charset {name!r} declared, and the bytes are not UTF-8", reason="unknown_charset"
        ) from None


def decode_document(data: bytes, http_charset: str | None = None) -> DecodedText:
    """Decode page or post bytes. Raises CharsetError with the reason.

    A declared charset that Python does not know is not guessed around silently: if the bytes are valid
    UTF-8 they are used as such, otherwise the page is refused with the declared name in the message.
    """
    if not data.strip():
        raise CharsetError("empty document: no bytes to decode", reason="empty")
    if _looks_binary(data):
        raise CharsetError("binary data, not an HTML page or text post", reason="binary")
    if (after_bom := _after_bom(data)) is not None:
        return after_bom

    refused: list[str] = []
    tried: set[str] = set()
    for name, codec in _declarations(data, http_charset):
        if codec in tried:
            continue  # the header and the meta say the same: one attempt, named once
        if codec is None:
            return _unknown_charset(data, name)
        tried.add(codec)
        attempt = _decode(data, codec)
        if attempt.text is None:
            refused.append(f"{name!r} ({len(attempt.bad)} undecodable byte sequences)")
            continue  # a wrong declaration: try the next source of truth
        if _plausible(attempt):
            return DecodedText(attempt.text, codec, _replaced(attempt))
        # declared, decodable, but not Chinese: mojibake unless the bytes read plausibly in another charset
        other = _detect(data, tried)
        if other is not None:
            return DecodedText(
                other.text or "",
                other.codec,
                (f"the declared charset {name!r} makes no sense of the bytes: read as {other.codec}",
                 *_replaced(other)),
            )  # fmt: skip
        # honoured, since nothing reads better; flagged, since it may be mojibake
        return DecodedText(
            attempt.text,
            codec,
            (f"the text read with the declared charset {name!r} does not look like Chinese", *_replaced(attempt)),
        )

    found = _detect(data, tried)
    if found is None:
        if refused:
            raise CharsetError(
                f"the declared charset {' then '.join(refused)} does not fit the bytes, and neither UTF-8, "
                "GB18030 nor Big5 makes plausible Chinese of them",
                reason="charset_mismatch",
            )
        raise CharsetError(
            f"cannot detect the charset of the bytes: neither UTF-8, GB18030 nor Big5 makes plausible Chinese "
            f"of them{_guess(data)}",
            reason="undetectable_charset",
        )
    notes = _replaced(found)
    if refused:
        notes = (f"the declared charset {' then '.join(refused)} does not fit the bytes: read as {found.codec}",
                 *notes)  # fmt: skip
    return DecodedText(found.text or "", found.codec, notes)
