"""Messages the app's workers and widgets post upwards."""

from __future__ import annotations

from textual.message import Message

from tutor.core.curriculum import Curriculum


class CurriculumLoaded(Message):
    """The curriculum and progress were read (in a worker thread)."""

    def __init__(self, data: Curriculum) -> None:
        super().__init__()
        self.data = data
        """What was read, including anything that went wrong."""
