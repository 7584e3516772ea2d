"""`list` and `show`: the curriculum and one item of it."""

from __future__ import annotations

import argparse
from itertools import groupby
from typing import Any

from tutor.commands.context import EXIT_OK, CommandError, Context
from tutor.core.curriculum import ItemEntry, load_curriculum
from tutor.core.model import (
    ITEM_KINDS,
    ChoiceExercise,
    CodeExercise,
    DerivationExercise,
    Item,
    Lesson,
    Pack,
    qualified_id,
)
from tutor.core.variants import choose_variant, with_variant

STATUS_MARKS = {"done": "[green]✓[/]", "in_progress": "[yellow]…[/]", "not_started": " "}


def register(commands: Any, shared: list[argparse.ArgumentParser]) -> None:
    """Add `list` and `show` to the parser."""
    listing = commands.add_parser("list", parents=shared, help="all lessons and exercises")
    listing.add_argument("--kind", choices=ITEM_KINDS, help="only items of this kind")
    listing.set_defaults(run=run_list)
    show = commands.add_parser("show", parents=shared, help="the text of a lesson or exercise")
    show.add_argument("id", help="an item id as printed by `list`, e.g. core/linear-backward")
    show.set_defaults(run=run_show)


def run_list(context: Context, args: argparse.Namespace) -> int:
    """Print every item with its status."""
    context.store()  # open first so that a broken data dir is reported once, clearly
    curriculum = load_curriculum(context.workspace())
    rows = [row for row in curriculum.items() if args.kind in (None, row.item.kind)]
    if context.json:
        context.print_json([_list_entry(row) for row in rows])
        return EXIT_OK
    from rich.table import Table

    console = context.console()
    for (pack, unit), group in groupby(rows, key=lambda row: (row.pack, row.unit)):
        table = Table(title=f"{pack.title} › {unit.title}", title_justify="left", box=None)
        table.add_column("", width=1)
        table.add_column("id", style="bold", no_wrap=True)
        table.add_column("kind", style="dim", no_wrap=True)
        table.add_column("title", overflow="fold")
        for row in group:
            table.add_row(
                STATUS_MARKS.get(row.status or "", " "), row.id, row.item.kind, row.item.title
            )
        console.print(table, "")
    return EXIT_OK


def _list_entry(row: ItemEntry) -> dict[str, Any]:
    return {
        "id": row.id,
        "pack": row.pack.id,
        "unit": row.unit.id,
        "kind": row.item.kind,
        "title": row.item.title,
        "status": row.status,
    }


def run_show(context: Context, args: argparse.Namespace) -> int:
    """Print one item's text (and, for code exercises, its starter)."""
    found = context.workspace().catalog.find_item(args.id)
    if isinstance(found, str):
        raise CommandError(found)
    pack, item = found
    if isinstance(item, DerivationExercise) and item.params:
        item = with_variant(item, choose_variant(item, context.workspace().learner_key))
    if context.json:
        context.print_json(describe_item(pack, item))
        return EXIT_OK
    from rich.markdown import Markdown

    console = context.console()
    console.print(f"[dim]{qualified_id(pack, item)} · {item.kind}[/]")
    console.print(Markdown(_as_markdown(item)))
    return EXIT_OK


def describe_item(pack: Pack, item: Item) -> dict[str, Any]:
    """Everything a script needs to present an item, as JSON-ready data."""
    base: dict[str, Any] = {
        "id": qualified_id(pack, item),
        "pack": pack.id,
        "kind": item.kind,
        "title": item.title,
        "path": str(item.path),
    }
    if isinstance(item, Lesson):
        return base | {"body": item.body}
    base |= {"prompt": item.prompt, "hints": len(item.hints)}
    if isinstance(item, DerivationExercise):
        return base | {
            "variables": {v.name: v.domain for v in item.variables},
            "intermediates": dict(item.intermediates),
            "parts": [{"id": part.id, "label": part.label} for part in item.parts],
        }
    if isinstance(item, CodeExercise):
        return base | {
            "function": item.function,
            "signature": item.signature,
            "starter": item.starter_code(),
            "gradients": list(item.gradients),
        }
    answer = (
        "number" if item.numeric_answer is not None else "one" if len(item.correct) == 1 else "many"
    )
    return base | {"options": list(item.options), "answer": answer}


def _as_markdown(item: Item) -> str:
    if isinstance(item, Lesson):
        return item.body
    text = f"# {item.title}\n\n{item.prompt}\n"
    if isinstance(item, DerivationExercise):
        definitions = "\n".join(f"- `{name} = {expr}`" for name, expr in item.intermediates)
        parts = "\n".join(f"{n}. {part.label}" for n, part in enumerate(item.parts, 1))
        text += (
            f"\nDefinitions:\n\n{definitions}\n" if definitions else ""
        ) + f"\nFind:\n\n{parts}\n"
    elif isinstance(item, CodeExercise):
        text += f"\nImplement `{item.signature}`:\n\n```python\n{item.starter_code()}```\n"
    elif isinstance(item, ChoiceExercise):
        text += "\n" + "\n".join(f"{n}. {option}" for n, option in enumerate(item.options, 1))
    return text
