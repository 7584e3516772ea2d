"""What the exercise screens share: hints, the solution, attempt history, a busy state."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.binding import Binding, BindingType
from textual.widgets import Button, Static

from tutor.core.datadir import DataDirError
from tutor.core.progress import StoreError
from tutor.ui.messages import AttemptsLoaded
from tutor.ui.screens.dialogs import ConfirmDialog
from tutor.ui.screens.item_screen import ItemScreen
from tutor.ui.store_writes import write_progress
from tutor.ui.widgets.attempt_history import AttemptHistory
from tutor.ui.widgets.hints import HintsPanel

SOLUTION_QUESTION = (
    "Show the worked solution? It stays recorded that you looked "
    "(you can still solve the exercise)."
)


class ExerciseScreen(ItemScreen):
    """Base of the derivation, code and concept-check screens."""

    DEFAULT_CSS = """
    #exercise-body {
        height: 1fr;
        padding: 0 1;
    }

    #actions {
        height: auto;
        margin: 0 0 1 0;

        & > Button {
            margin-right: 1;
        }
    }

    #status {
        height: auto;
        color: $text-muted;

        &.-busy {
            color: $text-warning;
            text-style: bold;
        }

        &.-correct {
            color: $text-success;
            text-style: bold;
        }

        &.-incorrect {
            color: $text-error;
            text-style: bold;
        }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "check", "Check"),
        Binding("ctrl+t", "hint", "Hint"),
        Binding("ctrl+g", "solution", "Solution"),
    ]

    _busy = False

    @property
    def busy(self) -> bool:
        return self._busy

    def set_busy(self, busy: bool, text: str = "") -> None:
        """Show (or clear) the busy line and disable checking while a check runs."""
        self._busy = busy
        status = self.query_one("#status", Static)
        status.update(text)
        status.set_class(busy, "-busy")
        for button in self.query("#check-button").results(Button):
            button.disabled = busy
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Checking twice at once is not offered; hints and solution only when there are some."""
        if action == "check":
            return not self._busy
        if action == "hint":
            hints = self.query(HintsPanel)
            return bool(hints) and hints.first().has_more
        if action == "solution":
            hints = self.query(HintsPanel)
            return bool(hints) and hints.first().can_show_solution
        return True

    def on_mount(self) -> None:
        self._load_history()

    @work(thread=True, exclusive=True, group="history")
    def _load_history(self) -> None:
        try:
            store = self.workspace.store
            attempts = store.attempts(self.pack_id, self.item_id)
            revealed = len(store.revealed_hints(self.pack_id, self.item_id))
        except (DataDirError, StoreError):
            attempts, revealed = [], 0
        self.app.call_from_thread(self.query_one(HintsPanel).reveal, revealed)
        self.post_message(AttemptsLoaded(attempts))

    @on(AttemptsLoaded)
    def _show_history(self, message: AttemptsLoaded) -> None:
        self.query_one(AttemptHistory).show(message.attempts)
        self.refresh_bindings()

    def action_hint(self) -> None:
        """Reveal the next hint (and record that it was used)."""
        hints = self.query_one(HintsPanel)
        if not hints.has_more:
            self.notify("No more hints.", timeout=3)
            return
        index = hints.revealed
        hints.reveal(index + 1)
        self.call_after_refresh(hints.scroll_visible)  # once the new lines are laid out
        write_progress(
            self.app, self.workspace, lambda s: s.use_hint(self.pack_id, self.item_id, index)
        )
        self.refresh_bindings()

    def action_solution(self) -> None:
        """Ask first; then show the worked solution and record that it was viewed."""

        async def answered(show: bool | None) -> None:
            if not show:
                return
            hints = self.query_one(HintsPanel)
            await hints.show_solution()
            self.call_after_refresh(hints.scroll_visible)
            write_progress(
                self.app,
                self.workspace,
                lambda s: s.mark_solution_viewed(self.pack_id, self.item_id),
            )
            self.refresh_bindings()

        self.app.push_screen(ConfirmDialog(SOLUTION_QUESTION, yes="Show it"), answered)

    @on(Button.Pressed, "#check-button")
    async def _check_pressed(self) -> None:
        await self.run_action("check")  # each exercise screen has its own action_check

    @on(Button.Pressed, "#hint-button")
    def _hint_pressed(self) -> None:
        self.action_hint()

    @on(Button.Pressed, "#solution-button")
    def _solution_pressed(self) -> None:
        self.action_solution()
