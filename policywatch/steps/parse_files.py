"""Parse article files from disk without touching the database: archive posts and saved pages."""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Iterator
from pathlib import Path

from policywatch.crawlers.archive import discover_posts
from policywatch.transforms.errors import InputError, ParseError
from policywatch.transforms.models import Article
from policywatch.transforms.sina.article import parse_archive_post, parse_sina_page

__all__ = ["PAGE_SUFFIXES", "iter_article_files", "parse_file"]

PAGE_SUFFIXES = (".html", ".htm", ".shtml")
_ALL_SUFFIXES = (".md", ".markdown", *PAGE_SUFFIXES, ".gz")


def iter_article_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[Path]]:
    """Files to parse under ``paths`` (folders recursively) and the paths that do not exist."""
    return discover_posts(paths, suffixes=_ALL_SUFFIXES)


def parse_file(path: Path, *, url: str | None = None) -> Article:
    """An archive post (``.md``) or a saved page (``.html``/``.shtml``, optionally ``.gz``)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}", reason="unreadable") from None
    name = path.name.lower()
    if name.endswith(".gz"):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise ParseError(f"{path} is not a readable gzip file: {exc}", reason="bad_gzip") from None
        name = name[:-3]
    if name.endswith((".md", ".markdown")) or data.lstrip()[:3] == b"---":
        return parse_archive_post(data)
    return parse_sina_page(data, url=url)


def parse_files(paths: Iterable[Path]) -> Iterator[tuple[Path, Article | InputError]]:
    for path in paths:
        try:
            yield path, parse_file(path)
        except InputError as exc:
            yield path, exc
