"""Loading one pack folder: its manifest, then every lesson and exercise it lists."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tutor.core.model import Item, Pack, PackSource, Problem, Unit
from tutor.core.packs.cache import note_read
from tutor.core.packs.discovery import MANIFEST
from tutor.core.packs.exercises import load_exercise
from tutor.core.packs.files import read_toml, resolve_inside
from tutor.core.packs.lessons import load_lesson
from tutor.core.packs.schema import Field, TableReader

FORMAT_VERSIONS = (1,)

MANIFEST_SPEC = {
    "format_version": Field(int, required=True),
    "id": Field(str, required=True),
    "title": Field(str, required=True),
    "version": Field(str, required=True),
    "description": Field(str),
    "authors": Field(list, items=str),
    "units": Field(list, required=True, items=dict),
}
UNIT_SPEC = {
    "id": Field(str, required=True),
    "title": Field(str, required=True),
    "items": Field(list, required=True, items=str),
}


def load_pack(root: Path, source: PackSource = "cli") -> Pack | list[Problem]:
    """The pack in folder `root`, or every problem that stops it from loading."""
    note_read(root)  # as named: a symlinked folder re-pointed elsewhere stats differently
    root = root.resolve()
    manifest_path = root / MANIFEST
    if not root.is_dir():
        return [Problem(root, "pack folder does not exist or is not a folder")]
    if not manifest_path.is_file():
        return [Problem(root, f"not a pack: a pack folder needs a {MANIFEST} manifest")]
    parsed = read_toml(manifest_path)
    if isinstance(parsed, Problem):
        return [parsed]
    table, text = parsed
    reader = TableReader(manifest_path, text)
    if not _check_manifest(table, reader):
        return reader.problems
    units = _load_units(table["units"], root, reader)
    if reader.problems:
        return reader.problems
    return Pack(
        id=table["id"],
        title=table["title"],
        version=table["version"],
        description=table.get("description", ""),
        authors=tuple(table.get("authors", ())),
        units=units,
        root=root.resolve(),
        source=source,
    )


def _check_manifest(table: Mapping[str, Any], reader: TableReader) -> bool:
    version = table.get("format_version")
    if isinstance(version, str) and version.strip().isdigit():
        reader.problem(
            f"must be an integer: write format_version = {version.strip()}", "format_version"
        )
        return False
    if version is not None and version not in FORMAT_VERSIONS:
        known = ", ".join(map(str, FORMAT_VERSIONS))
        reader.problem(
            f"unknown format_version {version!r}: this backprop-tutor reads format {known}; "
            "a newer backprop-tutor may read it",
            "format_version",
        )
        return False
    if not reader.check(table, MANIFEST_SPEC):
        return False
    reader.check_id(table["id"], "id")
    if not table["units"]:
        reader.problem("a pack needs at least one unit", "units")
    return not reader.problems


def _load_units(raw_units: list[Any], root: Path, reader: TableReader) -> tuple[Unit, ...]:
    units: list[Unit] = []
    seen_items: dict[str, Path] = {}
    seen_units: set[str] = set()
    for index, raw in enumerate(raw_units):
        where = f"units[{index}]."
        if not reader.check(raw, UNIT_SPEC, where) or not reader.check_id(raw["id"], where + "id"):
            continue
        if raw["id"] in seen_units:
            reader.problem(f"unit id '{raw['id']}' is used twice", where + "id")
        seen_units.add(raw["id"])
        items = [_load_item(root, ref, where + "items", reader) for ref in raw["items"]]
        loaded = tuple(item for item in items if item is not None)
        _check_unique_items(loaded, seen_items, where + "items", reader)
        units.append(Unit(raw["id"], raw["title"], loaded))
    return tuple(units)


def _load_item(root: Path, reference: str, field: str, reader: TableReader) -> Item | None:
    target = resolve_inside(root, root, reference)
    if isinstance(target, str):
        reader.problem(target, field)
        return None
    if target.suffix == ".md":
        loaded: Item | list[Problem] = load_lesson(target)
    elif target.suffix == ".toml":
        loaded = load_exercise(target, root)
    else:
        reader.problem(f"'{reference}' is neither a lesson (.md) nor an exercise (.toml)", field)
        return None
    if isinstance(loaded, list):
        reader.problems.extend(loaded)
        return None
    return loaded


def _check_unique_items(
    items: tuple[Item, ...], seen: dict[str, Path], field: str, reader: TableReader
) -> None:
    for item in items:
        if item.id not in seen:
            seen[item.id] = item.path
        elif seen[item.id] == item.path:
            # Listed twice, the item would be ambiguous to every command that takes its id.
            reader.problem(f"'{item.path.name}' is listed more than once; list it once", field)
        else:
            reader.problems.append(
                Problem(item.path, f"id '{item.id}' is already used by {seen[item.id]}", "id")
            )
