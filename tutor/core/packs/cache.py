"""Remembering the loaded packs between runs: start-up reads one file instead of hundreds.

Loading the built-in pack parses and checks about 230 files (≈ 120 ms, most of the app's
start-up); unpickling the result takes ≈ 5 ms. A cached catalog is used only while nothing
it was built from has changed:

- every file the loader read or looked for, and every folder whose listing chose the packs
  (user packs; sys.path, where installed packs are found), by size, mtime, ctime and inode,
  so edits, replaced files, re-pointed symlinks and installs all count;
- the tutor's own code under `tutor/core` (what loads packs and what is pickled);
- the key: tutor and Python version, the pack sources asked for, sys.path.

Timestamps are coarse, so a file changed (mtime or ctime) within `RACY_SECONDS` of the
build could be edited again without its stamp moving: such a catalog is not cached (git's
"racy" rule). A catalog
with problems is not cached either: its author is fixing it and should see fresh messages.

Pickle is within the trust the tutor already gives its data folder: the user packs kept
there have their reference code run by the grader.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sys
import time
import zlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tutor

if TYPE_CHECKING:
    from tutor.core.packs.discovery import Catalog

CACHE_FORMAT = 1
RACY_SECONDS = 2.0
KEPT_ENTRIES = 8
"""Catalogs for other configurations (`--pack DIR`, another working folder) kept alongside."""

Stamp = tuple[int, int, int, int] | None
"""(size, mtime_ns, ctime_ns, inode) of a path, or None when it does not exist."""

_reads: ContextVar[set[str] | None] = ContextVar("pack_reads", default=None)


def note_read(path: Path) -> None:
    """Loading depends on `path`: a file read or looked for, or a folder listed."""
    reads = _reads.get()
    if reads is not None:
        reads.add(os.fspath(path))


@contextlib.contextmanager
def _recording() -> Iterator[set[str]]:
    reads: set[str] = set()
    token = _reads.set(reads)
    try:
        yield reads
    finally:
        _reads.reset(token)


def cached_catalog(cache_dir: Path, key: tuple[Any, ...], build: Callable[[], Catalog]) -> Catalog:
    """The catalog `build()` would return, from `cache_dir` when nothing it read has changed."""
    path, full_key = _entry(cache_dir, key)
    cached = _read(path, full_key)
    if cached is not None:
        return cached
    started = time.time()
    with _recording() as reads:
        catalog = build()
    if not catalog.problems:
        _write(path, full_key, catalog, reads | _code_files(), started)
    return catalog


def read_catalog(cache_dir: Path, key: tuple[Any, ...]) -> Catalog | None:
    """The cached catalog for `key` if it is still valid; None means it must be built."""
    return _read(*_entry(cache_dir, key))


def _entry(cache_dir: Path, key: tuple[Any, ...]) -> tuple[Path, tuple[Any, ...]]:
    full_key = (CACHE_FORMAT, tutor.__version__, sys.version, tuple(sys.path), *key)
    return cache_dir / f"catalog-{_digest(full_key)}.pickle", full_key


def _read(path: Path, key: tuple[Any, ...]) -> Catalog | None:
    try:
        with path.open("rb") as file:
            entry = pickle.load(file)
        if entry["key"] != key or any(_stamp(p) != s for p, s in entry["stamps"].items()):
            return None
        catalog: Catalog = entry["catalog"]
        return catalog
    except Exception:  # missing, truncated, from another version: build it again
        return None


def _write(
    path: Path, key: tuple[Any, ...], catalog: Catalog, paths: set[str], started: float
) -> None:
    stamps = {p: _stamp(p) for p in sorted(paths)}
    # ctime too: `cp -p`, `tar x` and `touch -r` set an old mtime on a file written just now.
    newest = max((max(s[1], s[2]) for s in stamps.values() if s is not None), default=0)
    if newest / 1e9 > started - RACY_SECONDS:
        return
    entry = {"key": key, "stamps": stamps, "catalog": catalog}
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(temporary, path)  # readers see the old entry or the new one, never half
        _prune(path.parent)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):  # e.g. read-only: no cache
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)


def _prune(cache_dir: Path) -> None:
    entries = sorted(cache_dir.glob("catalog-*.pickle"), key=lambda p: p.stat().st_mtime)
    for old in entries[:-KEPT_ENTRIES]:
        old.unlink(missing_ok=True)


def _stamp(path: str) -> Stamp:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def _code_files() -> set[str]:
    core = Path(__file__).resolve().parents[1]
    return {os.fspath(p) for p in core.rglob("*.py")}


def _digest(key: tuple[Any, ...]) -> str:
    # Only names the file; the key itself is compared after reading.
    return f"{zlib.crc32(repr(key).encode()):08x}"
