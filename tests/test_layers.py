"""The core is the domain: it must never pull in the UI toolkit (DESIGN.md §1)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import tutor.core

UI_MODULES = ("textual", "rich")


def core_modules() -> list[str]:
    return [info.name for info in pkgutil.walk_packages(tutor.core.__path__, prefix="tutor.core.")]


def test_core_has_modules_to_check() -> None:
    # Guards the test below against silently checking nothing.
    assert {"tutor.core.model", "tutor.core.packs.loader", "tutor.core.progress"} <= set(
        core_modules()
    )


def test_core_imports_no_ui_toolkit() -> None:
    program = (
        "import importlib, sys\n"
        f"for name in {core_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {UI_MODULES!r}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]", f"core imported UI modules: {result.stdout}"


def test_scripted_commands_do_not_import_textual() -> None:
    # `list --json` is for scripts: it must not pay for the UI toolkit.
    program = (
        "import sys\n"
        "from tutor.cli import main\n"
        "main(['--data-dir', sys.argv[1], 'list', '--json'])\n"
        "print('textual' in sys.modules, file=sys.stderr)\n"
    )
    import tempfile

    with tempfile.TemporaryDirectory() as data_dir:
        result = subprocess.run(
            [sys.executable, "-c", program, data_dir], capture_output=True, text=True, check=True
        )
    assert result.stderr.strip().endswith("False")
