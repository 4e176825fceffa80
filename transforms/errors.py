"""The exception tree shared by every package.

    PolicywatchError
    ├── TerminalError          never retry: the input or the configuration is wrong
    │   ├── ConfigError        broken or inconsistent configuration
    │   └── InputError         bad input (a page, a post, a file); the item is skipped with this reason
    │       ├── CharsetError   bytes that cannot be decoded (unknown charset, binary data)
    │       └── ParseError     decodable but not an article (truncated, empty, no front matter)
    └── TransientError         retry later: the world may change
        ├── FetchError         network, timeouts, HTTP 5xx/403/429/456
        └── DatabaseLockedError  another process holds the DuckDB write lock

Airflow tasks and the CLI use the split to decide whether to retry.
"""

from __future__ import annotations

__all__ = [
    "CharsetError",
    "ConfigError",
    "DatabaseLockedError",
    "FetchError",
    "InputError",
    "ParseError",
    "PolicywatchError",
    "TerminalError",
    "TransientError",
]


class PolicywatchError(Exception):
    """Base of every error policywatch raises on purpose."""


class TerminalError(PolicywatchError):
    """Retrying will not help."""


class TransientError(PolicywatchError):
    """Retrying later may succeed."""


class ConfigError(TerminalError):
    """The configuration is broken; the message names the setting."""


class InputError(TerminalError):
    """One input item is unusable; callers record a skip with ``reason`` and go on."""

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        #: a short machine-friendly reason code, stored with the skip
        self.reason = reason or type(self).__name__


class CharsetError(InputError):
    """The bytes cannot be decoded into text."""


class ParseError(InputError):
    """The text is not a usable article."""


class FetchError(TransientError):
    """A network fetch failed in a way that may succeed later."""


class DatabaseLockedError(TransientError):
    """Another process holds the DuckDB database; try again when it is done."""
