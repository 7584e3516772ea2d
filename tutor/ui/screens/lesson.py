"""A lesson: Markdown with highlighted code, previous/next, and the unit's exercises."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from tutor.core.curriculum import ItemEntry
from tutor.core.model import Lesson
from tutor.ui.marks import mark_of
from tutor.ui.messages import OpenItem
from tutor.ui.screens.item_screen import ItemScreen
from tutor.ui.store_writes import write_progress
from tutor.ui.widgets.item_panel import KIND_NAMES, item_text
from tutor.ui.widgets.markdown import TutorMarkdown


class LessonScreen(ItemScreen):
    """Reading a lesson marks it read once its end has been on screen."""

    DEFAULT_CSS = """
    #lesson-scroll {
        height: 1fr;
        padding: 0 1;
    }

    #lesson-exercises-title {
        text-style: bold;
        margin-top: 1;
    }

    #lesson-exercises {
        height: auto;
        max-height: 12;
    }
    """

    AUTO_FOCUS = "#lesson-scroll"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "step(1)", "Next"),
        Binding("p", "step(-1)", "Previous"),
        Binding("x", "focus_exercises", "Exercises"),
    ]

    def compose(self) -> ComposeResult:
        assert isinstance(self.entry.item, Lesson)
        yield Header()
        with VerticalScroll(id="lesson-scroll"):
            yield TutorMarkdown(item_text(self.entry.item), id="lesson-text")
            yield Static("Practise what this lesson taught", id="lesson-exercises-title")
            yield OptionList(*self._exercise_options(), id="lesson-exercises")
        yield Footer(compact=True)

    def _exercise_options(self) -> list[Option]:
        return [
            Option(f"{mark_of(e)} {e.item.title}  ({KIND_NAMES[e.item.kind]})", id=e.item.id)
            for e in self.unit_exercises()
        ]

    def unit_exercises(self) -> list[ItemEntry]:
        """The exercises of the lesson's unit, in order."""
        return [e for e in self.unit.items if e.item.kind != "lesson"]

    def on_mount(self) -> None:
        has_exercises = bool(self.unit_exercises())
        self.query_one("#lesson-exercises").display = has_exercises
        self.query_one("#lesson-exercises-title").display = has_exercises
        self._read = self.entry.status == "done"
        scroll = self.query_one("#lesson-scroll", VerticalScroll)
        self.watch(scroll, "scroll_y", self._check_read, init=False)
        self.call_after_refresh(self._check_read)

    def _check_read(self, _: float | None = None) -> None:
        """Mark the lesson read when its end has been on screen."""
        scroll = self.query_one("#lesson-scroll", VerticalScroll)
        if self._read or scroll.scroll_y < scroll.max_scroll_y - 1:
            return
        self._read = True
        write_progress(self.app, self.workspace, lambda s: s.mark_done(self.pack_id, self.item_id))

    def action_step(self, step: int) -> None:
        """Moving on counts as having read the lesson."""
        if step > 0 and not self._read:
            self._read = True
            write_progress(
                self.app, self.workspace, lambda s: s.mark_done(self.pack_id, self.item_id)
            )
        super().action_step(step)

    def action_focus_exercises(self) -> None:
        """Jump to the list of the unit's exercises."""
        exercises = self.query_one("#lesson-exercises", OptionList)
        if exercises.display:
            exercises.focus()
            exercises.scroll_visible()

    @on(OptionList.OptionSelected, "#lesson-exercises")
    def _open_exercise(self, event: OptionList.OptionSelected) -> None:
        entry = next(e for e in self.unit_exercises() if e.item.id == event.option.id)
        self.post_message(OpenItem(entry))
