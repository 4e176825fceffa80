"""Board membership (EastMoney and Tongdaxin industry and concept boards): what business a company is in."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

__all__ = ["BoardIndex", "build_board_index"]


@dataclass(frozen=True)
class BoardIndex:
    """symbol → board keys such as ``EM 机器人概念``; industries are kept apart from concepts."""

    industries: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    concepts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def boards_of(self, symbol: str) -> tuple[str, ...]:
        return (*self.industries.get(symbol, ()), *self.concepts.get(symbol, ()))

    def industry_names(self, symbol: str) -> tuple[str, ...]:
        return tuple(key.split(" ", 1)[1] for key in self.industries.get(symbol, ()))


def build_board_index(sources: Sequence[tuple[str, Mapping[str, Mapping[str, Sequence[str]]]]]) -> BoardIndex:
    """``sources``: (``EM``/``TDX``, the board file: ``{"hy_codes": {board: [codes]}, "gn_codes": {…}}``)."""
    industries: dict[str, list[str]] = defaultdict(list)
    concepts: dict[str, list[str]] = defaultdict(list)
    for prefix, data in sources:
        for board, codes in data.get("hy_codes", {}).items():
            for code in codes:
                industries[code].append(f"{prefix} {board}")
        for board, codes in data.get("gn_codes", {}).items():
            for code in codes:
                concepts[code].append(f"{prefix} {board}")
    return BoardIndex(
        industries={k: tuple(v) for k, v in industries.items()},
        concepts={k: tuple(v) for k, v in concepts.items()},
    )
