"""Everything the linker consults, bundled: the securities master, the lexicon, the themes and the boards."""

from __future__ import annotations

from dataclasses import dataclass, field

from policywatch.transforms.linking.boards import BoardIndex
from policywatch.transforms.linking.lexicon import Lexicon
from policywatch.transforms.linking.securities import SecurityMaster
from policywatch.transforms.policy.themes import Taxonomy, ThemeMatcher

__all__ = ["LINKER_VERSION", "LinkingContext"]

#: bumped whenever linking output changes for the same inputs; stored with every linked article
LINKER_VERSION = "2026.12.2"


@dataclass
class LinkingContext:
    master: SecurityMaster
    lexicon: Lexicon
    taxonomy: Taxonomy
    boards: BoardIndex
    matcher: ThemeMatcher = field(init=False)

    def __post_init__(self) -> None:
        self.matcher = ThemeMatcher(self.taxonomy)

    def themes_of_company(self, symbol: str) -> dict[str, str]:
        """theme id → the boards that put the company in the theme's business (board-backed only)."""
        boards = set(self.boards.boards_of(symbol))
        found: dict[str, str] = {}
        for theme in self.taxonomy.themes:
            hit = [key for key in theme.board_keys() if key in boards]
            if hit:
                found[theme.id] = ", ".join(sorted(hit)[:3])
        return found
