"""`pack list` and `pack validate DIR`: the packs the tutor sees, and checking a pack."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from tutor.commands.context import EXIT_NEGATIVE, EXIT_OK, Context
from tutor.core.model import Pack, Problem
from tutor.core.packs import load_pack


def register(commands: Any, shared: list[argparse.ArgumentParser]) -> None:
    """Add `pack list` and `pack validate` to the parser."""
    pack = commands.add_parser("pack", help="list packs, validate a pack folder")
    actions = pack.add_subparsers(dest="pack_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", parents=shared, help="every pack found, and where")
    listing.set_defaults(run=run_list)
    validate = actions.add_parser("validate", parents=shared, help="check a pack folder")
    validate.add_argument("dirs", nargs="+", type=Path, metavar="DIR", help="pack folder(s)")
    validate.set_defaults(run=run_validate)


def describe_pack(pack: Pack) -> dict[str, Any]:
    """A pack as JSON-ready data."""
    items = pack.items()
    return {
        "id": pack.id,
        "title": pack.title,
        "version": pack.version,
        "description": pack.description,
        "authors": list(pack.authors),
        "path": str(pack.root),
        "source": pack.source,
        "units": len(pack.units),
        "lessons": sum(item.kind == "lesson" for item in items),
        "exercises": sum(item.kind != "lesson" for item in items),
    }


def run_list(context: Context, args: argparse.Namespace) -> int:
    """Every pack that loaded; problems of the others go to stderr."""
    packs = context.workspace().catalog.packs
    if context.json:
        context.print_json([describe_pack(pack) for pack in packs])
        return EXIT_OK
    console = context.console()
    for pack in packs:
        info = describe_pack(pack)
        console.print(
            f"[bold]{pack.id}[/] {pack.version}  {pack.title}  [dim]({pack.source}: {pack.root})[/]"
            f"\n    {info['lessons']} lessons, {info['exercises']} exercises"
            f" in {info['units']} units"
        )
    return EXIT_OK


def run_validate(context: Context, args: argparse.Namespace) -> int:
    """Load each folder as a pack and list every problem; exit 1 if there are any."""
    results = {str(folder): validate_pack(folder) for folder in args.dirs}
    failed = any(isinstance(result, list) for result in results.values())
    if context.json:
        context.print_json(
            [_validation_entry(folder, result) for folder, result in results.items()]
        )
        return EXIT_NEGATIVE if failed else EXIT_OK
    for folder, result in results.items():
        if isinstance(result, list):
            print(f"{folder}: {len(result)} problem(s)")
            for problem in result:
                print(f"  {problem}")
        else:
            info = describe_pack(result)
            print(
                f"{folder}: ok: pack '{result.id}' {result.version}, "
                f"{info['lessons']} lessons, {info['exercises']} exercises"
            )
    return EXIT_NEGATIVE if failed else EXIT_OK


def validate_pack(folder: Path) -> Pack | list[Problem]:
    """Load the pack, then check what loading alone cannot: derivations' expressions."""
    loaded = load_pack(folder)
    if isinstance(loaded, list):
        return loaded
    from tutor.core.grading.grader import Grader
    from tutor.core.symbolic.validation import validate_pack_derivations

    problems = validate_pack_derivations(loaded)
    if any(item.kind == "code" for item in loaded.items()):
        from tutor.core.grading.validation import validate_pack_code

        with Grader() as grader:
            problems += validate_pack_code(loaded, grader)
    return problems or loaded


def _validation_entry(folder: str, result: Pack | list[Any]) -> dict[str, Any]:
    if not isinstance(result, list):
        return {"path": folder, "valid": True, "pack": describe_pack(result), "problems": []}
    problems = [
        {"file": str(p.file), "line": p.line, "field": p.field, "message": p.message}
        for p in result
    ]
    return {"path": folder, "valid": False, "problems": problems}
