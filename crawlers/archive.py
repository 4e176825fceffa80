"""Finding and reading archive posts on disk (Hexo Markdown files from the public Sina archives)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["POST_SUFFIXES", "RawPost", "discover_posts", "read_posts"]

POST_SUFFIXES = (".md", ".markdown")
_IGNORED_NAMES = {"SOURCES.md", "README.md", "NOTICE.md", "LICENSE.md"}


@dataclass(frozen=True, slots=True)
class RawPost:
    path: Path
    data: bytes | None  #: None when the file could not be read
    error: str | None = None


def discover_posts(
    paths: Iterable[str | Path], suffixes: tuple[str, ...] = POST_SUFFIXES
) -> tuple[list[Path], list[Path]]:
    """Posts under ``paths`` (files, or folders searched recursively) in a stable order, and the paths
    that do not exist."""
    found: dict[Path, None] = {}
    missing: list[Path] = []
    for entry in map(Path, paths):
        if entry.is_dir():
            for path in sorted(entry.rglob("*")):
                if path.is_file() and path.suffix.lower() in suffixes and path.name not in _IGNORED_NAMES:
                    found[path] = None
        elif entry.is_file():
            found[entry] = None
        else:
            missing.append(entry)
    return list(found), missing


def read_posts(paths: Iterable[Path]) -> Iterator[RawPost]:
    for path in paths:
        try:
            yield RawPost(path, path.read_bytes())
        except OSError as exc:
            yield RawPost(path, None, f"cannot read {path}: {exc.strerror or exc}")
