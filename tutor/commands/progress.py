"""`progress`, `progress export FILE`, `progress reset`: the learner's record."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from msgspec.structs import asdict

from tutor.commands.context import EXIT_NEGATIVE, EXIT_OK, CommandError, Context
from tutor.core.curriculum import STATUS_WORDS, Curriculum, load_curriculum
from tutor.core.progress import ItemProgress


def register(
    commands: Any, common: list[argparse.ArgumentParser], shared: list[argparse.ArgumentParser]
) -> None:
    """Add `progress` and its subcommands to the parser."""
    progress = commands.add_parser("progress", parents=shared, help="what you have done so far")
    progress.set_defaults(run=run_summary)
    actions = progress.add_subparsers(dest="progress_command", metavar="ACTION")
    export = actions.add_parser("export", parents=shared, help="write all progress to a JSON file")
    export.add_argument("file", type=Path, help="where to write the JSON ('-' for stdout)")
    export.set_defaults(run=run_export)
    # `--pack` here names a pack id to reset, so this one subcommand omits `--pack DIR`.
    reset = actions.add_parser("reset", parents=common, help="forget progress (asks first)")
    reset.add_argument("--pack", dest="reset_pack", metavar="ID", help="only this pack's progress")
    reset.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    reset.set_defaults(run=run_reset)


def run_summary(context: Context, args: argparse.Namespace) -> int:
    """Completion per pack and unit; attempts, hints and time per item."""
    context.store()  # a data dir that cannot be used is an error here, not a blank report
    curriculum = load_curriculum(context.workspace())
    if context.json:
        context.print_json(_summary_json(curriculum))
        return EXIT_OK
    console = context.console()
    for pack in curriculum.packs:
        console.print(f"[bold]{pack.pack.title}[/] ({pack.pack.id}): {pack.done}/{pack.total} done")
        for unit in pack.units:
            console.print(f"  {unit.unit.title}: {unit.done}/{unit.total}")
            for entry in unit.items:
                if entry.progress and entry.progress.status != "not_started":
                    console.print(f"    {entry.id:<38} {_item_line(entry.progress)}")
    if curriculum.last_position:
        console.print(f"\nLast position: {_position(curriculum.last_position)}")
    return EXIT_OK


def _item_line(p: ItemProgress) -> str:
    return (
        f"{STATUS_WORDS[p.status]:<12} attempts {p.attempts:<3} best {p.best_score:>4.0%}  "
        f"hints {p.hints_used:<2} time {p.time_spent_s / 60:.0f} min"
    )


def _summary_json(curriculum: Curriculum) -> dict[str, Any]:
    return {
        "last_position": _position(curriculum.last_position),
        "packs": [
            {
                "id": pack.pack.id,
                "done": pack.done,
                "total": pack.total,
                "units": [
                    {"id": unit.unit.id, "done": unit.done, "total": unit.total}
                    for unit in pack.units
                ],
            }
            for pack in curriculum.packs
        ],
        "items": [
            {"id": entry.id, **asdict(entry.progress)}
            for entry in curriculum.items()
            if entry.progress is not None
        ],
    }


def _position(position: tuple[str, str] | None) -> str | None:
    return "/".join(position) if position else None


def run_export(context: Context, args: argparse.Namespace) -> int:
    """Write the full progress record as JSON."""
    data = context.store().export()
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"
    if str(args.file) == "-":
        sys.stdout.write(text)
        return EXIT_OK
    try:
        args.file.write_text(text, encoding="utf-8")
    except OSError as error:
        raise CommandError(f"cannot write {args.file}: {error.strerror or error}") from None
    attempts = len(data.get("attempts", ()))
    if context.json:
        context.print_json({"file": str(args.file), "attempts": attempts})
    else:
        print(f"Wrote {attempts} attempts and item progress to {args.file}")
    return EXIT_OK


def run_reset(context: Context, args: argparse.Namespace) -> int:
    """Delete progress, all of it or one pack's, after confirmation."""
    scope = f"pack '{args.reset_pack}'" if args.reset_pack else "all packs"
    if not args.yes and not _confirm(f"Forget every attempt, draft and status for {scope}?"):
        context.error("Nothing was reset.")
        return EXIT_NEGATIVE
    deleted = context.store().reset(args.reset_pack)
    if context.json:
        context.print_json({"reset": args.reset_pack or "all", "attempts_deleted": deleted})
    else:
        print(f"Reset progress for {scope} ({deleted} attempts deleted).")
    return EXIT_OK


def _confirm(question: str) -> bool:
    if not sys.stdin.isatty():
        raise CommandError("refusing to reset without confirmation: pass --yes")
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")
