"""Derivation checks in a separate, warm worker process, with a hard time bound.

Parser limits stop the inputs we can foresee; this boundary stops the rest. Whatever a
check does (a SymPy call that never returns, a memory blow-up, a crash), the caller gets an
answer within `timeout_s`, and the worker is killed and replaced.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from tutor.core.model import DerivationExercise
from tutor.core.symbolic.protocol import result_from_json
from tutor.core.symbolic.results import CheckResult, PartResult

CHECK_TIMEOUT_S = 2.0
"""The longest a learner waits for a verdict, whatever they typed."""
START_TIMEOUT_S = 30.0
"""Starting the worker imports SymPy and warms it up (about a second here; slow disks more)."""

TIMEOUT_FEEDBACK = (
    "This answer took too long to check, so it was not marked. Try writing it more simply."
)
FAILURE_FEEDBACK = "The checker could not check this answer ({reason}). It was not marked."


@dataclass(frozen=True)
class Preview:
    """How an answer was read, or why it could not be."""

    parsed: str | None
    error: str | None = None
    position: int | None = None


class WorkerFailure(Exception):
    """The worker did not answer properly; the message says how."""


class SymbolicService:
    """A warm worker process for derivation checks; thread-safe, restarted when needed."""

    def __init__(self, timeout_s: float = CHECK_TIMEOUT_S) -> None:
        self.timeout_s = timeout_s
        self._lock = threading.Lock()
        self._process: subprocess.Popen[str] | None = None
        self._replies: queue.Queue[str | None] = queue.Queue()

    def start(self) -> None:
        """Start (and warm) the worker now rather than on the first check."""
        with self._lock:
            self._ensure_started()

    def check(
        self, exercise: DerivationExercise, answers: Mapping[str, str], variant_key: str = ""
    ) -> CheckResult:
        """Check the answered parts; a timeout or failure marks them undecided, never wrong."""
        request = {
            "op": "check",
            "exercise": str(exercise.path),
            "answers": dict(answers),
            "variant_key": variant_key,
        }
        try:
            reply = self._ask(request)
            if "result" not in reply:
                raise WorkerFailure(str(reply.get("error", "no result")))
            return result_from_json(reply["result"])
        except TimeoutError:
            return _unmarked(exercise, answers, TIMEOUT_FEEDBACK, "timeout")
        except (WorkerFailure, KeyError, TypeError) as failure:
            feedback = FAILURE_FEEDBACK.format(reason=failure)
            return _unmarked(exercise, answers, feedback, "checker-error")

    def preview(self, exercise: DerivationExercise, text: str, variant_key: str = "") -> Preview:
        """How `text` is read, for the "interpreted as" line."""
        request = {
            "op": "preview",
            "exercise": str(exercise.path),
            "text": text,
            "variant_key": variant_key,
        }
        try:
            reply = self._ask(request)
        except TimeoutError:
            return Preview(None, "this took too long to read; try writing it more simply")
        except WorkerFailure as failure:
            return Preview(None, f"could not be read: {failure}")
        if "parsed" in reply:
            return Preview(str(reply["parsed"]))
        return Preview(None, str(reply.get("invalid") or reply.get("error")), reply.get("position"))

    def close(self) -> None:
        """Stop the worker."""
        with self._lock:
            self._stop()

    def __enter__(self) -> SymbolicService:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _ask(self, request: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self._ensure_started()
            assert self._process is not None and self._process.stdin is not None
            try:
                self._process.stdin.write(json.dumps(request) + "\n")
                self._process.stdin.flush()
            except OSError as error:
                self._stop()
                raise WorkerFailure(f"the checker stopped ({error})") from None
            line = self._next_line(self.timeout_s)
            try:
                reply = json.loads(line)
            except json.JSONDecodeError:
                self._stop()
                raise WorkerFailure("the checker sent a garbled reply") from None
            if not isinstance(reply, dict):
                raise WorkerFailure("the checker sent a garbled reply")
            return reply

    def _next_line(self, timeout_s: float) -> str:
        try:
            line = self._replies.get(timeout=timeout_s)
        except queue.Empty:
            self._stop()  # the only way to stop a computation that will not stop itself
            raise TimeoutError from None
        if line is None:
            self._stop()
            raise WorkerFailure("the checker stopped unexpectedly")
        return line

    def _ensure_started(self) -> None:
        if self._process is not None and self._process.poll() is None:
            return
        self._replies = queue.Queue()
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tutor.core.symbolic.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=_worker_environment(),
            start_new_session=True,  # its own process group, killed as a whole
        )
        assert self._process.stdout is not None
        threading.Thread(
            target=_pump, args=(self._process.stdout, self._replies), daemon=True
        ).start()
        try:
            ready = json.loads(self._next_line(START_TIMEOUT_S))
        except (TimeoutError, json.JSONDecodeError):
            self._stop()
            raise WorkerFailure("the checker did not start") from None
        if ready != {"ready": True}:
            self._stop()
            raise WorkerFailure("the checker did not start")

    def _stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                stream.close()


def _pump(stream: IO[str], replies: queue.Queue[str | None]) -> None:
    """Move the worker's lines into a queue, so the reader can wait with a timeout."""
    try:
        for line in stream:
            replies.put(line)
    except (OSError, ValueError):
        pass
    replies.put(None)


def _worker_environment() -> dict[str, str]:
    environment = dict(os.environ)
    # The worker must import this very `tutor`, even when it is not installed.
    package_parent = str(Path(__file__).resolve().parents[3])
    paths = [package_parent, *filter(None, environment.get("PYTHONPATH", "").split(os.pathsep))]
    environment["PYTHONPATH"] = os.pathsep.join(paths)
    return environment


def _unmarked(
    exercise: DerivationExercise, answers: Mapping[str, str], feedback: str, tag: str
) -> CheckResult:
    parts = tuple(
        PartResult(part.id, part.label, "undecided", answers[part.id], None, feedback, tag)
        for part in exercise.parts
        if part.id in answers
    )
    return CheckResult(parts)
