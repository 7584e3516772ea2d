"""The command palette's provider: jump to any lesson or exercise by name."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tutor.core.curriculum import ItemEntry
from tutor.ui.messages import OpenItem
from tutor.ui.widgets.item_panel import KIND_NAMES


class ItemCommands(Provider):
    """Every item of every pack, searchable as "unit › title (kind)"."""

    def _entries(self) -> list[ItemEntry]:
        curriculum = getattr(self.app, "curriculum", None)
        return [] if curriculum is None else curriculum.items()

    def _opener(self, entry: ItemEntry) -> Callable[[], Any]:
        return partial(self.app.post_message, OpenItem(entry))

    async def discover(self) -> Hits:
        for entry in self._entries():
            yield DiscoveryHit(f"Open: {entry.item.title}", self._opener(entry), help=_help(entry))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for entry in self._entries():
            text = f"{entry.unit.title} › {entry.item.title}"
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), self._opener(entry), help=_help(entry))


def _help(entry: ItemEntry) -> str:
    return f"{KIND_NAMES[entry.item.kind]} · {entry.pack.title} · {entry.status_word}"
