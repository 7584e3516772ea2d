"""What every command needs: options, output in text or JSON, and the workspace."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from tutor.core.datadir import DataDirError, resolve_data_dir
from tutor.core.model import Pack, Problem, qualified_id
from tutor.core.progress import ProgressStore, StoreError
from tutor.core.workspace import Workspace

if TYPE_CHECKING:
    import argparse

    from rich.console import Console

ItemT = TypeVar("ItemT")

EXIT_OK = 0
EXIT_NEGATIVE = 1
EXIT_USAGE = 2


class CommandError(Exception):
    """A failure to report to the person in one sentence, with the exit code to use."""

    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass
class Context:
    """Options shared by every command, and lazily opened resources."""

    json: bool
    data_dir_option: str | None
    pack_dirs: tuple[Path, ...]
    _workspace: Workspace | None = field(default=None, repr=False)

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Context:
        """Read the shared options, whichever side of the subcommand they were given on."""
        return cls(
            json=getattr(args, "json", False),
            data_dir_option=getattr(args, "data_dir", None),
            pack_dirs=tuple(
                Path(folder)
                for dest in ("pack_dirs_before_command", "pack_dirs")
                for folder in getattr(args, dest, None) or ()
            ),
        )

    def workspace(self, report_problems: bool = True) -> Workspace:
        """The packs and progress; broken packs are reported on stderr, never fatal."""
        if self._workspace is None:
            self._workspace = Workspace(resolve_data_dir(self.data_dir_option), self.pack_dirs)
            if report_problems:
                problems = self._workspace.catalog.problems
                self.report_problems(problems, prefix="warning: skipped: ")
        return self._workspace

    def find_item(self, item_id: str, kind: type[ItemT], kind_name: str) -> tuple[Pack, ItemT]:
        """The item `item_id` if it is a `kind`; a CommandError naming what it is otherwise."""
        found = self.workspace().catalog.find_item(item_id)
        if isinstance(found, str):
            raise CommandError(found)
        pack, item = found
        if not isinstance(item, kind):
            raise CommandError(f"{qualified_id(pack, item)} is a {item.kind}, not {kind_name}")
        return pack, item

    def store(self) -> ProgressStore:
        """The progress store, or a CommandError explaining why it cannot be opened."""
        workspace = self.workspace()
        try:
            store = workspace.store
        except (DataDirError, StoreError) as error:
            raise CommandError(str(error)) from None
        for notice in store.notices:
            self.error(f"note: {notice}")
        return store

    def print_json(self, value: Any) -> None:
        """Write `value` as JSON on stdout."""
        import json  # only --json needs it; the app's start-up does not

        json.dump(value, sys.stdout, indent=2, ensure_ascii=False, default=str)
        sys.stdout.write("\n")

    def console(self) -> Console:
        """A Rich console for human output (imported only when text is printed)."""
        from rich.console import Console

        return Console(highlight=False, soft_wrap=False)

    def error(self, message: str) -> None:
        """A message for the person, on stderr."""
        print(message, file=sys.stderr)

    def report_problems(self, problems: tuple[Problem, ...] | list[Problem], prefix: str) -> None:
        """One line per problem on stderr."""
        for problem in problems:
            self.error(f"{prefix}{problem}")

    def close(self) -> None:
        """Release the store, if a command opened it."""
        if self._workspace is not None:
            self._workspace.close()
