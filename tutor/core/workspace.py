"""What both faces of the tutor (CLI and TUI) work with: the packs and the learner's progress."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from pathlib import Path

from tutor.core.datadir import DataDirError, ensure_writable_dir
from tutor.core.learner import learner_key
from tutor.core.packs import Catalog, discover
from tutor.core.progress import ProgressStore


class Workspace:
    """The packs found from the configured sources, and the progress store, opened on demand."""

    def __init__(
        self,
        data_dir: Path,
        pack_dirs: Sequence[Path] = (),
        include_entry_points: bool = True,
        include_builtin: bool = True,
    ) -> None:
        self.data_dir = data_dir
        self.pack_dirs = tuple(pack_dirs)
        self._include_entry_points = include_entry_points
        self._include_builtin = include_builtin

    @cached_property
    def catalog(self) -> Catalog:
        """Every pack that loaded, and the problems of those that did not."""
        return discover(
            self.data_dir, self.pack_dirs, self._include_entry_points, self._include_builtin
        )

    @cached_property
    def learner_key(self) -> str:
        """This learner's key for randomised variants ('' if the data dir cannot be written)."""
        try:
            return learner_key(ensure_writable_dir(self.data_dir))
        except (DataDirError, OSError):
            return ""

    @cached_property
    def store(self) -> ProgressStore:
        """The progress store; raises DataDirError or StoreError with a readable message."""
        return ProgressStore.open(self.data_dir)

    def close(self) -> None:
        """Close the store if it was opened."""
        if "store" in self.__dict__:
            self.store.close()
