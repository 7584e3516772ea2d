"""Packs: discovery, loading and validation of lessons and exercises."""

from tutor.core.packs.discovery import ENTRY_POINT_GROUP, Catalog, builtin_pack_dir, discover
from tutor.core.packs.loader import MANIFEST, load_pack

__all__ = ["ENTRY_POINT_GROUP", "MANIFEST", "Catalog", "builtin_pack_dir", "discover", "load_pack"]
