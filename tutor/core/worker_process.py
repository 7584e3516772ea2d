"""A warm helper process spoken to in JSON lines, with a hard time bound and cancellation.

The symbolic checker (SymPy) and the code grader (NumPy) each run in one of these, so the
caller (the CLI or the app) never imports them, never blocks past a bound it chose, and
can stop a request at any time: stopping kills the process group and the next request
starts a fresh one.
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
from pathlib import Path
from typing import IO, Any


class WorkerFailure(Exception):
    """The worker did not answer properly; the message says how."""


class WorkerCancelled(Exception):
    """The request was cancelled (the worker was stopped while it worked)."""


class WorkerProcess:
    """`python -m <module>`: says `{"ready": true}` once warm, then answers one line per line.

    Thread-safe: requests are serialised; `cancel()` may be called from any thread.
    """

    def __init__(self, module: str, name: str, start_timeout_s: float) -> None:
        self.module = module
        self.name = name
        """How messages call it, e.g. "the checker"."""
        self.start_timeout_s = start_timeout_s
        self._lock = threading.Lock()
        self._process: subprocess.Popen[str] | None = None
        self._replies: queue.Queue[str | None] = queue.Queue()
        self._cancels = 0
        """How many times cancel() was called: a request made before a cancel is cancelled,
        even one still waiting for the lock (a flag cleared per request would lose it)."""
        self._serving = 0
        """`_cancels` as it was when the request being served was made."""

    @property
    def pid(self) -> int | None:
        """The running worker's process id, if one is running."""
        process = self._process
        return None if process is None or process.poll() is not None else process.pid

    def start(self) -> None:
        """Start (and warm) the worker now rather than on the first request."""
        made = self._cancels
        with self._lock:
            self._serving = made
            self._ensure_started()

    def ask(self, request: dict[str, Any], timeout_s: float) -> dict[str, Any]:
        """Send `request`, wait up to `timeout_s` for the reply.

        Raises TimeoutError (the worker is killed), WorkerCancelled or WorkerFailure.
        """
        made = self._cancels
        with self._lock:
            self._serving = made
            if self._cancels != made:
                raise WorkerCancelled
            self._ensure_started()
            assert self._process is not None and self._process.stdin is not None
            try:
                self._process.stdin.write(json.dumps(request) + "\n")
                self._process.stdin.flush()
            except OSError as error:
                self._stop()
                raise WorkerFailure(f"{self.name} stopped ({error})") from None
            line = self._next_line(timeout_s)
            try:
                reply = json.loads(line)
            except json.JSONDecodeError:
                self._stop()
                raise WorkerFailure(f"{self.name} sent a garbled reply") from None
            if not isinstance(reply, dict):
                raise WorkerFailure(f"{self.name} sent a garbled reply")
            return reply

    def cancel(self) -> None:
        """Stop whatever the worker is doing; requests made so far raise WorkerCancelled."""
        self._cancels += 1
        process = self._process
        if process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            # Reaped now, so the next request sees it dead and starts a fresh worker.
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)

    def close(self) -> None:
        """Stop the worker."""
        self.cancel()
        with self._lock:
            self._stop()

    def _next_line(self, timeout_s: float) -> str:
        try:
            line = self._replies.get(timeout=timeout_s)
        except queue.Empty:
            self._stop()  # the only way to stop a computation that will not stop itself
            raise TimeoutError from None
        if line is None:
            self._stop()
            if self._cancels != self._serving:
                raise WorkerCancelled
            raise WorkerFailure(f"{self.name} stopped unexpectedly")
        return line

    def _ensure_started(self) -> None:
        if self._process is not None and self._process.poll() is None:
            return
        self._replies = queue.Queue()
        self._process = subprocess.Popen(
            [sys.executable, "-m", self.module],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=worker_environment(),
            start_new_session=True,  # its own process group, killed as a whole
        )
        assert self._process.stdout is not None
        threading.Thread(
            target=_pump, args=(self._process.stdout, self._replies), daemon=True
        ).start()
        try:
            ready = json.loads(self._next_line(self.start_timeout_s))
        except WorkerCancelled:
            raise
        except (TimeoutError, json.JSONDecodeError):
            self._stop()
            raise WorkerFailure(f"{self.name} did not start") from None
        if ready != {"ready": True}:
            self._stop()
            raise WorkerFailure(f"{self.name} did not start")

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


def worker_environment() -> dict[str, str]:
    """The caller's environment, with this very `tutor` importable even when not installed."""
    environment = dict(os.environ)
    package_parent = str(Path(__file__).resolve().parents[2])
    paths = [package_parent, *filter(None, environment.get("PYTHONPATH", "").split(os.pathsep))]
    environment["PYTHONPATH"] = os.pathsep.join(paths)
    return environment


def serve(handle: Any, warm_up: Any) -> None:
    """The worker's side: warm up, say ready, answer each request line; survive bad ones."""
    warm_up()
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        try:
            reply = handle(json.loads(line))
        except MemoryError:
            reply = {"error": "it ran out of memory"}
        except RecursionError:
            reply = {"error": "it nested too deeply"}
        except Exception as error:  # the worker must survive any single request
            reply = {"error": f"{type(error).__name__}: {error}"}
        print(json.dumps(reply), flush=True)
