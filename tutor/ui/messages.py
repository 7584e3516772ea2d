"""Messages the app's workers and widgets post upwards."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:  # types only: the results' modules are not needed to draw the home screen
    from tutor.core.choice import ChoiceResult
    from tutor.core.curriculum import Curriculum, ItemEntry
    from tutor.core.grading.results import GradeResult
    from tutor.core.progress import AttemptRecord
    from tutor.core.symbolic.results import CheckResult
    from tutor.core.symbolic.service import Preview


class CurriculumLoaded(Message):
    """The curriculum and progress were read (in a worker thread)."""

    def __init__(self, data: Curriculum) -> None:
        super().__init__()
        self.data = data
        """What was read, including anything that went wrong."""


class OpenItem(Message):
    """Open an item's screen (from the tree, the palette, a lesson's links, next/previous)."""

    def __init__(self, entry: ItemEntry, replace: bool = False) -> None:
        super().__init__()
        self.entry = entry
        self.replace = replace
        """Replace the current item screen instead of stacking a new one on it."""


class StepItem(Message):
    """Go to the next (step 1) or previous (step −1) item of the curriculum."""

    def __init__(self, entry: ItemEntry, step: int) -> None:
        super().__init__()
        self.entry = entry
        self.step = step


class PreviewReady(Message):
    """How one part's answer was read (for the "interpreted as" line)."""

    def __init__(self, part_id: str, text: str, preview: Preview) -> None:
        super().__init__()
        self.part_id = part_id
        self.text = text
        """The text that was read; a stale preview (the text changed since) is dropped."""
        self.preview = preview


class DerivationChecked(Message):
    """A derivation was checked; `store_error` says why it could not be recorded, if so."""

    def __init__(self, result: CheckResult, recorded: bool, store_error: str | None) -> None:
        super().__init__()
        self.result = result
        self.recorded = recorded
        self.store_error = store_error


class CodeGraded(Message):
    """Code was graded, or could not be (`problem`), or grading was cancelled (both None)."""

    def __init__(
        self, result: GradeResult | None, problem: str | None, store_error: str | None
    ) -> None:
        super().__init__()
        self.result = result
        self.problem = problem
        self.store_error = store_error


class ChoiceChecked(Message):
    """A concept check was answered."""

    def __init__(self, result: ChoiceResult, store_error: str | None) -> None:
        super().__init__()
        self.result = result
        self.store_error = store_error


class AttemptsLoaded(Message):
    """An item's past attempts were read."""

    def __init__(self, attempts: list[AttemptRecord]) -> None:
        super().__init__()
        self.attempts = attempts
