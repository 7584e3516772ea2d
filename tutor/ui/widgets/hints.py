"""Hints revealed one at a time, and the worked solution once the learner asks for it."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from tutor.ui.widgets.markdown import TutorMarkdown


class HintsPanel(Vertical):
    """Shows the hints revealed so far and, if viewed, the solution."""

    DEFAULT_CSS = """
    HintsPanel { height: auto; }
    HintsPanel > #hints-text { display: none; color: $text-accent; }
    HintsPanel > #hints-text.-shown { display: block; }
    HintsPanel > #solution-title { display: none; text-style: bold; margin-top: 1; }
    HintsPanel > #solution-title.-shown { display: block; }
    HintsPanel > #solution-text { display: none; }
    HintsPanel > #solution-text.-shown { display: block; }
    """

    def __init__(self, hints: Sequence[str], solution: str) -> None:
        super().__init__(id="hints")
        self.hints = tuple(hints)
        self.solution = solution
        self.revealed = 0
        """How many hints are on screen."""
        self.solution_shown = False

    def compose(self) -> ComposeResult:
        yield Static("", id="hints-text", markup=False)
        yield Static("Worked solution", id="solution-title")
        yield TutorMarkdown("", id="solution-text")

    @property
    def has_more(self) -> bool:
        """Whether another hint can be revealed."""
        return self.revealed < len(self.hints)

    @property
    def can_show_solution(self) -> bool:
        """Whether there is a solution not yet on screen."""
        return bool(self.solution.strip()) and not self.solution_shown

    def reveal(self, count: int) -> None:
        """Show the first `count` hints."""
        self.revealed = min(count, len(self.hints))
        lines = [
            f"Hint {n}/{len(self.hints)}: {hint}"
            for n, hint in enumerate(self.hints[: self.revealed], start=1)
        ]
        text = self.query_one("#hints-text", Static)
        text.update("\n".join(lines))
        text.set_class(bool(lines), "-shown")

    async def show_solution(self) -> None:
        """Show the worked solution."""
        self.solution_shown = True
        await self.query_one("#solution-text", TutorMarkdown).update(self.solution)
        for widget in self.query("#solution-title, #solution-text"):
            widget.add_class("-shown")
