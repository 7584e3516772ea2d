"""The worker processes the app's screens share: the derivation checker and the code grader.

Both own their heavy imports (SymPy; NumPy and the sandbox) in processes of their own, so
the app's process stays light and never forks while Textual's threads run. They start in
the background after the first screen is painted; a request before that simply waits.
"""

from __future__ import annotations

import contextlib

from tutor.core.grading.service import GradingService
from tutor.core.symbolic.service import SymbolicService
from tutor.core.worker_process import WorkerCancelled, WorkerFailure


class Services:
    """The checker and the grader, started once and closed with the app."""

    def __init__(self) -> None:
        self.checker = SymbolicService()
        """Derivation checks and previews."""
        self.grader = GradingService()
        """Code grading."""
        self._closed = False

    def warm_up(self) -> None:
        """Start both workers (call from a thread); a failure now is retried on first use."""
        for service in (self.checker, self.grader):
            if self._closed:  # the app quit while the other one started
                return
            with contextlib.suppress(WorkerFailure, WorkerCancelled, OSError):
                service.start()

    def close(self) -> None:
        """Stop both workers (and the grader's sandbox); a warm-up in progress gives up."""
        self._closed = True
        self.checker.close()
        self.grader.close()
