"""What grading said about the learner's code: per-gradient table, diagnosis, output."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from tutor.core.grading.results import GradeResult, GradientResult

HEADLINES = {
    "passed": "✓ Passed: every gradient matches the numerical gradient.",
    "failed": "✗ Not yet: some gradient is wrong.",
    "error": "✗ Your code raised an error.",
    "timeout": "✗ Your code ran too long and was stopped.",
    "memory": "✗ Your code ran out of memory.",
    "output-limit": "✗ Your code printed or wrote too much.",
    "crashed": "✗ Your code's process crashed.",
    "bad-output": "✗ Your function did not return the arrays asked for.",
}


class GradeReport(Static):
    """Empty until the first check; then the whole verdict, scrollable by its container."""

    DEFAULT_CSS = """
    GradeReport { height: auto; }
    """

    def __init__(self) -> None:
        super().__init__("Run the checks with ctrl+r to see the verdict here.", id="grade-report")
        self.result: GradeResult | None = None

    def show(self, result: GradeResult) -> None:
        """Render `result`."""
        self.result = result
        self.update(render_grade(result))

    def show_problem(self, text: str) -> None:
        """Grading did not happen (a broken exercise, the grader failed, cancelled)."""
        self.result = None
        self.update(Text(text, style="bold"))


def render_grade(result: GradeResult) -> RenderableType:
    """The verdict as Rich renderables (the order a learner reads it in)."""
    style = "bold green" if result.passed else "bold red"
    parts: list[RenderableType] = [Text(HEADLINES.get(result.status, result.status), style=style)]
    if result.diagnosis:
        parts.append(Text(result.diagnosis))
    if result.gradients:
        parts.append(_gradient_table(result.gradients))
        for gradient in result.gradients:
            parts.extend(_gradient_details(gradient))
    if result.error:
        parts += [Text("\nTraceback (your code):", style="bold"), Text(result.error.rstrip())]
    if result.stdout:
        note = " (truncated)" if result.stdout_truncated else ""
        parts += [Text(f"\nYour code printed{note}:", style="bold"), Text(result.stdout.rstrip())]
    return Group(*parts)


def _gradient_table(gradients: tuple[GradientResult, ...]) -> Table:
    table = Table(box=None, padding=(0, 1), show_edge=False, header_style="bold")
    for column in ("", "gradient", "expected", "got", "rel. error"):
        table.add_column(column)
    for gradient in gradients:
        got = "—" if gradient.got_shape is None else str(gradient.got_shape)
        error = "—" if gradient.relative_error is None else f"{gradient.relative_error:.1e}"
        mark = Text("✓", style="green") if gradient.passed else Text("✗", style="red")
        table.add_row(mark, f"d{gradient.name}", str(gradient.expected_shape), got, error)
    return table


def _gradient_details(gradient: GradientResult) -> list[RenderableType]:
    details: list[RenderableType] = []
    if gradient.message:
        details.append(Text(f"d{gradient.name}: {gradient.message}"))
    if gradient.mismatch_map:
        details.append(Text(gradient.mismatch_map))
    return details
