"""Finding packs: built in, `--pack DIR`, the user data dir, and installed entry points.

A broken pack is reported and skipped; it never hides the others.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from msgspec import Struct

from tutor.core.model import Item, Pack, PackSource, Problem
from tutor.core.packs.cache import note_read

ENTRY_POINT_GROUP = "backprop_tutor.packs"
USER_PACKS_DIR = "packs"
MANIFEST = "pack.toml"
"""The file that makes a folder a pack."""


class Catalog(Struct, frozen=True):
    """Every pack that loaded, and the problems of those that did not."""

    packs: tuple[Pack, ...]
    problems: tuple[Problem, ...]

    def pack(self, pack_id: str) -> Pack | None:
        """The pack with this id, if loaded."""
        return next((p for p in self.packs if p.id == pack_id), None)

    def find_item(self, item_ref: str) -> tuple[Pack, Item] | str:
        """Look up `pack/item` (or a bare item id that is unique); a sentence when not found."""
        pack_id, _, item_id = item_ref.rpartition("/")
        matches = [
            (pack, item)
            for pack in self.packs
            if not pack_id or pack.id == pack_id
            for item in pack.items()
            if item.id == item_id
        ]
        if len(matches) == 1:
            return matches[0]
        if matches:
            options = ", ".join(f"{p.id}/{i.id}" for p, i in matches)
            return f"'{item_ref}' is ambiguous: it could be {options}"
        return f"no lesson or exercise '{item_ref}' (see `backprop-tutor list`)"


def builtin_pack_dir() -> Path:
    """The built-in pack: inside the installed package, or the top of a source checkout."""
    package_dir = Path(__file__).resolve().parents[2]
    installed = package_dir / "builtin"
    note_read(installed / MANIFEST)
    return installed if (installed / MANIFEST).is_file() else package_dir.parent


def discover(
    data_dir: Path | None,
    extra_dirs: Sequence[Path] = (),
    include_entry_points: bool = True,
    include_builtin: bool = True,
) -> Catalog:
    """Load every pack from every source; the first pack to claim an id keeps it.

    `include_builtin=False` is for tests that need a curriculum that does not change when
    the built-in content does.
    """
    # Loading is imported only when a cached catalog cannot be used (see cache.py).
    from tutor.core.packs.loader import load_pack

    packs: dict[str, Pack] = {}
    problems: list[Problem] = []
    candidates = _candidates(data_dir, extra_dirs, include_entry_points, problems)
    if not include_builtin:
        candidates = (c for c in candidates if c[1] != "builtin")
    for root, source in candidates:
        loaded = load_pack(root, source)
        if isinstance(loaded, list):
            problems.extend(loaded)
        elif loaded.id in packs:
            problems.append(_duplicate(packs[loaded.id], loaded))
        else:
            packs[loaded.id] = loaded
    return Catalog(tuple(packs.values()), tuple(problems))


def _duplicate(kept: Pack, ignored: Pack) -> Problem:
    return Problem(
        ignored.root / MANIFEST,
        f"pack id '{ignored.id}' is also used by {kept.root} ({kept.source}); "
        f"that one is used and this one ({ignored.source}) is ignored",
        "id",
    )


def _candidates(
    data_dir: Path | None,
    extra_dirs: Iterable[Path],
    include_entry_points: bool,
    problems: list[Problem],
) -> Iterator[tuple[Path, PackSource]]:
    # Order is priority: the built-in pack always wins an id clash.
    yield builtin_pack_dir(), "builtin"
    for directory in extra_dirs:
        yield Path(directory).expanduser(), "cli"
    if data_dir is not None:
        yield from ((root, "user") for root in _user_packs(data_dir / USER_PACKS_DIR))
    if include_entry_points:
        yield from ((root, "entry-point") for root in _entry_point_packs(problems))


def _user_packs(folder: Path) -> list[Path]:
    note_read(folder)
    if not folder.is_dir():
        return []
    children = sorted(folder.iterdir())
    for child in children:  # a symlink whose target appears later adds no entry to `folder`
        note_read(child)
    return [child for child in children if child.is_dir()]


def _entry_point_packs(problems: list[Problem]) -> Iterator[Path]:
    """Pack folders of installed distributions, located without importing their code."""
    import importlib.util
    from importlib.metadata import entry_points

    for folder in sys.path:  # installing or removing a distribution changes its folder
        note_read(Path(folder or "."))
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        origin = Path(f"<entry point {entry.name} = {entry.value}>")
        try:
            spec = importlib.util.find_spec(entry.module)
        except Exception as error:  # a dotted name imports its parent, which may raise anything
            problems.append(Problem(origin, f"cannot locate module '{entry.module}': {error}"))
            continue
        if spec is None:
            problems.append(Problem(origin, f"module '{entry.module}' is not installed"))
            continue
        locations = list(spec.submodule_search_locations or [])
        if not locations:
            problems.append(
                Problem(origin, f"'{entry.module}' must be a package folder holding {MANIFEST}")
            )
            continue
        yield Path(locations[0])
