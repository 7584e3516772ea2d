"""A code exercise: an editor, checks with one key, the verdict, $EDITOR and watch mode."""

from __future__ import annotations

import contextlib
import os
import shlex
import subprocess
import time
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.timer import Timer
from textual.widgets import (
    Button,
    Footer,
    Header,
    Static,
    TabbedContent,
    TabPane,
    TextArea,
)

from tutor.core.attempts import code_attempt
from tutor.core.datadir import DataDirError
from tutor.core.grading.service import GradingUnavailable
from tutor.core.model import CodeExercise
from tutor.core.progress import StoreError
from tutor.core.worker_process import WorkerCancelled
from tutor.core.workfiles import (
    WorkFileError,
    modified_ns,
    read_work_file,
    work_file,
    write_work_file,
)
from tutor.ui.messages import CodeGraded
from tutor.ui.screens.exercise_screen import ExerciseScreen
from tutor.ui.store_writes import report_progress_error
from tutor.ui.widgets.attempt_history import AttemptHistory
from tutor.ui.widgets.grade_report import GradeReport
from tutor.ui.widgets.hints import HintsPanel
from tutor.ui.widgets.item_panel import item_text
from tutor.ui.widgets.markdown import TutorMarkdown

DRAFT_DELAY_S = 0.5
"""Typing pauses this long before the draft is saved (and mirrored to the working file)."""
WATCH_INTERVAL_S = 0.5


class CodeScreen(ExerciseScreen):
    """The learner writes `backward()`; the grader (its own process) runs it in the sandbox."""

    DEFAULT_CSS = """
    #code-body {
        height: 1fr;
    }

    #editor-column {
        width: 1fr;
        height: 100%;
    }

    #signature {
        color: $text-accent;
        padding: 0 1;
    }

    #editor {
        height: 1fr;
    }

    #side {
        width: 1fr;
        height: 100%;
    }

    #results, #side VerticalScroll {
        padding: 0 1;
    }

    CodeScreen.-narrow {
        #code-body {
            layout: vertical;
        }

        #editor-column {
            width: 100%;
            height: 3fr;
        }

        #side {
            width: 100%;
            height: 2fr;
        }

        #actions {
            margin: 0;
        }
    }
    """

    AUTO_FOCUS = "#editor"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]  # noqa: RUF012
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "check", "Run"),
        Binding("ctrl+o", "open_editor", "Editor"),
        Binding("ctrl+f", "toggle_watch", "Watch"),
        # Ahead of the editor, which would take escape only to leave itself.
        Binding("escape", "escape", "Back", priority=True),
    ]

    def compose(self) -> ComposeResult:
        exercise = self.code_exercise
        yield Header()
        with Horizontal(id="code-body"):
            with Vertical(id="editor-column"):
                yield Static(f"def {exercise.signature}", id="signature", markup=False)
                # The language is set once the code is in: highlighting compiles per load.
                yield TextArea.code_editor("", id="editor")
                with Horizontal(id="actions"):
                    yield Button(
                        "Run checks ^r", id="check-button", variant="primary", compact=True
                    )
                    yield Button("Hint ^t", id="hint-button", compact=True)
                    yield Button("Solution ^g", id="solution-button", compact=True)
                    yield Button("Watch ^f", id="watch-button", compact=True)
                yield Static("", id="status", markup=False)
            with TabbedContent(id="side", initial="task-tab"):
                with TabPane("Task", id="task-tab"), VerticalScroll():
                    yield TutorMarkdown(item_text(exercise), id="prompt")
                    yield HintsPanel(exercise.hints, exercise.solution)
                    yield AttemptHistory()
                with TabPane("Results", id="results-tab"), VerticalScroll(id="results"):
                    yield GradeReport()
        yield Footer(compact=True)

    @property
    def code_exercise(self) -> CodeExercise:
        item = self.entry.item
        assert isinstance(item, CodeExercise)
        return item

    @property
    def path(self) -> Path:
        """The working file mirrored from the editor."""
        return work_file(self.workspace.data_dir, self.pack_id, self.item_id)

    @property
    def editor(self) -> TextArea:
        return self.query_one("#editor", TextArea)

    def on_mount(self) -> None:
        self._draft_timer: Timer | None = None
        self._watch_timer: Timer | None = None
        self._known_mtime: int | None = None
        self._loaded = False
        self._latest_code: str | None = None
        self._load_code()

    # -- the code: draft, working file, starter

    @work(thread=True, group="load-code")
    def _load_code(self) -> None:
        draft = None
        with contextlib.suppress(DataDirError, StoreError):
            draft = self.workspace.store.draft(self.pack_id, self.item_id)
        code, note = draft or self.code_exercise.starter_code(), None
        self._known_mtime = modified_ns(self.path)
        if self._known_mtime is not None:
            with contextlib.suppress(WorkFileError):
                on_disk = read_work_file(self.path)
                if on_disk != code:
                    code, note = on_disk, f"Loaded {self.path}: it changed outside the app."
        self.app.call_from_thread(self._show_code, code, note)

    def _show_code(self, code: str, note: str | None) -> None:
        self.editor.load_text(code)
        self.editor.language = "python"
        self._loaded = True
        self._status_idle()
        if note:
            self.notify(note, title="Your file", markup=False)
        self._save_draft()

    @on(TextArea.Changed, "#editor")
    def _code_changed(self) -> None:
        if not self._loaded:
            return
        # Kept here: when the app quits, the editor is gone before this screen unmounts.
        self._latest_code = self.editor.text
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(DRAFT_DELAY_S, self._save_draft)

    def _save_draft(self) -> None:
        self._write_code(self.editor.text)

    @work(thread=True, exclusive=True, group="draft")
    def _write_code(self, code: str) -> None:
        try:
            self.workspace.store.save_draft(self.pack_id, self.item_id, code)
        except (DataDirError, StoreError) as error:
            self.app.call_from_thread(report_progress_error, self.app, str(error))
        self._mirror(code)

    def _mirror(self, code: str) -> None:
        """Copy `code` to the working file, unless it was saved from outside since our last
        write (watch mode picks that save up; overwriting it would lose it)."""
        if modified_ns(self.path) not in (None, self._known_mtime):
            return
        with contextlib.suppress(WorkFileError):
            self._known_mtime = write_work_file(self.path, code)

    def on_unmount(self) -> None:
        # Synchronous, so quitting right after typing loses nothing.
        if self._latest_code is not None:
            with contextlib.suppress(DataDirError, StoreError):
                self.workspace.store.save_draft(self.pack_id, self.item_id, self._latest_code)
            self._mirror(self._latest_code)

    # -- checking

    def action_check(self) -> None:
        code = self.editor.text
        self.set_busy(True, "Running your code in the sandbox…  (esc cancels)")
        self._grade(code)

    @work(thread=True, exclusive=True, group="grade")
    def _grade(self, code: str) -> None:
        started = time.perf_counter()
        try:
            result = self.services.grader.grade(self.code_exercise, self.entry.pack.root, code)
        except WorkerCancelled:
            self.post_message(CodeGraded(None, None, None))
            return
        except GradingUnavailable as problem:
            self.post_message(CodeGraded(None, f"Could not grade: {problem}", None))
            return
        duration = time.perf_counter() - started
        store_error = None
        try:
            attempt = code_attempt(self.entry.pack, self.code_exercise, code, result, duration)
            self.workspace.store.record_attempt(attempt)
            self.workspace.store.save_draft(self.pack_id, self.item_id, code)
        except (DataDirError, StoreError) as error:
            store_error = str(error)
        self.post_message(CodeGraded(result, None, store_error))

    def cancel(self) -> None:
        self.services.grader.cancel()

    def action_escape(self) -> None:
        """Cancel running code (even from inside the editor); else leave the editor; else
        go back to the curriculum."""
        if self.busy:
            self.cancel()
        elif self.focused is self.editor:
            self.focus_next()
        else:
            self.action_back()

    @on(CodeGraded)
    def _show_grade(self, message: CodeGraded) -> None:
        report = self.query_one(GradeReport)
        if message.result is not None:
            report.show(message.result)
            self._load_history()
            if message.result.passed:
                self.notify("Every gradient matches. ctrl+n moves on.", title="Passed")
        else:
            report.show_problem(message.problem or "Cancelled; nothing was recorded.")
        if message.store_error:
            report_progress_error(self.app, message.store_error)
        self.query_one(TabbedContent).active = "results-tab"
        self.set_busy(False)
        self._status_idle()

    def _status_idle(self) -> None:
        watching = f"watching {self.path}" if self._watch_timer else f"file: {self.path}"
        self.query_one("#status", Static).update(watching)

    # -- your own editor

    def action_open_editor(self) -> None:
        """Suspend the app, edit the working file in $VISUAL/$EDITOR, then reload it."""
        command = os.environ.get("VISUAL") or os.environ.get("EDITOR")
        if not command:
            self.notify(
                f"Set $EDITOR (e.g. export EDITOR=nano), or open {self.path} in any editor "
                "and turn on watch mode (ctrl+f).",
                title="No editor set",
                severity="warning",
                markup=False,
                timeout=10,
            )
            return
        try:
            argv = [*shlex.split(command), str(self.path)]
        except ValueError as error:  # unbalanced quotes in $EDITOR
            self.notify(f"Cannot read $EDITOR {command!r}: {error}", severity="error")
            return
        try:
            self._mirror(self.editor.text)
            with self.app.suspend():
                subprocess.run(argv, check=False)
        except (OSError, WorkFileError) as error:
            self.notify(f"Could not run {command!r}: {error}", severity="error", markup=False)
            return
        except Exception as error:  # SuspendNotSupported: no real terminal (e.g. in tests)
            self.notify(f"Cannot suspend the app here: {error}", severity="error", markup=False)
            return
        self._reload_from_file()

    def action_toggle_watch(self) -> None:
        """Re-check whenever the working file changes on disk (rustlings-style)."""
        if self._watch_timer is not None:
            self._watch_timer.stop()
            self._watch_timer = None
            self.notify("Stopped watching the file.", timeout=3)
        else:
            with contextlib.suppress(WorkFileError):
                self._mirror(self.editor.text)
            self._watch_timer = self.set_interval(WATCH_INTERVAL_S, self._poll_file)
            self.notify(
                f"Edit {self.path} in your editor; every save is checked.",
                title="Watching",
                markup=False,
                timeout=6,
            )
        self.query_one("#watch-button", Button).variant = (
            "success" if self._watch_timer else "default"
        )
        self._status_idle()

    def _poll_file(self) -> None:
        mtime = modified_ns(self.path)
        if mtime is not None and mtime != self._known_mtime:
            self._known_mtime = mtime
            self._reload_from_file()

    def _reload_from_file(self) -> None:
        """Take the file's code when it differs from the editor's, and check it."""
        try:
            code = read_work_file(self.path)
        except WorkFileError as error:
            self.notify(str(error), severity="warning", markup=False)
            return
        if code == self.editor.text:  # our own mirror write, or saved unchanged
            return
        self.editor.load_text(code)
        self._save_draft()
        if not self.busy:
            self.action_check()

    @on(Button.Pressed, "#watch-button")
    def _watch_pressed(self) -> None:
        self.action_toggle_watch()
