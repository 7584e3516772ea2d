"""One part of a derivation: its label, the input, how the answer was read, and the verdict."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from tutor.core.model import DerivationPart
from tutor.core.symbolic.results import PartResult
from tutor.core.symbolic.service import Preview

STATUS_MARKS = {"correct": "✓", "incorrect": "✗", "invalid": "?", "undecided": "~"}
"""How a part's verdict is marked (the CLI uses the same marks)."""


class PartAnswer(Vertical):
    """The answer to one part, with the live "interpreted as" line under it."""

    DEFAULT_CSS = """
    PartAnswer {
        height: auto;
        margin-bottom: 1;
    }
    PartAnswer > Horizontal { height: auto; }
    PartAnswer .part-label { text-style: bold; width: auto; padding-right: 1; }
    PartAnswer Input { width: 1fr; }
    PartAnswer > .part-preview { color: $text-muted; padding-left: 1; }
    PartAnswer > .part-preview.-error { color: $text-warning; }
    PartAnswer > .part-feedback { padding-left: 1; display: none; }
    PartAnswer > .part-feedback.-shown { display: block; }
    PartAnswer > .part-feedback.-correct { color: $text-success; }
    PartAnswer > .part-feedback.-incorrect { color: $text-error; }
    PartAnswer > .part-feedback.-undecided { color: $text-warning; }
    PartAnswer > .part-feedback.-invalid { color: $text-warning; }
    """

    def __init__(self, part: DerivationPart, value: str = "") -> None:
        super().__init__(id=f"part-{part.id}")
        self.part = part
        self._value = value

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Label(f"{self.part.label} =", classes="part-label", markup=False)
            yield Input(
                self._value,
                placeholder="your expression, e.g. 2*b*(1 - a)",
                id=f"input-{self.part.id}",
                compact=True,
            )
        yield Static("", classes="part-preview", markup=False)
        yield Static("", classes="part-feedback", markup=False)

    @property
    def text(self) -> str:
        """What the learner typed."""
        return self.query_one(Input).value

    def show_preview(self, preview: Preview | None) -> None:
        """ "interpreted as …", or why it cannot be read (with a caret under the place)."""
        line = self.query_one(".part-preview", Static)
        if preview is None:
            line.update("")
            line.remove_class("-error")
        elif preview.error is not None:
            line.update(f"cannot read this: {preview.error}{_caret(self.text, preview.position)}")
            line.add_class("-error")
        else:
            line.update(f"interpreted as: {preview.parsed}")
            line.remove_class("-error")

    def show_result(self, result: PartResult | None) -> None:
        """The verdict and feedback for this part (None clears it)."""
        feedback = self.query_one(".part-feedback", Static)
        feedback.set_classes("part-feedback")
        if result is None:
            feedback.update("")
            return
        words = {"correct": "Correct.", "incorrect": "Not right.", "invalid": "Not read."}
        text = f"{STATUS_MARKS[result.status]} {words.get(result.status, 'Undecided.')}"
        if result.feedback:
            text += f" {result.feedback}"
        feedback.update(text)
        feedback.add_class("-shown", f"-{result.status}")
        if result.parsed is not None:
            self.show_preview(Preview(result.parsed))


def _caret(text: str, position: int | None) -> str:
    """A second line pointing at `position` in `text` (inputs are one line)."""
    if position is None or not 0 <= position <= len(text) or len(text) > 60:
        return ""
    return f"\n  {text}\n  {' ' * position}^"
