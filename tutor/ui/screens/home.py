"""The home screen: the curriculum with status marks, and the highlighted item beside it."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Header, Static, Tree

from tutor.core.curriculum import Curriculum, CurriculumEntry, ItemEntry, load_curriculum
from tutor.core.workspace import Workspace
from tutor.ui.messages import CurriculumLoaded, OpenItem
from tutor.ui.store_writes import report_progress_error
from tutor.ui.widgets.curriculum_tree import CurriculumTree
from tutor.ui.widgets.item_panel import ItemPanel


class HomeScreen(Screen[None]):
    """Lists every pack, unit, lesson and exercise with the learner's status."""

    DEFAULT_CSS = """
    #home-messages {
        height: auto;
        max-height: 6;
        padding: 0 1;
        background: $warning-muted;
        color: $text-warning;

        &.-error {
            background: $error-muted;
            color: $text-error;
        }
    }

    #home-body {
        height: 1fr;
    }

    /* Below 100 columns (see HORIZONTAL_BREAKPOINTS) the panel sits under the tree. */
    HomeScreen.-narrow {
        #home-body {
            layout: vertical;
        }

        #curriculum {
            width: 100%;
            height: auto;
            max-height: 50%;
            padding: 0;
            border-right: none;
            border-bottom: solid $foreground 20%;
        }

        #item-panel {
            height: 1fr;  /* what the tree leaves: 100% would reach below the screen */
        }
    }

    #curriculum {
        width: 60;
        overflow-x: hidden;
        min-width: 30;
        height: 100%;
        padding: 0 1 0 0;
        border-right: solid $foreground 20%;

        & > .curriculum--done {
            color: $text-success;
            text-style: bold;
        }

        & > .curriculum--in-progress {
            color: $text-warning;
            text-style: bold;
        }

        & > .curriculum--not-started {
            color: $text-muted;
        }

        & > .curriculum--unknown {
            color: $text-error;
        }

        & > .curriculum--kind {
            color: $text-muted;
            text-style: italic;
        }

        & > .curriculum--count {
            color: $text-accent;
        }
    }

    #item-panel {
        width: 1fr;
        height: 100%;
        padding: 0 1;

        &:focus {
            background-tint: $foreground 4%;
        }
    }

    #item-text {
        margin: 0;
        padding: 0;
    }
    """

    SUB_TITLE = "curriculum"
    AUTO_FOCUS = "#curriculum"
    # Titles are long: below 100 columns the text goes under the tree instead of beside it.
    HORIZONTAL_BREAKPOINTS = [  # noqa: RUF012 (Textual types it as an instance variable)
        (0, "-narrow"),
        (100, "-wide"),
    ]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "continue", "Continue"),
        Binding("p", "progress", "Progress"),
        Binding("escape", "focus_tree", "Back to the list"),
    ]

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self._workspace = workspace
        # The breakpoint class the first resize would add: added then, it restyles everything.
        width = self.app.size.width
        wide = next(c for w, c in reversed(self.HORIZONTAL_BREAKPOINTS) if width >= w)
        self.add_class(wide, update=False)

    def compose(self) -> ComposeResult:
        yield Header()
        # The problems line (#home-messages) goes above the body only when there are some.
        with Horizontal(id="home-body"):
            yield CurriculumTree(id="curriculum")
            yield ItemPanel(id="item-panel")
        yield Footer(compact=True)

    _data: Curriculum | None = None
    """The curriculum shown, once read."""
    _stale = False
    """Another screen was on top: progress may have changed."""

    def on_mount(self) -> None:
        workspace = self._workspace
        if workspace.catalog_if_cached() is not None and workspace.store_if_free() is not None:
            # The usual start: packs from the cache and one SQLite query take a few ms, so the
            # first frame has them (a worker thread would cost more than that in handoffs).
            data = load_curriculum(self._workspace)
            self._show(data)
            self.app.post_message(CurriculumLoaded(data))  # for the palette and next/previous
        else:
            self._load()

    def on_screen_suspend(self) -> None:
        self._stale = True

    def on_screen_resume(self) -> None:
        """Back from an item or the progress screen: show what changed."""
        if self._stale and self._data is not None:
            self._load()

    @work(thread=True, exclusive=True, group="home-load")
    def _load(self) -> None:
        data = load_curriculum(self._workspace)
        _ = self._workspace.learner_key  # read (or created) here, off the UI thread
        self.post_message(CurriculumLoaded(data))

    @on(CurriculumLoaded)
    def _loaded(self, message: CurriculumLoaded) -> None:
        first = self._data is None
        self._show(message.data)  # the message goes on to the app
        if first:
            # "Continue" needs the data. (Shown in `on_mount`, the data is there before the
            # footer first reads the bindings: another reading would draw it twice more.)
            self.refresh_bindings()

    def _show(self, data: Curriculum) -> None:
        first = self._data is None
        self._data = data
        panel = self.query_one(ItemPanel)
        panel.learner_key = self._workspace.learner_key
        if first:
            self._show_messages(data)
            self.query_one(CurriculumTree).show(data)
            # The start item now, not once the tree has moved its cursor there (a frame later).
            panel.show(data.start_item() or data.start_unit())
        else:
            self.query_one(CurriculumTree).refresh_progress(data)

    def _show_messages(self, data: Curriculum) -> None:
        """Problems stay on screen (one line each); notices also pop up once."""
        lines = [f"Progress is not available: {data.store_error}"] if data.store_error else []
        lines += [f"Skipped a broken pack: {problem}" for problem in data.problems]
        if lines:
            error = "-error" if data.store_error else ""
            messages = Static("\n".join(lines), id="home-messages", classes=error, markup=False)
            self.mount(messages, before="#home-body")
        if data.store_error:
            report_progress_error(self.app, data.store_error)
        if data.problems:
            count = len(data.problems)
            summary = f"{count} problem{'' if count == 1 else 's'} in packs; see the top line."
            self.notify(summary, title="Packs", severity="warning", markup=False)
        for notice in data.notices:
            self.notify(notice, title="Progress", severity="warning", markup=False, timeout=20)

    @on(Tree.NodeHighlighted, "#curriculum")
    def _show_highlighted(self, event: Tree.NodeHighlighted[CurriculumEntry]) -> None:
        if event.node is event.control.cursor_node:  # else stale: the cursor has moved on
            self.query_one(ItemPanel).show(event.node.data)

    @on(Tree.NodeSelected, "#curriculum")
    def _open_item(self, event: Tree.NodeSelected[CurriculumEntry]) -> None:
        """Enter on an item opens its screen."""
        entry = event.node.data
        if isinstance(entry, ItemEntry):
            self.post_message(OpenItem(entry))

    def action_continue(self) -> None:
        """Open the item the learner stopped at (or the next one not done)."""
        entry = None if self._data is None else self._data.continue_item()
        if entry is not None:
            self.post_message(OpenItem(entry))

    def action_progress(self) -> None:
        """Show completion, attempts, hints and time per unit."""
        from tutor.ui.screens.progress import ProgressScreen

        self.app.push_screen(ProgressScreen(self._workspace))

    def action_focus_tree(self) -> None:
        """Return from the text to the list."""
        self.query_one(CurriculumTree).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer "back to the list" only while the list is not focused."""
        if action == "focus_tree":
            return not isinstance(self.focused, CurriculumTree)
        if action == "continue":
            return self._data is not None and bool(self._data.items())
        return True
