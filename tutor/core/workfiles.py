"""The learner's working file for a code exercise: the draft, on disk, for their own editor.

The app mirrors the editor into `<data dir>/work/<pack>/<item>.py`, so "open in $EDITOR"
and watch mode (re-check when the file changes) work on a real file. The SQLite draft stays
the source of truth across restarts; this file is a convenience copy.
"""

from __future__ import annotations

import os
from pathlib import Path

MAX_WORK_FILE_BYTES = 512_000
"""Larger files are not read back into the app (a backward() is a few kB)."""


class WorkFileError(Exception):
    """The working file could not be read or written; the message says why."""


def work_file(data_dir: Path, pack_id: str, item_id: str) -> Path:
    """Where the working file of an exercise lives."""
    return data_dir / "work" / pack_id / f"{item_id}.py"


def write_work_file(path: Path, code: str) -> int:
    """Write `code` atomically; return the new file's mtime (ns) to tell our writes apart."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".py.tmp")
        temporary.write_text(code, encoding="utf-8")
        os.replace(temporary, path)
        return path.stat().st_mtime_ns
    except OSError as error:
        raise WorkFileError(f"could not write {path}: {error.strerror or error}") from None


def read_work_file(path: Path) -> str:
    """The file's text; WorkFileError when missing, too large or not UTF-8."""
    try:
        if path.stat().st_size > MAX_WORK_FILE_BYTES:
            raise WorkFileError(f"{path} is larger than {MAX_WORK_FILE_BYTES // 1000} kB")
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise WorkFileError(f"{path} no longer exists") from None
    except UnicodeDecodeError:
        raise WorkFileError(f"{path} is not UTF-8 text") from None
    except OSError as error:
        raise WorkFileError(f"could not read {path}: {error.strerror or error}") from None


def modified_ns(path: Path) -> int | None:
    """The file's mtime in ns, or None when it does not exist."""
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None
