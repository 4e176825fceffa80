"""Parse the crawl's rejects again: ``reparse_rejects(settings) -> RejectReparseSummary``.

Every page (RSS description, 7x24 item) the parser refused is kept whole in ``crawl_rejects``. After a parser
change, the ones an earlier parser version refused are parsed again from those bytes, without fetching
anything; what parses now is stored like a crawled article (``crawl_fetches`` says ``stored``, the reject is
marked resolved), what is still refused is recorded with the current parser's reason and version.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from policywatch.config import Settings
from policywatch.steps.crawl.parse import parse_raw
from policywatch.steps.crawl.records import RecordLoader, Tally
from policywatch.steps.import_archive import Skip
from policywatch.transforms.errors import InputError
from policywatch.transforms.models import PARSER_VERSION
from policywatch.warehouse.crawl_rejects import iter_rejects
from policywatch.warehouse.runs import finish_run, start_run
from policywatch.warehouse.store import open_writer

__all__ = ["RejectReparseSummary", "reparse_rejects"]


@dataclass(frozen=True, slots=True)
class RejectReparseSummary:
    run_id: str
    parser_version: str  #: the parser used now
    tried: int  #: rejects parsed again
    new: int
    updated: int
    unchanged: int
    refused: tuple[Skip, ...]  #: still refused, with the current parser's reason

    @property
    def stored(self) -> int:
        return self.new + self.updated + self.unchanged

    def counts(self) -> dict[str, Any]:
        return {
            "parser_version": self.parser_version,
            "tried": self.tried,
            "stored": self.stored,
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "refused": len(self.refused),
        }


def reparse_rejects(
    settings: Settings, *, everything: bool = False, on_item: Callable[[str], None] | None = None
) -> RejectReparseSummary:
    """Parse again, with the current parser, the unresolved rejects an earlier parser version refused (every
    unresolved one with ``everything``), and store those that parse now.

    Records the run in ``runs`` (command ``reparse rejects``, status ``partial`` when some are still refused)
    with a skip per refusal. Raises DatabaseLockedError (retryable) when the database stays locked.
    """
    con = open_writer(settings.db.path, lock_timeout=settings.db.lock_timeout_s)
    try:
        run_id = start_run(con, "reparse rejects", {"parser_version": PARSER_VERSION, "everything": everything})
        tally, tried = Tally(), 0
        try:
            loader = RecordLoader(con, run_id, tally)
            chunks = iter_rejects(
                con, parser_version=PARSER_VERSION, everything=everything, chunk=settings.crawl.batch_size
            )
            for chunk in chunks:
                for reject in chunk:
                    tried += 1
                    data = {**reject.record, "key": reject.item_key, "url": reject.url}
                    try:
                        parsed = parse_raw(reject.raw_format, data, reject.raw)
                    except InputError as exc:
                        loader.refuse(data, reject.raw, reject.raw_format, exc.reason, str(exc))
                    else:
                        loader.add(parsed, data)
                    if on_item:
                        on_item(reject.item_key)
                loader.flush()
        except BaseException as exc:
            finish_run(con, run_id, "failed", {"tried": tried}, f"{type(exc).__name__}: {exc}")
            raise
        summary = RejectReparseSummary(
            run_id, PARSER_VERSION, tried, tally.new, tally.updated, tally.unchanged, tuple(tally.skipped)
        )
        finish_run(con, run_id, "partial" if summary.refused else "ok", summary.counts())
        return summary
    finally:
        con.close()
