"""The curriculum as the learner sees it: packs, units and items, each with its progress.

Both faces use it: the CLI's `list` and `progress`, and the app's home screen (which
gathers it in a worker thread). One store query serves the whole curriculum.
"""

from __future__ import annotations

from msgspec import Struct

from tutor.core.datadir import DataDirError
from tutor.core.model import Item, Pack, Problem, Unit, qualified_id
from tutor.core.progress import ItemProgress, ItemStatus, StoreError
from tutor.core.workspace import Workspace

STATUS_WORDS: dict[ItemStatus, str] = {
    "not_started": "not started",
    "in_progress": "in progress",
    "done": "done",
}
"""How a status is said to the learner."""


class ItemEntry(Struct, frozen=True):
    """One lesson or exercise in the tree, with the learner's progress on it."""

    pack: Pack
    unit: Unit
    item: Item
    progress: ItemProgress | None
    """`None` when the progress store could not be opened."""

    @property
    def status(self) -> ItemStatus | None:
        """The item's status, or `None` when it is unknown."""
        return None if self.progress is None else self.progress.status

    @property
    def id(self) -> str:
        """The id every command accepts: `pack/item`."""
        return qualified_id(self.pack, self.item)

    @property
    def status_word(self) -> str:
        """The status in words, for the side panel."""
        return "unknown" if self.status is None else STATUS_WORDS[self.status]


class UnitEntry(Struct, frozen=True):
    """A unit in the tree with its items and how many of them are done."""

    pack: Pack
    unit: Unit
    items: tuple[ItemEntry, ...]

    @property
    def done(self) -> int:
        """Items marked done."""
        return sum(entry.status == "done" for entry in self.items)

    @property
    def total(self) -> int:
        """Items in the unit."""
        return len(self.items)


class PackEntry(Struct, frozen=True):
    """A pack in the tree with its units."""

    pack: Pack
    units: tuple[UnitEntry, ...]

    @property
    def done(self) -> int:
        """Items of the pack marked done."""
        return sum(unit.done for unit in self.units)

    @property
    def total(self) -> int:
        """Items in the pack."""
        return sum(unit.total for unit in self.units)


CurriculumEntry = PackEntry | UnitEntry | ItemEntry
"""What a node of the curriculum tree holds."""


class Curriculum(Struct, frozen=True):
    """The curriculum with progress, plus everything that went wrong while loading it."""

    packs: tuple[PackEntry, ...]
    last_position: tuple[str, str] | None
    """`(pack_id, item_id)` the learner was last at, if known."""
    problems: tuple[Problem, ...]
    """Why packs were skipped; the packs that loaded are still shown."""
    notices: tuple[str, ...]
    """Things the store wants the learner to know (e.g. a damaged file was moved aside)."""
    store_error: str | None
    """Why progress could not be opened, as a sentence; `None` when it was."""

    def items(self) -> list[ItemEntry]:
        """Every item of every pack, in curriculum order."""
        return [entry for pack in self.packs for unit in pack.units for entry in unit.items]

    def start_unit(self) -> UnitEntry | None:
        """The unit to open first: that of the last position, else the first unit."""
        units = [unit for pack in self.packs for unit in pack.units]
        if self.last_position is not None:
            pack_id, item_id = self.last_position
            for unit in units:
                if unit.pack.id == pack_id and any(e.item.id == item_id for e in unit.items):
                    return unit
        return units[0] if units else None

    def start_item(self) -> ItemEntry | None:
        """The item to put the cursor on first: the last position, else the first item."""
        unit = self.start_unit()
        if unit is None or not unit.items:
            return None
        if self.last_position is not None:
            pack_id, item_id = self.last_position
            for entry in unit.items:
                if (entry.pack.id, entry.item.id) == (pack_id, item_id):
                    return entry
        return unit.items[0]

    def find(self, pack_id: str, item_id: str) -> ItemEntry | None:
        """The entry of one item, if it is in the curriculum."""
        return next((e for e in self.items() if (e.pack.id, e.item.id) == (pack_id, item_id)), None)

    def unit_of(self, entry: ItemEntry) -> UnitEntry | None:
        """The unit entry holding `entry`."""
        for pack in self.packs:
            for unit in pack.units:
                if any(
                    e.item.id == entry.item.id and e.pack.id == entry.pack.id for e in unit.items
                ):
                    return unit
        return None

    def continue_item(self) -> ItemEntry | None:
        """Where "Continue" goes: the last item, unless done; then the next one not done."""
        items = self.items()
        start = 0
        if self.last_position is not None:
            last = self.find(*self.last_position)
            if last is not None and last.status != "done":
                return last
            start = items.index(last) + 1 if last is not None else 0
        for entry in [*items[start:], *items[:start]]:
            if entry.status != "done":
                return entry
        return items[0] if items else None

    def neighbour(self, entry: ItemEntry, step: int) -> ItemEntry | None:
        """The item `step` places after (or, negative, before) `entry` in curriculum order."""
        ids = [(e.pack.id, e.item.id) for e in self.items()]
        try:
            index = ids.index((entry.pack.id, entry.item.id)) + step
        except ValueError:
            return None
        return self.items()[index] if 0 <= index < len(ids) else None


def load_curriculum(workspace: Workspace) -> Curriculum:
    """Read packs and progress; a store that cannot be opened is reported, never raised."""
    catalog = workspace.catalog
    try:
        store = workspace.store
        progress = {(p.pack_id, p.item_id): p for p in store.items()}
        last_position, notices = store.last_position(), store.notices
        store_error = None
    except (DataDirError, StoreError) as error:
        progress, last_position, notices, store_error = {}, None, (), str(error)
    packs = tuple(
        PackEntry(
            pack, tuple(_unit_entry(pack, unit, progress, store_error) for unit in pack.units)
        )
        for pack in catalog.packs
    )
    return Curriculum(packs, last_position, catalog.problems, notices, store_error)


def _unit_entry(
    pack: Pack,
    unit: Unit,
    progress: dict[tuple[str, str], ItemProgress],
    store_error: str | None,
) -> UnitEntry:
    def progress_of(item: Item) -> ItemProgress | None:
        if store_error is not None:
            return None
        found = progress.get((pack.id, item.id))
        return found or ItemProgress.not_started(pack.id, item.id)

    items = tuple(ItemEntry(pack, unit, item, progress_of(item)) for item in unit.items)
    return UnitEntry(pack, unit, items)
