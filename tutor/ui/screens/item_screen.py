"""What every lesson and exercise screen shares: back, next/previous, time spent, position."""

from __future__ import annotations

import contextlib
import time
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.screen import Screen

from tutor.core.curriculum import ItemEntry, UnitEntry
from tutor.core.datadir import DataDirError
from tutor.core.progress import StoreError
from tutor.core.workspace import Workspace
from tutor.ui.messages import StepItem
from tutor.ui.services import Services
from tutor.ui.store_writes import write_progress

MAX_VISIT_S = 3600.0
"""A screen left open overnight should not count as a night of study."""


class ItemScreen(Screen[None]):
    """Base of the item screens: knows its entry, the workspace and the shared services."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+n", "step(1)", "Next"),
        Binding("ctrl+b", "step(-1)", "Previous", show=False),
    ]

    def __init__(
        self, entry: ItemEntry, unit: UnitEntry, workspace: Workspace, services: Services
    ) -> None:
        super().__init__()
        self.entry = entry
        """The lesson or exercise shown, with the progress known when it was opened."""
        self.unit = unit
        """Its unit, with the other items' progress."""
        self.workspace = workspace
        self.services = services
        self._opened_at = time.monotonic()

    @property
    def pack_id(self) -> str:
        return self.entry.pack.id

    @property
    def item_id(self) -> str:
        return self.entry.item.id

    # Textual calls every class's own on_mount/on_unmount along the MRO: subclasses add
    # their own handlers and never call super() (that would run these twice).
    def on_mount(self) -> None:
        self.sub_title = self.entry.item.title
        write_progress(
            self.app, self.workspace, lambda s: s.set_last_position(self.pack_id, self.item_id)
        )

    def on_unmount(self) -> None:
        # Synchronous: when the app is quitting, a worker started now would never run.
        seconds = min(time.monotonic() - self._opened_at, MAX_VISIT_S)
        with contextlib.suppress(DataDirError, StoreError):
            self.workspace.store.add_time(self.pack_id, self.item_id, seconds)

    @property
    def busy(self) -> bool:
        """Whether a check runs that "back" should cancel first (exercise screens override)."""
        return False

    def cancel(self) -> None:
        """Stop the running check (exercise screens override)."""

    def action_back(self) -> None:
        """Cancel a running check; otherwise return to the curriculum."""
        if self.busy:
            self.cancel()
        else:
            self.dismiss()

    def action_step(self, step: int) -> None:
        """Open the next or previous item."""
        self.post_message(StepItem(self.entry, step))
