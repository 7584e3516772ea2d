"""Progress writes from the app: in a thread, and a failure is a notification, not a crash."""

from __future__ import annotations

import weakref
from collections.abc import Callable

from textual.app import App
from textual.dom import DOMNode

from tutor.core.datadir import DataDirError
from tutor.core.progress import ProgressStore, StoreError
from tutor.core.workspace import Workspace

_reported: weakref.WeakKeyDictionary[App[object], set[str]] = weakref.WeakKeyDictionary()


def report_progress_error(app: App[object], message: str) -> None:
    """Tell the learner once per session: a broken store would otherwise nag at every step."""
    seen = _reported.setdefault(app, set())
    if message not in seen:
        seen.add(message)
        app.notify(message, title="Progress", severity="error", markup=False)


def write_progress(
    node: DOMNode, workspace: Workspace, write: Callable[[ProgressStore], object]
) -> None:
    """Run `write` on the store in a worker thread; tell the learner if it fails."""

    def run() -> None:
        try:
            write(workspace.store)
        except (DataDirError, StoreError) as error:
            node.app.call_from_thread(report_progress_error, node.app, str(error))

    node.run_worker(run, thread=True, group="progress-writes", exit_on_error=False)
