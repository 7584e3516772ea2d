"""The progress screen: completion per unit, attempts, hints used and time spent."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from tutor.core.curriculum import Curriculum, ItemEntry, load_curriculum
from tutor.core.workspace import Workspace
from tutor.ui.marks import bar
from tutor.ui.messages import CurriculumLoaded

BAR_WIDTH = 10


class ProgressScreen(Screen[None]):
    """One row per unit and a total per pack."""

    DEFAULT_CSS = """
    #progress-summary {
        padding: 0 1;
        margin-bottom: 1;
    }

    #progress-table {
        height: 1fr;
    }
    """

    SUB_TITLE = "progress"
    AUTO_FOCUS = "#progress-table"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,p", "dismiss", "Back")]

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self._workspace = workspace

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="progress-summary", markup=False)
        yield DataTable(id="progress-table", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Unit", "Done", "", "Attempts", "Hints", "Time")
        self._load()

    @work(thread=True, exclusive=True)
    def _load(self) -> None:
        self.post_message(CurriculumLoaded(load_curriculum(self._workspace)))

    @on(CurriculumLoaded)
    def _show(self, message: CurriculumLoaded) -> None:
        data = message.data
        table = self.query_one(DataTable)
        table.clear()
        for pack in data.packs:
            for unit in pack.units:
                table.add_row(unit.unit.title, *_figures(unit.items, unit.done, unit.total))
            total = Text(f"{pack.pack.title} (total)", style="bold")
            items = [e for unit in pack.units for e in unit.items]
            table.add_row(total, *_figures(items, pack.done, pack.total))
        self.query_one("#progress-summary", Static).update(summary(data))


def summary(data: Curriculum) -> str:
    """One line above the table."""
    if data.store_error:
        return f"Progress is not available: {data.store_error}"
    done = sum(pack.done for pack in data.packs)
    total = sum(pack.total for pack in data.packs)
    return f"{done} of {total} items done."


def _figures(items: list[ItemEntry] | tuple[ItemEntry, ...], done: int, total: int) -> list[str]:
    progress = [e.progress for e in items if e.progress is not None]
    attempts = sum(p.attempts for p in progress)
    hints = sum(p.hints_used for p in progress)
    seconds = sum(p.time_spent_s for p in progress)
    return [
        f"{done}/{total}",
        bar(done, total, BAR_WIDTH),
        str(attempts),
        str(hints),
        duration(seconds),
    ]


def duration(seconds: float) -> str:
    """'—', '45 s', '12 min', '1 h 05 min'."""
    if seconds < 1:
        return "—"
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes = round(seconds / 60)
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"
