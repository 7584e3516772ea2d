"""The workspace's quick paths for start-up: nothing on them may wait for another process."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from tutor.core.progress import DB_FILENAME, Attempt
from tutor.core.workspace import Workspace


def workspace(data_dir: Path) -> Workspace:
    return Workspace(data_dir, include_entry_points=False, include_builtin=False)


def locked_by_another_writer(data_dir: Path) -> sqlite3.Connection:
    """A database that needs upgrading (version 0), with a write lock held on it."""
    data_dir.mkdir(parents=True, exist_ok=True)
    holder = sqlite3.connect(data_dir / DB_FILENAME, isolation_level=None)
    holder.execute("CREATE TABLE unrelated (x)")
    holder.execute("BEGIN IMMEDIATE")
    return holder


def test_a_store_another_process_is_writing_is_not_waited_for(tmp_path: Path) -> None:
    holder = locked_by_another_writer(tmp_path)
    try:
        started = time.monotonic()
        assert workspace(tmp_path).store_if_free() is None
        assert time.monotonic() - started < 2.0  # not the 30 s a normal open would wait
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert workspace(tmp_path).store_if_free() is not None


def test_a_store_opened_quickly_still_waits_for_locks_later(tmp_path: Path) -> None:
    space = workspace(tmp_path)
    store = space.store_if_free()
    assert store is not None
    holder = sqlite3.connect(tmp_path / DB_FILENAME, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    threading.Timer(0.5, lambda: (holder.execute("ROLLBACK"), holder.close())).start()
    # Would fail at once ("database is locked") if the quick open's short wait had stayed.
    store.record_attempt(Attempt("core", "0.1.0", "x", "derivation", "1", "correct", 1.0, 2.0))
    assert store.item("core", "x").status == "done"
    space.close()
