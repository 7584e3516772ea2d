"""What both faces of the tutor (CLI and TUI) work with: the packs and the learner's progress."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from pathlib import Path

from tutor.core.datadir import DataDirError, ensure_writable_dir
from tutor.core.learner import learner_key
from tutor.core.packs import Catalog, discover
from tutor.core.packs.cache import cached_catalog, read_catalog
from tutor.core.progress import DEFAULT_BUSY_TIMEOUT_S, ProgressStore, StoreError

QUICK_OPEN_S = 0.05
"""How long `store_if_free` waits for a lock held by another process."""
CACHE_DIR = "cache"
"""Inside the data folder: what can be rebuilt (deleting it loses nothing)."""


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
        """Every pack that loaded, and the problems of those that did not (cached in the data
        folder: see `tutor.core.packs.cache`)."""
        return cached_catalog(self.data_dir / CACHE_DIR, self._cache_key(), self._discover)

    def catalog_if_cached(self) -> Catalog | None:
        """The catalog if the cache has it (a few ms), else None: loading is left to `catalog`."""
        if "catalog" not in self.__dict__:
            cached = read_catalog(self.data_dir / CACHE_DIR, self._cache_key())
            if cached is None:
                return None
            self.__dict__["catalog"] = cached
        return self.catalog

    def _cache_key(self) -> tuple[object, ...]:
        return (
            str(self.data_dir),
            tuple(str(Path(d).expanduser().absolute()) for d in self.pack_dirs),
            self._include_entry_points,
            self._include_builtin,
        )

    def _discover(self) -> Catalog:
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

    def store_if_free(self) -> ProgressStore | None:
        """The store if it opens at once; None if another process holds it, or it cannot be
        opened (`store`, used off the UI thread, then waits or explains)."""
        if "store" not in self.__dict__:
            try:
                store = ProgressStore.open(self.data_dir, busy_timeout_s=QUICK_OPEN_S)
            except (DataDirError, StoreError):
                return None
            store.wait_when_busy(DEFAULT_BUSY_TIMEOUT_S)
            self.__dict__["store"] = store
        return self.store

    def close(self) -> None:
        """Close the store if it was opened."""
        if "store" in self.__dict__:
            self.store.close()
