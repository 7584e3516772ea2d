"""Snapshots of the main screens at 80×24 (pytest-textual-snapshot).

Run `python -m pytest tests/test_ui_snapshots.py --snapshot-update` after an intended change
to the look, and review the SVGs in tests/__snapshots__/ before committing them.
The fixture pack and a fixed data folder keep every pixel repeatable; attempt times are
frozen.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import TextArea

from tutor.core.workspace import Workspace
from tutor.ui.app import TutorApp, create_app
from tutor.ui.widgets import attempt_history
from tutor.ui.widgets.grade_report import GradeReport
from tutor.ui.widgets.item_panel import ItemPanel
from tutor.ui.widgets.part_answer import PartAnswer

UI_PACK = Path(__file__).resolve().parent / "fixtures" / "ui-pack"
# Fixed, because the code screen shows the working file's path.
DATA_DIR = Path("/tmp/backprop-tutor-snapshots")
SIZE = (80, 24)

Check = Callable[[TutorApp], bool]


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> Iterator[TutorApp]:
    shutil.rmtree(DATA_DIR, ignore_errors=True)
    monkeypatch.setattr(attempt_history, "_local_time", lambda iso: "Nov 22 10:00")
    workspace = Workspace(
        DATA_DIR, pack_dirs=[UI_PACK], include_entry_points=False, include_builtin=False
    )
    tutor = create_app(workspace)
    yield tutor
    tutor.services.close()
    workspace.close()


async def until(pilot: Pilot[int], condition: Check, what: str, timeout: float = 60) -> None:
    """Let the app run until `condition` holds (workers run in threads and processes)."""
    app = pilot.app
    assert isinstance(app, TutorApp)
    deadline = time.monotonic() + timeout
    while not condition(app):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.05)
    for widget in app.screen.query("Input, TextArea"):
        widget.cursor_blink = False  # type: ignore[attr-defined]  # a blinking cursor flickers
    await pilot.pause(0.2)  # let the last repaint land


def home_loaded(app: TutorApp) -> bool:
    panels = app.screen.query(ItemPanel)
    return bool(panels) and bool(panels.first().text)


def test_home(snap_compare: Callable[..., bool], app: TutorApp) -> None:
    async def loaded(pilot: Pilot[int]) -> None:
        await until(pilot, home_loaded, "the home screen")

    assert snap_compare(app, terminal_size=SIZE, run_before=loaded)


def test_lesson(snap_compare: Callable[..., bool], app: TutorApp) -> None:
    async def opened(pilot: Pilot[int]) -> None:
        await until(pilot, home_loaded, "the home screen")
        await pilot.press("enter")
        await until(pilot, lambda a: type(a.screen).__name__ == "LessonScreen", "the lesson")

    assert snap_compare(app, terminal_size=SIZE, run_before=opened)


def test_derivation_with_feedback(snap_compare: Callable[..., bool], app: TutorApp) -> None:
    def answered(app: TutorApp) -> bool:
        parts = app.screen.query(PartAnswer)
        return len(parts) == 2 and all(
            part.query_one(".part-feedback").has_class("-shown") for part in parts
        )

    async def checked(pilot: Pilot[int]) -> None:
        await until(pilot, home_loaded, "the home screen")
        await pilot.press("down", "enter")
        await until(pilot, lambda a: bool(a.screen.query(PartAnswer)), "the derivation")
        await pilot.press(*"2b", "enter", *"2b", "enter")  # the second is a known mistake
        await until(pilot, answered, "the verdict")

    assert snap_compare(app, terminal_size=SIZE, run_before=checked)


def test_code_with_a_diagnosis(snap_compare: Callable[..., bool], app: TutorApp) -> None:
    transposed = (UI_PACK / "exercises" / "layers" / "linear_buggy_transposed.py").read_text()

    def graded(app: TutorApp) -> bool:
        reports = app.screen.query(GradeReport)
        return bool(reports) and reports.first().result is not None

    async def diagnosed(pilot: Pilot[int]) -> None:
        await until(pilot, home_loaded, "the home screen")
        await pilot.press("down", "down", "down", "down", "down", "enter", "down", "enter")
        await until(pilot, lambda a: bool(a.screen.query(TextArea)), "the code screen")
        await until(pilot, lambda a: a.screen.query_one(TextArea).text != "", "the starter")
        pilot.app.screen.query_one(TextArea).load_text(transposed)
        await pilot.press("ctrl+r")
        await until(pilot, graded, "the grade")

    assert snap_compare(app, terminal_size=SIZE, run_before=diagnosed)
