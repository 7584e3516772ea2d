"""The Textual app: built by `create_app` (tests pass their own workspace), run by `run_app`."""

from __future__ import annotations

import gc
import importlib
from typing import TYPE_CHECKING, ClassVar

from rich.console import RenderableType
from textual import on, work
from textual.app import App
from textual.binding import Binding, BindingType

from tutor.core.curriculum import Curriculum, ItemEntry
from tutor.core.workspace import Workspace
from tutor.ui.commands import ItemCommands
from tutor.ui.messages import CurriculumLoaded, OpenItem, StepItem
from tutor.ui.screens.home import HomeScreen
from tutor.ui.services import Services

if TYPE_CHECKING:  # imported with the first item's screen: home does not need it
    from tutor.ui.screens.item_screen import ItemScreen

SCREENS_BY_KIND = {
    "lesson": ("tutor.ui.screens.lesson", "LessonScreen"),
    "derivation": ("tutor.ui.screens.derivation", "DerivationScreen"),
    "code": ("tutor.ui.screens.code", "CodeScreen"),
    "choice": ("tutor.ui.screens.choice", "ChoiceScreen"),
}
"""Imported when first opened: the editor and its highlighting are not needed for home."""
WARM_UP_DELAY_S = 0.5
"""From the first full frame to starting the workers."""


def screen_class(kind: str) -> type[ItemScreen]:
    """The screen class for an item kind."""
    module, name = SCREENS_BY_KIND[kind]
    screen: type[ItemScreen] = getattr(importlib.import_module(module), name)
    return screen


class TutorApp(App[int]):
    """backprop-tutor's terminal app; its screens do the work."""

    TITLE = "backprop-tutor"
    COMMANDS = App.COMMANDS | {ItemCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True),
    ]

    def __init__(self, workspace: Workspace, services: Services | None = None) -> None:
        super().__init__()
        self.workspace = workspace
        """The packs and progress every screen works with."""
        self.services = services if services is not None else Services()
        """The checker and grader processes."""
        self._owns_services = services is None
        self.curriculum: Curriculum | None = None
        """The curriculum as last read (for the palette and next/previous)."""

    def get_default_screen(self) -> HomeScreen:
        """The home screen is the bottom of the stack (one screen to start, not two)."""
        return HomeScreen(self.workspace)

    @work(thread=True, group="warm-up", exit_on_error=False)
    def _warm_up(self) -> None:
        # The item screens' code (the editor, Markdown, highlighting) is read now, while the
        # learner looks at the home screen, rather than when they open their first item.
        for kind in SCREENS_BY_KIND:
            screen_class(kind)
        gc.freeze()  # what that built lasts as long as the app, like start-up's objects
        self.services.warm_up()

    def exit(
        self, result: int | None = None, return_code: int = 0, message: RenderableType | None = None
    ) -> None:
        """Stop the workers first: a warm-up still waiting on them would delay the exit."""
        if self._owns_services:
            self.services.close()
        super().exit(result, return_code, message)

    @on(CurriculumLoaded)
    def _remember(self, message: CurriculumLoaded) -> None:
        if self.curriculum is None:  # the home screen is drawn with it
            self.call_after_refresh(self._settle)
        self.curriculum = message.data

    def _settle(self) -> None:
        """After the first full frame: what start-up built stays, so the collector need not
        rescan it on every full collection (those took 200–400 ms when opening a screen);
        and collect again if `main` paused the collector for start-up."""
        gc.freeze()
        gc.enable()
        # Starting the workers (two Python processes importing SymPy and NumPy) would take
        # the CPU the terminal needs to show the first frame; nobody checks an answer sooner.
        self.set_timer(WARM_UP_DELAY_S, self._warm_up)

    @on(OpenItem)
    def _open(self, message: OpenItem) -> None:
        self.open_item(message.entry, replace=message.replace)

    @on(StepItem)
    def _step(self, message: StepItem) -> None:
        target = (
            None
            if self.curriculum is None
            else self.curriculum.neighbour(message.entry, message.step)
        )
        if target is None:
            word = "last" if message.step > 0 else "first"
            self.notify(f"This is the {word} item.", timeout=3)
        else:
            self.open_item(target, replace=True)

    def open_item(self, entry: ItemEntry, replace: bool = False) -> None:
        """Show `entry`'s screen, on top of the curriculum (or instead of the current item)."""
        unit = None if self.curriculum is None else self.curriculum.unit_of(entry)
        if unit is None:
            return
        screen = screen_class(entry.item.kind)(entry, unit, self.workspace, self.services)
        from tutor.ui.screens.item_screen import ItemScreen  # loaded by `screen_class`

        if replace and isinstance(self.screen, ItemScreen):
            self.switch_screen(screen)
        else:
            self.push_screen(screen)


def create_app(workspace: Workspace, services: Services | None = None) -> TutorApp:
    """The app for `workspace`; the caller keeps ownership (and closes the workspace)."""
    return TutorApp(workspace, services)


def run_app(workspace: Workspace) -> int:
    """Run the app in the terminal until the learner quits; return the exit code."""
    app = create_app(workspace)
    try:
        app.run()
    finally:
        app.services.close()
    return app.return_code or 0
