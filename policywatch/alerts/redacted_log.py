"""Apprise's log with a channel's secrets taken out: the only form in which its messages reach any handler.

Apprise logs through the ``apprise`` logger: a rejected token in full at WARNING ("An invalid DingTalk API
Token (…) was specified"), the request URL with its token at DEBUG; urllib3, underneath, logs each request
line with its query string at DEBUG. Those records reach the root logger (the CLI's output, Airflow's task
logs) and any handler a tool attaches to the loggers themselves. So the records are rewritten where they are
made, by a filter on those loggers, before any handler sees them: every Apprise call runs inside
:func:`redacted_apprise_log`, which redacts the channel's secrets and URL and keeps Apprise's warnings as the
reason of a failed delivery. Outside it the ``apprise`` logger's records are dropped (nothing of policywatch
calls Apprise there, and nothing is known about what they might hold).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from urllib.parse import quote, quote_plus

__all__ = ["channel_redactor", "redact", "redacted_apprise_log"]

_LOCK = threading.Lock()


def redact(text: str, secrets: Iterable[str], *, url_body: str, url_label: str) -> str:
    """``text`` without any of ``secrets`` (also URL-quoted, as they appear in request lines) and with the
    channel URL's body (everything after ``scheme://``) replaced by ``url_label``."""
    if url_body:
        text = text.replace(url_body, url_label)
    forms = {form for secret in secrets if secret for form in (secret, quote(secret), quote(secret, safe=""),
                                                                 quote_plus(secret))}  # fmt: skip
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, "***")
    return text


def channel_redactor(url: str, secrets: Iterable[str]) -> Callable[[str], str]:
    """A function that takes a channel's secrets and URL out of a text."""
    scheme, _, body = url.partition("://")
    kept = tuple(secrets)
    return lambda text: redact(text, kept, url_body=body, url_label=f"<{scheme.lower()} URL>")


class _Redactor(logging.Filter):
    """Rewrites each record in place (message formatted and redacted, no args, no traceback text)."""

    def __init__(self) -> None:
        super().__init__()
        self.hide: Callable[[str], str] | None = None
        self.problems: list[str] = []

    def filter(self, record: logging.LogRecord) -> bool:
        hide = self.hide
        if hide is None:
            return False
        try:
            text = hide(record.getMessage())
        except Exception:  # a message that cannot be formatted is not worth a crash, nor a leak
            text = "(unformattable message)"
        if record.exc_info and record.exc_info[1] is not None:
            text += f" [{type(record.exc_info[1]).__name__}]"  # the traceback's text may hold the URL
        record.msg, record.args = text, ()
        record.exc_info = record.exc_text = record.stack_info = None
        if record.levelno >= logging.WARNING and record.name.startswith("apprise"):
            self.problems.append(text)
        return True


_APPRISE_FILTER = _Redactor()
logging.getLogger("apprise").addFilter(_APPRISE_FILTER)


def _urllib3_loggers() -> list[logging.Logger]:
    # a logger's filters see only the records made on it, not its children's: every urllib3 module's logger
    names = [name for name in logging.root.manager.loggerDict if name == "urllib3" or name.startswith("urllib3.")]
    return [logging.getLogger(name) for name in names]


@contextmanager
def redacted_apprise_log(hide: Callable[[str], str]) -> Iterator[list[str]]:
    """While open, Apprise's and urllib3's records pass through ``hide`` before any handler sees them.
    Yields the list that collects Apprise's warnings and errors (redacted), oldest first."""
    with _LOCK:  # one channel at a time: the loggers are process-wide
        urllib3_filter = _Redactor()
        urllib3_filter.hide = hide
        loggers = _urllib3_loggers()
        for logger in loggers:
            logger.addFilter(urllib3_filter)
        _APPRISE_FILTER.hide, _APPRISE_FILTER.problems = hide, []
        try:
            yield _APPRISE_FILTER.problems
        finally:
            _APPRISE_FILTER.hide = None
            for logger in loggers:
                logger.removeFilter(urllib3_filter)
