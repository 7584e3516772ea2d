"""A concept check: pick the option(s) or type a number; the explanation follows the answer."""

from __future__ import annotations

import time

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import (
    Button,
    Footer,
    Header,
    Input,
    RadioButton,
    RadioSet,
    SelectionList,
    Static,
)

from tutor.core.attempts import choice_attempt
from tutor.core.choice import ChoiceResult, NumberError, check_number, check_options
from tutor.core.datadir import DataDirError
from tutor.core.model import ChoiceExercise
from tutor.core.progress import StoreError
from tutor.ui.messages import ChoiceChecked
from tutor.ui.screens.exercise_screen import ExerciseScreen
from tutor.ui.store_writes import report_progress_error
from tutor.ui.widgets.attempt_history import AttemptHistory
from tutor.ui.widgets.hints import HintsPanel
from tutor.ui.widgets.markdown import TutorMarkdown


class ChoiceScreen(ExerciseScreen):
    """One question; answering records an attempt and shows the explanation."""

    DEFAULT_CSS = """
    #explanation {
        margin-top: 1;
    }
    """

    AUTO_FOCUS = "#choices"

    def compose(self) -> ComposeResult:
        exercise = self.choice
        yield Header()
        with VerticalScroll(id="exercise-body"):
            yield TutorMarkdown(exercise.prompt, id="prompt")
            if not exercise.options:
                yield Input(placeholder="a number, e.g. 0.25", id="choices")
            elif len(exercise.correct) > 1:
                yield Static("Select all that apply (space toggles).", classes="muted")
                yield SelectionList[int](
                    *[(option, n) for n, option in enumerate(exercise.options)], id="choices"
                )
            else:
                with RadioSet(id="choices"):
                    for option in exercise.options:
                        yield RadioButton(option)
            with Horizontal(id="actions"):
                yield Button("Answer ^r", id="check-button", variant="primary", compact=True)
                yield Button("Hint ^t", id="hint-button", compact=True)
            yield Static("", id="status", markup=False)
            yield TutorMarkdown("", id="explanation")
            yield HintsPanel(exercise.hints, "")
            yield AttemptHistory()
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._asked_at = time.monotonic()

    @property
    def choice(self) -> ChoiceExercise:
        item = self.entry.item
        assert isinstance(item, ChoiceExercise)
        return item

    def action_check(self) -> None:
        exercise = self.choice
        try:
            if not exercise.options:
                result = check_number(exercise, self.query_one("#choices", Input).value)
            else:
                result = check_options(exercise, self._picked())
        except NumberError as error:
            self.query_one("#status", Static).update(f"Cannot read that: {error}.")
            return
        if not result.answer:
            self.notify("Pick an option first.", timeout=3)
            return
        self._record(result)

    def _picked(self) -> list[int]:
        choices = self.query_one("#choices")
        if isinstance(choices, SelectionList):
            return list(choices.selected)
        assert isinstance(choices, RadioSet)
        index = choices.pressed_index
        return [] if index < 0 else [index]

    @work(thread=True, exclusive=True, group="check")
    def _record(self, result: ChoiceResult) -> None:
        store_error = None
        thinking_s = min(time.monotonic() - self._asked_at, 3600.0)
        self._asked_at = time.monotonic()
        try:
            attempt = choice_attempt(self.entry.pack, self.choice, result, thinking_s)
            self.workspace.store.record_attempt(attempt)
        except (DataDirError, StoreError) as error:
            store_error = str(error)
        self.post_message(ChoiceChecked(result, store_error))

    @on(ChoiceChecked)
    async def _show(self, message: ChoiceChecked) -> None:
        result = message.result
        mark = "✓" if result.correct else "✗"
        self.query_one("#status", Static).update(f"{mark} {result.feedback}")
        self.query_one("#status").set_class(result.correct, "-correct")
        self.query_one("#status").set_class(not result.correct, "-incorrect")
        await self.query_one("#explanation", TutorMarkdown).update(self.choice.explanation)
        if message.store_error:
            report_progress_error(self.app, message.store_error)
        self._load_history()

    @on(Input.Submitted, "#choices")
    def _submitted(self) -> None:
        self.action_check()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "solution":
            return False
        return super().check_action(action, parameters)
