"""A stable, anonymous key per learner, so randomised exercise variants stay the same."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

KEY_FILE = "learner-id"


def learner_key(data_dir: Path) -> str:
    """The key stored in the data dir, created on first use; never leaves this machine."""
    path = data_dir / KEY_FILE
    try:
        existing = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        existing = ""
    if existing:
        return existing
    key = uuid.uuid4().hex
    temporary = path.with_name(f"{KEY_FILE}.{os.getpid()}.tmp")
    temporary.write_text(key + "\n", encoding="utf-8")
    try:
        os.link(temporary, path)  # fails if another process created it first: theirs wins
    except FileExistsError:
        key = path.read_text(encoding="utf-8").strip() or key
    finally:
        temporary.unlink(missing_ok=True)
    return key
