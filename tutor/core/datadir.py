"""Where backprop-tutor keeps its files, and making sure it can write there.

The data directory is chosen once at start-up (``--data-dir`` beats the
``BACKPROP_TUTOR_HOME`` environment variable, which beats the platform's usual
per-user data folder) and checked before anything is written into it, so a
bad location is reported as one plain sentence instead of a SQLite traceback
half-way through a session.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

APP_NAME = "backprop-tutor"
"""Folder name used under the platform's per-user data directory."""

ENV_VAR = "BACKPROP_TUTOR_HOME"
"""Environment variable that overrides the default data directory."""

_ADVICE = f"Set --data-dir or {ENV_VAR} to a writable folder."


class DataDirError(Exception):
    """The data directory cannot be created or written to.

    ``str(error)`` is a complete sentence for a person: it names the folder,
    the reason, and what to do about it.
    """


def resolve_data_dir(cli_value: str | Path | None) -> Path:
    """Return the data directory to use, without creating it.

    ``cli_value`` (the ``--data-dir`` option) wins, then the
    ``BACKPROP_TUTOR_HOME`` environment variable, then the platform default
    (e.g. ``~/.local/share/backprop-tutor`` on Linux). Empty strings count as
    "not given", because an empty ``BACKPROP_TUTOR_HOME=`` in a shell profile
    is almost always an accident rather than a request to use the current
    folder. ``~`` is expanded and the result made absolute so that messages
    name a path the person can find.
    """
    chosen: str | Path
    env_value = os.environ.get(ENV_VAR, "")
    if cli_value is not None and str(cli_value) != "":
        chosen = cli_value
    elif env_value:
        chosen = env_value
    else:
        # Imported here so that commands which never touch progress do not
        # pay for it (platformdirs is small, but every import adds up).
        import platformdirs

        chosen = platformdirs.user_data_dir(APP_NAME, appauthor=False)
    return Path(chosen).expanduser().absolute()


def ensure_writable_dir(path: Path) -> Path:
    """Create ``path`` (with parents) if needed and prove that files can be written in it.

    Returns ``path`` unchanged. Raises :class:`DataDirError` when the folder
    cannot be created (for example because part of the path is a regular
    file) or when a probe file cannot be created and removed in it.
    """
    if path.exists() and not path.is_dir():
        raise DataDirError(
            f"cannot use {path} as the data directory: it is a file, not a folder. {_ADVICE}"
        )
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataDirError(
            f"cannot create the data directory {path}: {_reason(exc, path)}. {_ADVICE}"
        ) from exc
    _probe_write(path)
    return path


def _probe_write(path: Path) -> None:
    """Create and delete a uniquely named file in ``path``.

    Checking permission bits (``os.access``) is not enough: it ignores
    read-only mounts in some setups and says "yes" to root everywhere. Actually
    writing is the only reliable test, and SQLite will need to create its
    ``-wal``/``-shm`` files next to the database anyway.
    """
    try:
        handle, probe_name = tempfile.mkstemp(prefix=".write-probe-", dir=path)
        os.close(handle)
        os.unlink(probe_name)
    except OSError as exc:
        raise DataDirError(
            f"cannot write to the data directory {path}: {_reason(exc, path)}. {_ADVICE}"
        ) from exc


def _reason(exc: OSError, path: Path) -> str:
    """The OS's short reason (``Permission denied``), plus the culprit if a parent is a file."""
    reason = exc.strerror or str(exc)
    blocking_file = _first_file_on_path(path)
    if blocking_file is not None:
        reason += f" ({blocking_file} is a file, not a folder)"
    return reason


def _first_file_on_path(path: Path) -> Path | None:
    """The first existing non-directory among ``path``'s ancestors, if any."""
    for ancestor in reversed(path.parents):
        if ancestor.exists() and not ancestor.is_dir():
            return ancestor
    return None
