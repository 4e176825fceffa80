"""Is a page or an archive post whole, or was its transfer cut short?

A whole page ends with ``</html>``, but live Sina pages often carry more after it: comments (cache stamps)
and scripts (tracking). What may follow ``</html>`` is therefore anything that leaves nothing open: complete
comments, scripts and tags, and text, but not a comment, script or tag cut short, nor more of the page's head
or body. A page cut anywhere before that has no ``</html>`` to end it.

Archive posts have no ``</html>``: their body is the serialised inner HTML of ``#artibody``, usually wrapped
in a ``<div>``, with every element closed. A post is cut when it ends inside a tag, a comment or a script,
with text after its last tag that stops mid-sentence, with an element still open whose end tag HTML never
omits, or with a paragraph still open right after the end of a ``<font>`` or ``<a>`` inside it. Text after the
last tag is whole when its last line ends a sentence (``。！？…``, perhaps inside a closing quote or bracket),
is a note in brackets (``（完）``, ``（本文来自新浪财经）``) or an editor's or source line (``责任编辑：张三``).
"""

from __future__ import annotations

import re

__all__ = ["fragment_cut_reason", "page_cut_reason"]

_HTML_END = re.compile(r"</html\s*>", re.IGNORECASE)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_RAW_TEXT = re.compile(r"<(script|style|noscript|textarea)\b[^>]*>.*?</\1\s*>", re.DOTALL | re.IGNORECASE)
_RAW_OPEN = re.compile(r"<(script|style|noscript|textarea)\b", re.IGNORECASE)
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)\b[^<>]*?(/?)>")
_TAG_START = re.compile(r"<[A-Za-z/!]")
_DOCUMENT_PARTS = re.compile(r"</?(?:head|body)\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[。！？!?…][”’」』）)\]】\"']*$")
_BRACKETED_NOTE = re.compile(r"^[（(【\[][^（()）【】\[\]]+[）)】\]]$")
_BYLINE = re.compile(r"^(?:责任编辑|编辑|责编|校对|审核|记者|来源|文章来源)\s*[:：]\s*[^。！？，,；;:：]{1,30}$")
#: elements without content
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
)
#: text-level elements: a paragraph does not end right after one of them closes
_INLINE = frozenset(
    {"a", "abbr", "b", "big", "cite", "code", "em", "font", "i", "label", "mark", "q", "s", "small", "span",
     "strike", "strong", "sub", "sup", "u"}
)  # fmt: skip
#: elements whose end tag HTML lets an author leave out: their being open proves nothing
_OPTIONAL_END = frozenset(
    {"p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option", "optgroup", "colgroup",
     "caption", "rb", "rt", "rp", "html", "head", "body"}
)  # fmt: skip


def _without_complete_comments_and_scripts(text: str) -> str:
    return _RAW_TEXT.sub(" ", _COMMENT.sub(" ", text))


def _open_construct(text: str) -> str | None:
    """What ``text`` (comments and scripts already removed) ends inside of, if anything."""
    if "<!--" in text:
        return "a comment"
    raw = _RAW_OPEN.search(text)
    if raw:
        return f"a <{raw.group(1).lower()}> element"
    last_tag_start = max((m.start() for m in _TAG_START.finditer(text)), default=-1)
    if last_tag_start > text.rfind(">"):
        return "a tag"
    return None


def _stops_mid_sentence(trailing: str) -> bool:
    """Does the text after a post's last tag stop where no sentence or line of its kind ends?"""
    lines = [line.strip(" \t\u3000\xa0") for line in trailing.splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        return False
    last = lines[-1]
    return not (_SENTENCE_END.search(last) or _BRACKETED_NOTE.match(last) or _BYLINE.match(last))


def page_cut_reason(page: str | bytes) -> str | None:
    """Why a full HTML page looks cut short, or None when it ends properly.

    Bytes are scanned as Latin-1: only the ASCII markup is looked at, which every charset Sina uses
    writes the same way.
    """
    text = page.decode("latin-1") if isinstance(page, bytes) else page
    start = text.lower().rfind("</html")
    end = _HTML_END.match(text, start) if start >= 0 else None
    if end is None:
        return "the HTML stops before </html>"
    tail = _without_complete_comments_and_scripts(text[end.end() :])
    inside = _open_construct(tail)
    if inside:
        return f"the page stops inside {inside} after </html>"
    if _DOCUMENT_PARTS.search(tail):  # that </html> was a string in a script, not the end of the page
        return "the page's <head> or <body> goes on after its last </html>"
    return None


def fragment_cut_reason(fragment: str) -> str | None:
    """Why an archive post's body (an HTML fragment) looks cut short, or None when it ends properly."""
    text = _without_complete_comments_and_scripts(fragment).rstrip()
    if "<" not in text:
        return None  # plain text: nothing to tell a cut from an ending
    inside = _open_construct(text)
    if inside:
        return f"the body stops inside {inside}"
    if _stops_mid_sentence(text[text.rfind(">") + 1 :]):
        return "the body stops in the middle of its text"
    stack: list[str] = []
    last = ("", "")
    for match in _TAG.finditer(text):
        closing, name, self_closing = match.group(1), match.group(2).lower(), match.group(3)
        last = (closing, name)
        if name in _VOID or self_closing:
            continue
        if not closing:
            stack.append(name)
        elif name in stack:  # close it and whatever was left open inside it
            del stack[len(stack) - 1 - stack[::-1].index(name) :]
    unclosed = [name for name in stack if name not in _OPTIONAL_END]
    if not unclosed and stack and last[0] and last[1] in _INLINE:
        # a <p> may end without </p>, but not right after the end of a <font> or <a> inside it
        unclosed = stack
    if unclosed:
        return f"the body's <{unclosed[0]}> is never closed"
    return None
