"""Loading the reference data the linker needs: the securities master, the lexicon, the themes, the boards.

Bundled snapshots live in ``policywatch/data/reference`` (see its SOURCES.md). Snapshots written by
``policywatch reference refresh`` go to the configured reference directory and are merged in as newer lists.
"""

from __future__ import annotations

import csv
import functools
import gzip
import json
import logging
import os
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml

from policywatch.transforms.errors import ConfigError
from policywatch.transforms.linking.boards import BoardIndex, build_board_index
from policywatch.transforms.linking.context import LinkingContext
from policywatch.transforms.linking.lexicon import Lexicon, LexiconEntry
from policywatch.transforms.linking.securities import IndexRow, SecurityMaster, Snapshot, build_master
from policywatch.transforms.policy.themes import Taxonomy, parse_taxonomy

__all__ = [
    "BUNDLED_PRICES",
    "BUNDLED_REFERENCE",
    "BUNDLED_THEMES",
    "load_boards",
    "load_lexicon",
    "load_linking_context",
    "load_master",
    "load_taxonomy",
    "read_snapshot_csv",
]

DATA = Path(__file__).resolve().parent / "data"
BUNDLED_REFERENCE = DATA / "reference"
BUNDLED_THEMES = DATA / "themes.yaml"
#: real daily bars 2020-10..2022-01 for the outline's linked and theme stocks and three indices
BUNDLED_PRICES = DATA / "prices" / "cn_daily_2020-10_2022-01.csv.gz"
GENERIC_NAMES = DATA / "generic_names.yaml"
#: refreshed snapshots are named like this, with their as-of date
SNAPSHOT_GLOB = "a_share_code_name_*.csv"


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _parse_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def read_snapshot_csv(path: Path, as_of: date, source: str) -> list[Snapshot]:
    """A ``code,name,exchange,list_date`` list (the bundled 2026 list and refreshed ones)."""
    rows = _read_csv(path)
    if rows and not {"code", "name"} <= set(rows[0]):
        raise ConfigError(f"{path}: a securities snapshot needs the columns code and name")
    return [
        Snapshot(
            as_of,
            source,
            tuple(
                (r["code"].zfill(6), r["name"], (r.get("exchange") or None), _parse_date(r.get("list_date")))
                for r in rows
            ),
        )
    ]


def _bundled_snapshots() -> list[Snapshot]:
    older = _read_csv(BUNDLED_REFERENCE / "adata_code_2023-10.csv")
    snapshots = [
        Snapshot(
            date(2023, 10, 1),
            "adata 2.9.5 code.csv (2023-10)",
            tuple((r["stock_code"], r["short_name"], None, _parse_date(r.get("list_date2"))) for r in older),
        )
    ]
    newer = _read_csv(BUNDLED_REFERENCE / "a_share_code_name_2026.csv")
    # the Beijing names of that list were taken on an earlier day than the others
    for exchanges, as_of in (({"SH", "SZ"}, date(2026, 10, 22)), ({"BJ"}, date(2026, 2, 27))):
        snapshots.append(
            Snapshot(
                as_of,
                f"a_share_code_name_2026.csv ({'/'.join(sorted(exchanges))})",
                tuple(
                    (r["code"], r["name"], r["exchange"], _parse_date(r["list_date"]))  # type: ignore[misc]
                    for r in newer
                    if r["exchange"] in exchanges
                ),
                covers=frozenset(exchanges),
            )
        )
    return snapshots


def _refreshed_snapshots(reference_dir: Path | None) -> list[Snapshot]:
    if reference_dir is None or not reference_dir.is_dir():
        return []
    found = []
    for path in sorted(reference_dir.glob(SNAPSHOT_GLOB)):
        as_of = _parse_date(path.stem.rsplit("_", 1)[-1])
        if as_of is None:
            continue
        found += read_snapshot_csv(path, as_of, f"refresh {path.name}")
    return found


@lru_cache(maxsize=4)
def load_master(reference_dir: Path | None = None) -> SecurityMaster:
    indices = [
        IndexRow(r["code"], r["name"], tuple(a for a in r["aliases"].split("|") if a), r.get("same_as") or None)
        for r in _read_csv(BUNDLED_REFERENCE / "indices.csv")
    ]
    successors = {r["old_code"]: r["new_code"] for r in _read_csv(BUNDLED_REFERENCE / "bse_old_to_920_by_name.csv")}
    return build_master([*_bundled_snapshots(), *_refreshed_snapshots(reference_dir)], indices, successors)


@lru_cache(maxsize=1)
def load_lexicon(min_frequency: int = 20) -> Lexicon:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    entries: dict[str, LexiconEntry] = {}
    with open(os.path.join(os.path.dirname(jieba.__file__), "dict.txt"), encoding="utf-8") as handle:
        for line in handle:
            parts = line.split()
            if len(parts) == 3:
                entries[parts[0]] = LexiconEntry(int(parts[1]), parts[2])
    curated = yaml.safe_load(GENERIC_NAMES.read_text(encoding="utf-8"))
    return Lexicon(
        entries=entries,
        common=curated.get("common_words") or {},
        company=curated.get("company_words") or {},
        longer=curated.get("longer_words") or {},
        # a sentence is cut once however many names in it are judged (each link and each name mention asks)
        segment=functools.lru_cache(maxsize=4096)(lambda text: tuple(tokenizer.lcut(text, HMM=False))),
        min_frequency=min_frequency,
    )


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    path = path or BUNDLED_THEMES
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read the theme taxonomy {path}: {exc.strerror or exc}") from None
    return parse_taxonomy(text, str(path))


@lru_cache(maxsize=1)
def load_boards() -> BoardIndex:
    sources = []
    for prefix, name in (("EM", "boards_em_20251213.json.gz"), ("TDX", "boards_tdx_20260310.json.gz")):
        with gzip.open(BUNDLED_REFERENCE / name, "rt", encoding="utf-8") as handle:
            sources.append((prefix, json.load(handle)))
    return build_board_index(sources)


def load_linking_context(themes_file: Path | None = None, reference_dir: Path | None = None) -> LinkingContext:
    return LinkingContext(
        master=load_master(reference_dir),
        lexicon=load_lexicon(),
        taxonomy=load_taxonomy(themes_file),
        boards=load_boards(),
    )
