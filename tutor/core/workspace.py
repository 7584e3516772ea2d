"""What both faces of the tutor (CLI and TUI) work with: the packs and the learner's progress."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from tutor.core.model import Item, Pack, Unit, qualified_id
from tutor.core.packs import Catalog, discover
from tutor.core.progress import ItemProgress, ProgressStore


@dataclass(frozen=True)
class ItemOverview:
    """One curriculum item with where the learner stands on it."""

    pack: Pack
    unit: Unit
    item: Item
    progress: ItemProgress

    @property
    def id(self) -> str:
        """The id every command accepts."""
        return qualified_id(self.pack, self.item)


class Workspace:
    """The packs found from the configured sources, and the progress store, opened on demand."""

    def __init__(
        self,
        data_dir: Path,
        pack_dirs: Sequence[Path] = (),
        include_entry_points: bool = True,
    ) -> None:
        self.data_dir = data_dir
        self.pack_dirs = tuple(pack_dirs)
        self._include_entry_points = include_entry_points

    @cached_property
    def catalog(self) -> Catalog:
        """Every pack that loaded, and the problems of those that did not."""
        return discover(self.data_dir, self.pack_dirs, self._include_entry_points)

    @cached_property
    def store(self) -> ProgressStore:
        """The progress store; raises DataDirError or StoreError with a readable message."""
        return ProgressStore.open(self.data_dir)

    def overview(self, pack_id: str | None = None) -> list[ItemOverview]:
        """Every item (of one pack, or all) in curriculum order, with its progress."""
        return [
            ItemOverview(pack, unit, item, self.store.item(pack.id, item.id))
            for pack in self.catalog.packs
            if pack_id is None or pack.id == pack_id
            for unit in pack.units
            for item in unit.items
        ]

    def close(self) -> None:
        """Close the store if it was opened."""
        if "store" in self.__dict__:
            self.store.close()
