"""Small modal screens: a yes/no question and the notation cheat sheet."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tutor.ui.widgets.markdown import TutorMarkdown

NOTATION = """\
| You type | Means |
|---|---|
| `2x`, `2*x`, `2·x`, `2(x+1)` | multiplication (implicit is fine) |
| `x^2`, `x**2`, `x²` | powers |
| `x/y`, `1/(1+e^-z)` | division (brackets group) |
| `exp(x)`, `e^x` | exponential |
| `ln(x)`, `log(x)` | natural logarithm |
| `sqrt(x)`, `√x` | square root |
| `abs(x)`, `\\|x\\|` | absolute value |
| `σ(z)`, `sigma(z)`, `sigmoid(z)` | the logistic sigmoid |
| `σ'(z)` | its derivative σ(z)(1 − σ(z)) |
| `tanh(z)`; `relu(z)`, `softplus(z)` | activations (the last two where the exercise lists them) |
| `yhat`, `ŷ`, `w1`, `w_1` | names from the exercise |
| `1e-3`, `0.5`, `1/2` | numbers (exact) |

Use only the names the exercise defines. Your answer is shown back as it was read
("interpreted as") before you check it.
"""

DIALOG_CSS = """
#dialog {
    width: 70;
    max-width: 100%;
    height: auto;
    max-height: 90%;
    padding: 1 2;
    border: thick $primary;
    background: $surface;
}

#dialog-question {
    margin-bottom: 1;
    text-style: bold;
}

#dialog-buttons {
    height: auto;
    align-horizontal: right;

    & > Button {
        margin-left: 1;
    }
}
"""
"""The box both dialogs draw (each screen scopes it to itself)."""


class ConfirmDialog(ModalScreen[bool]):
    """Asks a yes/no question; dismisses with the answer."""

    DEFAULT_CSS = "ConfirmDialog { align: center middle; }" + DIALOG_CSS

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str, yes: str = "Yes") -> None:
        super().__init__()
        self.question = question
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.question, id="dialog-question", markup=False)
            with Horizontal(id="dialog-buttons"):
                yield Button(f"{self.yes} (y)", variant="warning", id="yes")
                yield Button("No (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        """Answer with a key."""
        self.dismiss(answer)


class NotationSheet(ModalScreen[None]):
    """How to type maths, one key away from any derivation."""

    DEFAULT_CSS = "NotationSheet { align: center middle; }" + DIALOG_CSS

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q", "dismiss", "Close"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog"):
            yield Static("Typing maths", id="dialog-question")
            yield TutorMarkdown(NOTATION)
