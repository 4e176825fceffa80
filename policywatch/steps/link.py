"""Link stored articles to tickers: Sina's links judged, themes per measure, companies named, policy scores.

Only stale articles are linked: never linked, or linked by another linker version, taxonomy or reference
data. Each batch is one transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from policywatch.config import Settings
from policywatch.reference import BUNDLED_REFERENCE, BUNDLED_THEMES, GENERIC_NAMES, SNAPSHOT_GLOB, load_linking_context
from policywatch.transforms.linking.context import LINKER_VERSION
from policywatch.transforms.linking.linker import link_article
from policywatch.transforms.linking.name_matcher import NameScanner
from policywatch.warehouse.article_reader import read_articles
from policywatch.warehouse.linkage import articles_to_link, load_reference, save_linkage
from policywatch.warehouse.runs import finish_run, record_skip, start_run
from policywatch.warehouse.store import open_writer

__all__ = ["LinkSummary", "link_articles", "reference_fingerprint", "taxonomy_fingerprint"]


@dataclass(slots=True)
class LinkSummary:
    run_id: str
    linked: int = 0
    reloaded: list[str] = field(default_factory=list)
    link_classes: dict[str, int] = field(default_factory=dict)
    tickers: int = 0
    #: ids asked for that no stored article has
    unknown: list[str] = field(default_factory=list)

    def counts(self) -> dict:
        return {"linked": self.linked, "reloaded": self.reloaded, "link_classes": self.link_classes,
                "tickers": self.tickers}  # fmt: skip


def _digest(paths: Sequence[Path]) -> str:
    sha = hashlib.sha256()
    for path in paths:
        sha.update(path.name.encode())
        sha.update(path.read_bytes())
    return sha.hexdigest()[:16]


def taxonomy_fingerprint(settings: Settings) -> str:
    return _digest([settings.linking.themes_file or BUNDLED_THEMES])


def reference_fingerprint(settings: Settings) -> str:
    """The reference files and the linker version: a new linker may read the same files differently (how a
    day-marked name is taken, for one), and then the stored securities must be rebuilt too."""
    files = sorted(p for p in BUNDLED_REFERENCE.iterdir() if p.is_file())
    refreshed = settings.linking.reference_dir
    if refreshed.is_dir():
        files += sorted(refreshed.glob(SNAPSHOT_GLOB))
    return hashlib.sha256(f"{LINKER_VERSION} {_digest([*files, GENERIC_NAMES])}".encode()).hexdigest()[:16]


def link_articles(
    settings: Settings,
    *,
    article_ids: Sequence[str] | None = None,
    relink_all: bool = False,
    on_start: Callable[[int], None] | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> LinkSummary:
    """Link the given articles, or every stale one (all with ``relink_all``)."""
    ctx = load_linking_context(settings.linking.themes_file, settings.linking.reference_dir)
    taxonomy_hash, reference_hash = taxonomy_fingerprint(settings), reference_fingerprint(settings)
    scanner = NameScanner(ctx.master)
    con = open_writer(settings.db.path, lock_timeout=settings.db.lock_timeout_s)
    try:
        run_id = start_run(con, "link", {"article_ids": list(article_ids or []), "all": relink_all})
        summary = LinkSummary(run_id)
        try:
            summary.reloaded = load_reference(
                con, ctx.master, ctx.taxonomy, reference_hash=reference_hash, taxonomy_hash=taxonomy_hash
            )
            if article_ids is not None:
                found = {
                    r[0]
                    for r in con.execute(
                        "SELECT article_id FROM articles WHERE article_id IN (SELECT unnest(?::VARCHAR[]))",
                        [list(article_ids)],
                    ).fetchall()
                }
                ids = [i for i in article_ids if i in found]
                summary.unknown = [i for i in article_ids if i not in found]
                for item in summary.unknown:
                    record_skip(con, run_id, item, "not_found", f"no stored article has the id {item!r}")
            elif relink_all:
                ids = [r[0] for r in con.execute("SELECT article_id FROM articles ORDER BY 1").fetchall()]
            else:
                ids = articles_to_link(
                    con, linker_version=LINKER_VERSION, taxonomy_hash=taxonomy_hash, reference_hash=reference_hash
                )
            if on_start:
                on_start(len(ids))
            size = settings.linking.batch_size
            for offset in range(0, len(ids), size):
                articles = read_articles(con, ids[offset : offset + size])
                linked = [link_article(article, ctx, scanner) for article in articles]
                save_linkage(con, linked, taxonomy_hash=taxonomy_hash, reference_hash=reference_hash, run_id=run_id)
                summary.linked += len(linked)
                for item in linked:
                    summary.tickers += len({t.ticker for t in item.tickers})
                    for _, judgement in item.judgements:
                        summary.link_classes[judgement.link_class] = (
                            summary.link_classes.get(judgement.link_class, 0) + 1
                        )
                if on_batch:
                    on_batch(len(linked))
        except BaseException as exc:
            finish_run(con, run_id, "failed", summary.counts(), f"{type(exc).__name__}: {exc}")
            raise
        finish_run(con, run_id, "partial" if summary.unknown else "ok", summary.counts())
        return summary
    finally:
        con.close()
