"""The Textual app: built by `create_app` (tests pass their own workspace), run by `run_app`."""

from __future__ import annotations

from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType

from tutor.core.workspace import Workspace
from tutor.ui.screens.home import HomeScreen


class TutorApp(App[int]):
    """backprop-tutor's terminal app; its screens do the work."""

    CSS_PATH = "styles/app.tcss"
    TITLE = "backprop-tutor"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True),
    ]

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace
        """The packs and progress every screen works with."""

    def on_mount(self) -> None:
        self.push_screen(HomeScreen(self.workspace))


def create_app(workspace: Workspace) -> TutorApp:
    """The app for `workspace`; the caller keeps ownership (and closes the workspace)."""
    return TutorApp(workspace)


def run_app(workspace: Workspace) -> int:
    """Run the app in the terminal until the learner quits; return the exit code."""
    app = create_app(workspace)
    app.run()
    return app.return_code or 0
