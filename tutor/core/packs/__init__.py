"""Packs: discovery, loading and validation of lessons and exercises.

Loading (`load_pack`) is imported on first use: start-up usually finds the packs in the
cache (`cache.py`) and never needs the TOML reader and the checks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tutor.core.packs.discovery import (
    ENTRY_POINT_GROUP,
    MANIFEST,
    Catalog,
    builtin_pack_dir,
    discover,
)

if TYPE_CHECKING:
    from tutor.core.packs.loader import load_pack

__all__ = ["ENTRY_POINT_GROUP", "MANIFEST", "Catalog", "builtin_pack_dir", "discover", "load_pack"]


def __getattr__(name: str) -> Any:
    if name == "load_pack":
        from tutor.core.packs.loader import load_pack

        return load_pack
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
