"""A derivation: definitions, one input per part with a live preview, checking, feedback."""

from __future__ import annotations

import json
import time
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.timer import Timer
from textual.widgets import Button, Footer, Header, Input, Static

from tutor.core.attempts import derivation_attempt
from tutor.core.datadir import DataDirError
from tutor.core.model import DerivationExercise
from tutor.core.progress import StoreError
from tutor.core.symbolic.results import CheckResult
from tutor.core.variants import choose_variant, with_variant
from tutor.ui.messages import DerivationChecked, PreviewReady
from tutor.ui.screens.dialogs import NotationSheet
from tutor.ui.screens.exercise_screen import ExerciseScreen
from tutor.ui.store_writes import report_progress_error, write_progress
from tutor.ui.widgets.attempt_history import AttemptHistory
from tutor.ui.widgets.hints import HintsPanel
from tutor.ui.widgets.markdown import TutorMarkdown
from tutor.ui.widgets.part_answer import PartAnswer

PREVIEW_DELAY_S = 0.3
"""Typing pauses this long before the answer is read back (one request per pause)."""
DRAFT_DELAY_S = 1.0


class DerivationScreen(ExerciseScreen):
    """The learner types each derivative; the checker (in its own process) grades them."""

    DEFAULT_CSS = """
    #definitions {
        color: $text-accent;
        margin-bottom: 1;
    }
    """

    AUTO_FOCUS = "Input"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "notation", "Notation"),
    ]

    def compose(self) -> ComposeResult:
        exercise = self.derivation
        yield Header()
        with VerticalScroll(id="exercise-body"):
            yield TutorMarkdown(exercise.prompt, id="prompt")
            yield Static(definitions(exercise), id="definitions", markup=False)
            for part in exercise.parts:
                yield PartAnswer(part)
            with Horizontal(id="actions"):
                yield Button("Check ^r", id="check-button", variant="primary", compact=True)
                yield Button("Hint ^t", id="hint-button", compact=True)
                yield Button("Solution ^g", id="solution-button", compact=True)
                yield Button("Notation F1", id="notation-button", compact=True)
            yield Static("", id="status", markup=False)
            yield HintsPanel(exercise.hints, exercise.solution)
            yield AttemptHistory()
        yield Footer(compact=True)

    @property
    def derivation(self) -> DerivationExercise:
        """The exercise with this learner's variant filled in."""
        item = self.entry.item
        assert isinstance(item, DerivationExercise)
        return with_variant(item, choose_variant(item, self.workspace.learner_key))

    def on_mount(self) -> None:
        self._preview_timers: dict[str, Timer] = {}
        self._draft_timer: Timer | None = None
        self._started = time.monotonic()
        self._load_draft()

    @work(thread=True, group="draft")
    def _load_draft(self) -> None:
        try:
            draft = self.workspace.store.draft(self.pack_id, self.item_id)
            answers = json.loads(draft) if draft else {}
        except (DataDirError, StoreError, ValueError):
            return
        if isinstance(answers, dict):
            self.app.call_from_thread(self._fill, answers)

    def _fill(self, answers: dict[str, object]) -> None:
        for widget in self.query(PartAnswer):
            value = answers.get(widget.part.id)
            field = widget.query_one(Input)
            if isinstance(value, str) and not field.value:
                field.value = value

    # -- typing

    @on(Input.Changed)
    def _answer_changed(self, event: Input.Changed) -> None:
        part = _part_of(event.input)
        if part is None:
            return
        part.show_result(None)
        if old := self._preview_timers.get(part.part.id):
            old.stop()
        if not event.value.strip():
            part.show_preview(None)
        else:
            self._preview_timers[part.part.id] = self.set_timer(
                PREVIEW_DELAY_S, lambda: self._read_back(part.part.id, event.value)
            )
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(DRAFT_DELAY_S, self._save_draft)

    def _read_back(self, part_id: str, text: str) -> None:
        self._preview(part_id, text)

    @work(thread=True, group="preview")
    def _preview(self, part_id: str, text: str) -> None:
        preview = self.services.checker.preview(self.derivation, text, self.workspace.learner_key)
        self.post_message(PreviewReady(part_id, text, preview))

    @on(PreviewReady)
    def _show_preview(self, message: PreviewReady) -> None:
        part = self.query_one(f"#part-{message.part_id}", PartAnswer)
        if message.preview.error == "cancelled":  # the learner cancelled a check
            return
        if part.text == message.text:  # otherwise a newer preview is on its way
            part.show_preview(message.preview)

    def _save_draft(self) -> None:
        answers = self.answers()
        text = json.dumps(answers, ensure_ascii=False)
        write_progress(
            self.app, self.workspace, lambda s: s.save_draft(self.pack_id, self.item_id, text)
        )

    def answers(self) -> dict[str, str]:
        """What is typed in each part, by part id."""
        return {widget.part.id: widget.text for widget in self.query(PartAnswer)}

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        """Enter moves to the next empty part; in the last one (or all filled), it checks."""
        inputs = list(self.query(Input))
        empty = [field for field in inputs if not field.value.strip()]
        if empty and event.input is not inputs[-1]:
            inputs[inputs.index(event.input) + 1].focus()
        else:
            self.action_check()

    # -- checking

    def action_check(self) -> None:
        answers = {k: v for k, v in self.answers().items() if v.strip()}
        if not answers:
            self.notify("Type an answer first.", timeout=3)
            return
        self.set_busy(True, "Checking…  (esc cancels)")
        self._check(answers)

    @work(thread=True, exclusive=True, group="check")
    def _check(self, answers: dict[str, str]) -> None:
        started = time.perf_counter()
        exercise = self.entry.item
        assert isinstance(exercise, DerivationExercise)
        result = self.services.checker.check(exercise, answers, self.workspace.learner_key)
        duration = time.perf_counter() - started
        recorded, store_error = False, None
        if _countable(result):
            try:
                attempt = derivation_attempt(self.entry.pack, exercise, answers, result, duration)
                self.workspace.store.record_attempt(attempt)
                self.workspace.store.save_draft(
                    self.pack_id, self.item_id, json.dumps(answers, ensure_ascii=False)
                )
                recorded = True
            except (DataDirError, StoreError) as error:
                store_error = str(error)
        self.post_message(DerivationChecked(result, recorded, store_error))

    def cancel(self) -> None:
        self.services.checker.cancel()

    @on(DerivationChecked)
    def _show_result(self, message: DerivationChecked) -> None:
        result = message.result
        by_part = {part.part_id: part for part in result.parts}
        for widget in self.query(PartAnswer):
            widget.show_result(by_part.get(widget.part.id))
        self.set_busy(False, _summary(result, message.recorded))
        if message.store_error:
            report_progress_error(self.app, message.store_error)
        if message.recorded:
            self._load_history()
        if result.correct:
            self.notify("All parts correct. ctrl+n moves on.", title="Solved", timeout=5)

    def action_notation(self) -> None:
        """Show how to type maths."""
        self.app.push_screen(NotationSheet())

    @on(Button.Pressed, "#notation-button")
    def _notation_pressed(self) -> None:
        self.action_notation()


def definitions(exercise: DerivationExercise) -> str:
    """What the learner may use: the variables (with their domains) and the named steps."""
    variables = ", ".join(
        v.name if v.domain == "real" else f"{v.name} ({v.domain})" for v in exercise.variables
    )
    lines = [f"Variables: {variables}"] if variables else []
    lines += [f"  {name} = {expression}" for name, expression in exercise.intermediates]
    lines += [f"  {name} = {expression}" for name, expression in exercise.constraints]
    if exercise.functions:
        lines.append(f"Functions: {', '.join(exercise.functions)}")
    return "\n".join(lines)


def _part_of(field: Input) -> PartAnswer | None:
    return next((node for node in field.ancestors if isinstance(node, PartAnswer)), None)


def _countable(result: CheckResult) -> bool:
    """Unreadable or cancelled answers are not attempts."""
    if result.invalid:
        return False
    return not any(part.mistake == "cancelled" for part in result.parts)


def _summary(result: CheckResult, recorded: bool) -> str:
    if any(part.mistake == "cancelled" for part in result.parts):
        return "Cancelled; nothing was recorded."
    if result.invalid:
        return "Some answer could not be read, so this was not counted. Fix it and check again."
    right = sum(part.correct for part in result.parts)
    text = f"{right} of {len(result.parts)} parts correct."
    return text if recorded else f"{text} (not recorded)"
