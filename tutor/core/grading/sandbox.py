"""Run a learner's code in a limited child process and hand back only plain float64 arrays.

One warm zygote process (`zygote.py`, NumPy already imported) is spawned cleanly — never
forked from the app, which runs threads — ideally before the TUI starts. Where bubblewrap
works, the zygote runs inside it: read-only filesystem except the jobs directory, private
`/tmp`, the home directory hidden, no network, its own PID namespace, no capabilities.
Each job is a child forked from the zygote with CPU, address-space, file-size, open-file and
wall-time limits; it writes `.npy` files and small JSON records to its job directory.

This side trusts nothing from there: it reads only those files, with size caps, no symlinks,
`np.load(allow_pickle=False)`, and dtype and shape checks, and turns every way a job can
end into a `RunOutcome` with a message for a person. The threat model is in
docs/sandbox.md.
"""

from __future__ import annotations

import collections
import contextlib
import io
import json
import logging
import os
import queue
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import IO, Any, Literal, TypeVar

import numpy as np

from tutor.core.grading import runner

RunStatus = Literal["ok", "error", "timeout", "memory", "output-limit", "crashed", "bad-output"]
SandboxMode = Literal["bwrap", "limits-only"]

START_TIMEOUT_S = 30.0
"""Starting the zygote imports NumPy (a fraction of a second; slow disks more)."""
BACKSTOP_MARGIN_S = 0.5
"""How long past the wall-time limit the parent waits before it kills the zygote itself."""
TMPFS_BYTES = 64 << 20
"""Size of the sandbox's private /tmp (held in memory)."""
MAX_RECORD_BYTES = 256 << 10
"""Largest JSON record read back from a job."""

_T = TypeVar("_T")
_log = logging.getLogger(__name__)
_notices_said: set[str] = set()


@dataclass(frozen=True)
class SandboxLimits:
    """What one job may use."""

    wall_s: float = 5.0
    """Wall-clock time for the whole job (loading the file and every call)."""
    cpu_s: int = 5
    """CPU time (RLIMIT_CPU)."""
    memory_bytes: int = 1 << 30
    """Address space on top of what the warm interpreter with NumPy already maps."""
    file_bytes: int = 8 << 20
    """Largest file the job may write, its output included (RLIMIT_FSIZE)."""
    open_files: int = 32
    """Open file descriptors (RLIMIT_NOFILE)."""
    output_bytes: int = 16 << 10
    """How much of stdout+stderr is handed back."""


DEFAULT_LIMITS = SandboxLimits()


@dataclass(frozen=True)
class CallOutcome:
    """One call of the learner's function, on one argument set."""

    returned: tuple[np.ndarray, ...] | None
    """Plain float64 ndarrays (never a subclass), one per expected return; None on error."""
    args_after: tuple[np.ndarray, ...] | None
    """The arguments as the call left them (to spot in-place changes); None if unreadable
    or the call raised."""
    error: str | None
    """For a person: a traceback of the learner's own lines, or what is wrong with the
    returned value; None when `returned` is set."""


@dataclass(frozen=True)
class RunOutcome:
    """How one job ended."""

    status: RunStatus
    calls: tuple[CallOutcome, ...]
    """One per argument set, in order; shorter when it stopped early."""
    output: str
    """What the code printed (stdout and stderr interleaved), control characters escaped,
    capped at `SandboxLimits.output_bytes` with a note at the end when cut."""
    output_truncated: bool
    message: str
    """For a person, for every status but `ok` (then empty). For `error` it holds the
    traceback of the learner's own lines."""
    mode: SandboxMode


class SandboxUnavailable(RuntimeError):
    """The sandbox cannot run as asked (e.g. bubblewrap required but not usable here)."""


class Sandbox:
    """A warm zygote that runs learner code in limited children; thread-safe, self-healing.

    Create and `start()` it before the app starts threads. `run` may then be called from
    any thread (one job at a time); if the zygote dies it is restarted.
    """

    def __init__(
        self, limits: SandboxLimits = DEFAULT_LIMITS, use_bwrap: bool | None = None
    ) -> None:
        """`use_bwrap`: True requires bubblewrap, False never uses it, None uses it if a
        probe run works (otherwise falls back to limits only and says so in `notice`)."""
        self.limits = limits
        self._use_bwrap = use_bwrap
        self._jobs_root = tempfile.mkdtemp(prefix="backprop-tutor-jobs-")
        self._finalizer = weakref.finalize(self, shutil.rmtree, self._jobs_root, True)
        self._lock = threading.RLock()
        self._process: subprocess.Popen[str] | None = None
        self._ready = False
        self._replies: queue.Queue[str | None] = queue.Queue()
        self._stderr_tail: collections.deque[str] = collections.deque(maxlen=20)
        self._launcher: _Launcher | None = None
        self._bwrap_prefix: list[str] = []
        self._closed = False
        self.mode: SandboxMode = "limits-only"
        self.notice: str | None = None
        """Said once, for the learner or instructor: why the isolation is weaker, if it is."""
        if use_bwrap is False:
            self._fall_back("bubblewrap is turned off")
            return
        prefix, problem = _working_bwrap(self._jobs_root)
        if prefix is not None:
            self._bwrap_prefix = prefix
            self.mode = "bwrap"
        elif use_bwrap:
            self.close()
            raise SandboxUnavailable(problem)
        else:
            self._fall_back(problem)

    def start(self) -> None:
        """Spawn and warm the zygote now (call this before the app starts its threads).

        Raises SandboxUnavailable if it cannot start at all (then `run` reports `crashed`).
        """
        with self._lock:
            self._ensure_started()

    def run(
        self,
        code: str,
        function: str,
        arg_sets: Sequence[Sequence[np.ndarray]],
        expected_returns: int,
        filename: str = "solution.py",
        return_names: Sequence[str] = (),
    ) -> RunOutcome:
        """Run `function(*args)` from `code` on copies of each argument set, in a child.

        Arguments must be numeric arrays: floats are passed as float64, integers (class
        labels) as int64. `return_names` (e.g. `("dx", "dW", "db")`) only improve messages.
        Every way the job can end gives a `RunOutcome`; nothing the code does raises here.
        """
        _check_filename(filename)
        if expected_returns < 1:
            raise ValueError("expected_returns must be at least 1")
        sets = [[_as_argument(arg) for arg in args] for args in arg_sets]
        limits = fitted_limits(self.limits, sets)
        with self._lock:
            if self._closed:
                raise RuntimeError("this Sandbox is closed")
            try:
                self._ensure_started()
            except SandboxUnavailable as failure:
                return self._outcome("crashed", message=f"The sandbox could not start: {failure}")
            jobdir = tempfile.mkdtemp(prefix="job-", dir=self._jobs_root)
            try:
                directory = os.open(jobdir, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
                try:
                    _write_job(
                        jobdir,
                        code,
                        function,
                        filename,
                        sets,
                        expected_returns,
                        return_names,
                        limits,
                    )
                    reply = self._exchange(os.path.basename(jobdir), limits)
                    job = _Job(directory, code, function, filename, sets, expected_returns)
                    return self._collect(job, reply, limits)
                finally:
                    os.close(directory)
            finally:
                self._empty_jobs_root()

    def close(self) -> None:
        """Stop the zygote and remove the jobs directory."""
        with self._lock:
            process = self._process
            if process is not None and process.stdin is not None:
                with contextlib.suppress(OSError):
                    process.stdin.close()  # the zygote exits at end of input
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=1.0)
            self._stop()
            if self._launcher is not None:
                self._launcher.stop()
                self._launcher = None
            self._finalizer()
            self._closed = True

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- the zygote --------------------------------------------------------------------

    def _fall_back(self, reason: str) -> None:
        self.mode = "limits-only"
        self._bwrap_prefix = []
        self.notice = f"{reason}: learner code runs with resource limits only (see docs/sandbox.md)"
        if self.notice not in _notices_said:
            _notices_said.add(self.notice)
            _log.warning("%s", self.notice)

    def _ensure_started(self) -> None:
        if self._process is None or self._process.poll() is not None:
            self._stop()
            self._spawn()
        if self._ready:
            return
        try:
            self._await_ready()
        except SandboxUnavailable as failure:
            if self.mode != "bwrap" or self._use_bwrap:
                raise
            self._fall_back(
                f"bubblewrap (bwrap) is installed but the sandbox did not start in it ({failure})"
            )
            self._spawn()
            self._await_ready()

    def _spawn(self) -> None:
        """Start a zygote without waiting for it (`_await_ready` does)."""
        if self._launcher is None:
            self._launcher = _Launcher()
        argv = [sys.executable, "-m", "tutor.core.grading.zygote", "--jobs-root", self._jobs_root]
        if self.mode == "bwrap":
            argv = [*self._bwrap_prefix, "--", *argv, "--private-tmp"]
        replies: queue.Queue[str | None] = queue.Queue()
        self._replies, self._ready = replies, False
        self._stderr_tail = collections.deque(maxlen=20)
        tail = self._stderr_tail

        def popen() -> subprocess.Popen[str]:
            return subprocess.Popen(
                argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                errors="replace",
                env=_zygote_environment(),
                cwd="/",
                start_new_session=True,  # a process group of its own, killed as a whole
            )

        self._process = process = self._launcher.call(popen)
        assert process.stdout is not None and process.stderr is not None
        threading.Thread(target=_pump, args=(process.stdout, replies), daemon=True).start()
        threading.Thread(target=_keep_tail, args=(process.stderr, tail), daemon=True).start()

    def _await_ready(self) -> None:
        try:
            line = self._next_line(time.monotonic() + START_TIMEOUT_S)
            ready = json.loads(line) if line is not None else None
        except (TimeoutError, json.JSONDecodeError):
            ready = None
        if not isinstance(ready, dict) or ready.get("ready") is not True:
            self._stop()
            detail = " ".join(self._stderr_tail).strip()[-300:] or "no reason given"
            raise SandboxUnavailable(f"the sandbox worker did not start: {detail}")
        self._ready = True

    def _restart_soon(self) -> None:
        """Replace a dead or stuck zygote now; the next job waits for it to be ready."""
        self._stop()
        with contextlib.suppress(OSError, SandboxUnavailable):
            self._spawn()

    def _stop(self) -> None:
        process, self._process = self._process, None
        self._ready = False
        if process is None:
            return
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        for stream in (process.stdin, process.stdout, process.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()

    def _next_line(self, deadline: float) -> str | None:
        """The zygote's next line; None if it ended; TimeoutError past `deadline`."""
        try:
            return self._replies.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise TimeoutError from None

    def _exchange(self, name: str, limits: SandboxLimits) -> dict[str, Any]:
        """Send one job; the zygote's final reply, or {"backstop": True} / {"died": True}."""
        assert self._process is not None and self._process.stdin is not None
        request = {"job": name, "limits": asdict(limits)}
        try:
            self._process.stdin.write(json.dumps(request) + "\n")
            self._process.stdin.flush()
        except OSError:
            self._restart_soon()
            return {"died": True}
        deadline = time.monotonic() + limits.wall_s + BACKSTOP_MARGIN_S
        job_pid: int | None = None
        while True:
            try:
                line = self._next_line(deadline)
            except TimeoutError:
                # The zygote itself is stuck (stopped by the job?): kill the lot.
                if job_pid is not None and self.mode == "limits-only":
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.killpg(job_pid, signal.SIGKILL)
                self._restart_soon()
                return {"backstop": True}
            if line is None:
                if job_pid is not None and self.mode == "limits-only":
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.killpg(job_pid, signal.SIGKILL)  # its processes lost their reaper
                self._restart_soon()
                return {"died": True}
            try:
                reply = json.loads(line)
            except json.JSONDecodeError:
                continue
            if not isinstance(reply, dict) or reply.get("job") != name:
                continue  # not ours (a stale or forged line): wait for the real one
            if "started" in reply:
                started = reply["started"]
                job_pid = started if type(started) is int and started > 1 else None
                continue
            return reply

    def _empty_jobs_root(self) -> None:
        """Remove every job directory and anything a job planted next to it."""
        with contextlib.suppress(OSError):
            for entry in os.scandir(self._jobs_root):
                _remove(entry.path)

    # -- reading a job's results -------------------------------------------------------

    def _outcome(
        self,
        status: RunStatus,
        calls: Sequence[CallOutcome] = (),
        output: tuple[str, bool] = ("", False),
        message: str = "",
    ) -> RunOutcome:
        return RunOutcome(status, tuple(calls), output[0], output[1], message, self.mode)

    def _collect(self, job: _Job, reply: dict[str, Any], limits: SandboxLimits) -> RunOutcome:
        output, truncated, output_size = job.output(limits.output_bytes)
        shown = (output, truncated)
        calls, failure = job.calls(limits)
        signal_number = reply.get("signal")
        if reply.get("timeout"):
            return self._outcome("timeout", calls, shown, _timeout_message(limits))
        if reply.get("backstop"):
            return self._outcome("timeout", calls, shown, _backstop_message(limits))
        if reply.get("died"):
            return self._outcome("crashed", calls, shown, ZYGOTE_DIED)
        if "error" in reply:
            problem = printable(str(reply["error"]))[:300]
            return self._outcome(
                "crashed", calls, shown, f"The sandbox could not run your code ({problem})."
            )
        if signal_number == signal.SIGXCPU:
            return self._outcome("timeout", calls, shown, _cpu_message(limits))
        if signal_number == signal.SIGXFSZ or output_size >= limits.file_bytes:
            return self._outcome("output-limit", calls, shown, _output_message(limits))
        if isinstance(signal_number, int):
            return self._outcome("crashed", calls, shown, _signal_message(signal_number))
        done = job.record(runner.DONE_FILE)
        if done is None or "exit" not in reply:
            return self._outcome("crashed", calls, shown, _exit_message(reply.get("exit")))
        import_error = done.get("import_error")
        if isinstance(import_error, dict):
            status, message = _error_status(import_error, job, limits)
            return self._outcome(status, calls, shown, message)
        if failure is not None:
            return self._outcome(failure[0], calls, shown, failure[1])
        if len(calls) != len(job.sets):
            return self._outcome("bad-output", calls, shown, UNREADABLE.format(detail="missing"))
        return self._outcome("ok", calls, shown)


class _Job:
    """One job's directory, read through a directory fd (so renaming it changes nothing)."""

    def __init__(
        self,
        directory: int,
        code: str,
        function: str,
        filename: str,
        sets: list[list[np.ndarray]],
        expected_returns: int,
    ) -> None:
        self.directory = directory
        self.lines = code.splitlines()
        self.function = function
        self.filename = filename
        self.sets = sets
        self.expected_returns = expected_returns

    def read(self, name: str, cap: int) -> bytes | None:
        """A regular file's bytes if it exists and is at most `cap` bytes long."""
        flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
        try:
            fd = os.open(name, flags, dir_fd=self.directory)
        except OSError:
            return None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_size > cap:
                return None
            return _read_up_to(fd, cap)
        finally:
            os.close(fd)

    def record(self, name: str) -> dict[str, Any] | None:
        data = self.read(name, MAX_RECORD_BYTES)
        try:
            record = json.loads(data) if data is not None else None
        except (json.JSONDecodeError, UnicodeDecodeError):
            return None
        return record if isinstance(record, dict) else None

    def array(self, name: str, cap: int, dtype: np.dtype[Any]) -> np.ndarray | None:
        """A plain ndarray of exactly `dtype` from an .npy file, or None."""
        data = self.read(name, cap + 4096)
        if data is None:
            return None
        try:
            array = np.load(io.BytesIO(data), allow_pickle=False)
        except Exception:  # garbled: any of ValueError, OSError, EOFError, …
            return None
        if type(array) is not np.ndarray or array.dtype != dtype or array.dtype.hasobject:
            return None
        return np.array(array, order="C")  # not ascontiguousarray: that makes 0-d arrays 1-d

    def output(self, cap: int) -> tuple[str, bool, int]:
        """The first `cap` bytes of the output as safe text, whether cut, and its full size."""
        flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
        try:
            fd = os.open(runner.OUTPUT_FILE, flags, dir_fd=self.directory)
        except OSError:
            return "", False, 0
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                return "", False, 0
            data = _read_up_to(fd, cap)
        finally:
            os.close(fd)
        text = printable(data.decode("utf-8", errors="replace"))
        if info.st_size <= cap:
            return text, False, info.st_size
        note = f"\n… (output cut: showing the first {_size(cap)} of {_size(info.st_size)})"
        return text + note, True, info.st_size

    def calls(
        self, limits: SandboxLimits
    ) -> tuple[list[CallOutcome], tuple[RunStatus, str] | None]:
        """The calls that left a record, and the first failure's status and message."""
        outcomes: list[CallOutcome] = []
        float64 = np.dtype(np.float64)
        for index, args in enumerate(self.sets):
            record = self.record(runner.call_file(index))
            if record is None:
                break
            after = [
                self.array(runner.after_file(index, k), arg.nbytes, arg.dtype)
                for k, arg in enumerate(args)
            ]
            after_ok = all(
                got is not None and got.shape == arg.shape
                for got, arg in zip(after, args, strict=True)
            )
            args_after = tuple(a for a in after if a is not None) if after_ok else None
            if record.get("ok") is True:
                returned = [
                    self.array(runner.ret_file(index, k), limits.file_bytes, float64)
                    for k in range(self.expected_returns)
                ]
                if any(array is None for array in returned):
                    outcomes.append(CallOutcome(None, args_after, UNREADABLE_CALL))
                    return outcomes, ("bad-output", UNREADABLE.format(detail="unreadable"))
                arrays = tuple(a for a in returned if a is not None)
                outcomes.append(CallOutcome(arrays, args_after, None))
                continue
            if isinstance(record.get("bad"), str):
                message = _sentence(printable(record["bad"][: runner.MAX_TEXT]))
                outcomes.append(CallOutcome(None, args_after, message))
                return outcomes, ("bad-output", message)
            error = record.get("error")
            info = error if isinstance(error, dict) else {}
            status, message = _error_status(info, self, limits)
            outcomes.append(CallOutcome(None, None, message))
            return outcomes, (status, message)
        return outcomes, None


# -- messages ----------------------------------------------------------------------------

ZYGOTE_DIED = (
    "The process running your code was killed from inside (did your code kill or stop "
    "its parent process?). Nothing was graded; the sandbox has been restarted."
)
UNREADABLE = (
    "Your code's results could not be read back ({detail}). Did it change NumPy's saving "
    "functions or the files in its working directory?"
)
UNREADABLE_CALL = "The arrays this call returned could not be read back."
_SIGNAL_MEANINGS: dict[int, str] = {
    signal.SIGSEGV: "a segmentation fault: memory it may not touch was touched, e.g. via ctypes",
    signal.SIGBUS: "a bus error: bad memory access, e.g. via ctypes",
    signal.SIGABRT: "it aborted, e.g. a C library found its memory corrupted",
    signal.SIGFPE: "an arithmetic fault in C code",
    signal.SIGILL: "an illegal instruction",
}


def _timeout_message(limits: SandboxLimits) -> str:
    return (
        f"Your code ran for more than {limits.wall_s:g} s (an infinite loop?), so it was stopped."
    )


def _backstop_message(limits: SandboxLimits) -> str:
    return (
        f"The sandbox did not answer within {limits.wall_s:g} s (an infinite loop, or did your "
        "code stop its parent process?), so everything was stopped and restarted."
    )


def _cpu_message(limits: SandboxLimits) -> str:
    return (
        f"Your code used more than {limits.cpu_s} s of CPU time (an infinite loop?), "
        "so it was stopped."
    )


def _output_message(limits: SandboxLimits) -> str:
    return (
        f"Your code printed or wrote more than {_size(limits.file_bytes)} (printing inside a "
        "loop?), so it was stopped."
    )


def _memory_message(limits: SandboxLimits) -> str:
    return (
        f"Your code tried to use more memory than the {_size(limits.memory_bytes)} it is "
        "allowed, so it was stopped. "
        "Is an array much bigger than you meant? Check the shapes."
    )


def _signal_message(number: int) -> str:
    try:
        name = signal.Signals(number).name
    except ValueError:
        name = f"signal {number}"
    if number in _SIGNAL_MEANINGS:
        return (
            f"Your code crashed the Python process ({name}: {_SIGNAL_MEANINGS[number]}). "
            "Nothing was graded."
        )
    if number == signal.SIGKILL:
        return (
            "The process running your code was killed (SIGKILL): did it kill itself, or "
            "run out of memory?"
        )
    return f"The process running your code was stopped by {name}."


def _exit_message(code: object) -> str:
    if code == 0:
        return (
            "Your code ended the process (os._exit(0)?) before returning its results, so "
            "there is nothing to grade. Return the arrays instead."
        )
    if isinstance(code, int):
        return (
            f"The process running your code ended with exit code {code} before returning "
            "its results (os._exit?), so there is nothing to grade."
        )
    return "The process running your code ended unexpectedly, so there is nothing to grade."


def _error_status(info: dict[str, Any], job: _Job, limits: SandboxLimits) -> tuple[RunStatus, str]:
    """The status and message for an exception described by the runner."""
    rendered = render_error(info, job.lines, job.filename)
    kind = info.get("kind")
    if kind == "memory":
        return "memory", _memory_message(limits) + "\n\n" + rendered
    if "[Errno 27]" in str(info.get("text", "")):  # EFBIG: they ignored SIGXFSZ
        return "output-limit", _output_message(limits) + "\n\n" + rendered
    return "error", rendered


def render_error(info: dict[str, Any], lines: Sequence[str], filename: str) -> str:
    """A traceback of the learner's own lines, rendered from the parent's copy of the code."""
    kind = info.get("kind")
    text = printable(str(info.get("text", "")))[: runner.MAX_TEXT] or "an error"
    if kind == "missing":
        return _sentence(text)
    if kind == "syntax":
        return _render_syntax(info, lines, filename, text)
    parts: list[str] = []
    frames = info.get("frames")
    if isinstance(frames, list) and frames:
        parts.append("Traceback (most recent call last):")
        for frame in frames[: runner.MAX_FRAMES + 1]:
            parts.extend(_render_frame(frame, lines, filename))
    parts.append(text)
    traceback_text = "\n".join(parts)
    if kind == "exit":
        code = printable(str(info.get("code", "")))[:80]
        return (
            f"Your code called sys.exit({code}) (or raised SystemExit): return the arrays "
            f"instead of ending the program.\n\n{traceback_text}"
        )
    if kind == "interrupt":
        return (
            "Your code raised KeyboardInterrupt (nobody pressed Ctrl+C: it came from the "
            f"code itself).\n\n{traceback_text}"
        )
    if kind == "recursion":
        return (
            "Your code called itself too deeply (RecursionError): a function that calls "
            f"itself needs a case that stops.\n\n{traceback_text}"
        )
    return traceback_text


def _render_frame(frame: object, lines: Sequence[str], filename: str) -> list[str]:
    if not isinstance(frame, list) or len(frame) != 3:
        return []
    lineno, name, repeat = frame
    if not (type(lineno) is int and type(repeat) is int and isinstance(name, str)):
        return []
    if lineno == 0:
        return ["  ..."]
    rendered = [f'  File "{filename}", line {lineno}, in {printable(name)}']
    if 0 < lineno <= len(lines) and lines[lineno - 1].strip():
        rendered.append(f"    {lines[lineno - 1].strip()}")
    if repeat > 1:
        rendered.append(f"  [Previous line repeated {repeat - 1} more times]")
    return rendered


def _render_syntax(info: dict[str, Any], lines: Sequence[str], filename: str, text: str) -> str:
    lineno, offset = info.get("lineno"), info.get("offset")
    error_type = printable(str(info.get("type", "SyntaxError")))[:40]
    message = printable(str(info.get("msg", "")))[:300]
    if type(lineno) is not int or not 0 < lineno <= len(lines):
        return text
    source = lines[lineno - 1]
    stripped = source.strip()
    rendered = [f'  File "{filename}", line {lineno}', f"    {stripped}"]
    if type(offset) is int and offset > 0:
        column = offset - 1 - (len(source) - len(source.lstrip()))
        rendered.append("    " + " " * max(0, min(column, len(stripped))) + "^")
    rendered.append(f"{error_type}: {message}")
    return "\n".join(rendered)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text.endswith((".", "?", "!")) else text + "."


_CONTROL = {
    code: f"\\x{code:02x}"
    for code in [*range(0x20), 0x7F, *range(0x80, 0xA0)]
    if code not in (9, 10)
}


def printable(text: str) -> str:
    """`text` with control characters (terminal escapes) shown as `\\xNN`, newlines kept."""
    return text.replace("\r\n", "\n").translate(_CONTROL)


def _size(count: int) -> str:
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if count >= 1 << shift:
            value = count / (1 << shift)
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{count} bytes"


# -- helpers -----------------------------------------------------------------------------


def _check_filename(filename: str) -> None:
    if (
        os.path.basename(filename) != filename
        or not filename.endswith(".py")
        or filename.startswith(".")
        or filename.startswith(runner.RESERVED_PREFIXES)
    ):
        raise ValueError(f"not a plain .py file name for the learner's code: {filename!r}")


def _as_argument(value: np.ndarray) -> np.ndarray:
    array = np.asarray(value)
    # np.array, not np.ascontiguousarray: the latter turns a scalar grad_out (a loss) into (1,).
    if array.dtype.kind in "iu":
        return np.array(array, dtype=np.int64, order="C")
    if array.dtype.kind in "fb":
        return np.array(array, dtype=np.float64, order="C")
    raise ValueError(f"sandbox arguments must be numeric arrays, not dtype {array.dtype}")


def fitted_limits(limits: SandboxLimits, sets: Sequence[Sequence[np.ndarray]]) -> SandboxLimits:
    """`limits`, with room for this job's arrays: a gradient is as large as its input, and a
    layer with a million weights returns a million-entry gradient (8 MB) to be written back."""
    largest = max((arg.nbytes for args in sets for arg in args), default=0)
    needed = 2 * largest + (1 << 20)  # the largest array, twice over, and headers
    if needed <= limits.file_bytes // 2:
        return limits
    return replace(limits, file_bytes=2 * needed)


def _write_job(
    jobdir: str,
    code: str,
    function: str,
    filename: str,
    sets: list[list[np.ndarray]],
    expected_returns: int,
    return_names: Sequence[str],
    limits: SandboxLimits,
) -> None:
    Path(jobdir, filename).write_text(code, encoding="utf-8")
    for call, args in enumerate(sets):
        for index, arg in enumerate(args):
            np.save(os.path.join(jobdir, runner.in_file(call, index)), arg, allow_pickle=False)
    job = {
        "function": function,
        "filename": filename,
        "args": [len(args) for args in sets],
        "returns": expected_returns,
        "names": list(return_names),
        "max_array_bytes": limits.file_bytes // 2,  # see fitted_limits
    }
    Path(jobdir, runner.JOB_FILE).write_text(json.dumps(job), encoding="utf-8")


def _read_up_to(fd: int, cap: int) -> bytes:
    chunks: list[bytes] = []
    remaining = cap
    while remaining > 0:
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _remove(path: str) -> None:
    """Remove a file or a directory tree without following symlinks, whatever its modes."""
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
        if os.path.lexists(path):  # a job may have made directories unreadable
            for root, dirs, _ in os.walk(path):
                for name in dirs:
                    inner = os.path.join(root, name)
                    if not os.path.islink(inner):
                        with contextlib.suppress(OSError):
                            os.chmod(inner, 0o700)
            shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            os.unlink(path)


def _pump(stream: IO[str], replies: queue.Queue[str | None]) -> None:
    """Move the zygote's lines into a queue, so the reader can wait with a timeout."""
    try:
        for line in stream:
            replies.put(line)
    except (OSError, ValueError):
        pass
    replies.put(None)


def _keep_tail(stream: IO[str], tail: collections.deque[str]) -> None:
    """Keep the last lines the zygote wrote to stderr (shown if it fails to start)."""
    with contextlib.suppress(OSError, ValueError):
        for line in stream:
            tail.append(line.strip()[:300])


def _zygote_environment() -> dict[str, str]:
    """A scrubbed environment: no user variables beyond what finds Python and this package."""
    package_parent = str(Path(__file__).resolve().parents[3])
    paths = [package_parent, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    environment = {
        "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "PYTHONPATH": os.pathsep.join(paths),
        "PYTHONSAFEPATH": "1",  # never import from the working directory
        "PYTHONDONTWRITEBYTECODE": "1",
        "OMP_NUM_THREADS": "1",  # single-threaded BLAS: the zygote must not run threads
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    for name in ("HOME", "PYTHONHOME"):  # HOME: where a user-site NumPy is found
        if name in os.environ:
            environment[name] = os.environ[name]
    return environment


class _Launcher:
    """Starts processes from one long-lived thread.

    bwrap's --die-with-parent uses PR_SET_PDEATHSIG, which fires when the *thread* that
    started it ends, so a zygote started from a short-lived worker thread (a Textual
    `@work(thread=True)`) would die as soon as that worker finished.
    """

    def __init__(self) -> None:
        self._requests: queue.Queue[tuple[Callable[[], Any], queue.Queue[Any]] | None]
        self._requests = queue.Queue()
        self._thread = threading.Thread(target=self._serve, name="sandbox-launcher", daemon=True)
        self._thread.start()

    def call(self, function: Callable[[], _T]) -> _T:
        result: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=1)
        self._requests.put((function, result))
        ok, value = result.get()
        if not ok:
            raise value
        return value  # type: ignore[no-any-return]

    def stop(self) -> None:
        self._requests.put(None)

    def _serve(self) -> None:
        while (request := self._requests.get()) is not None:
            function, result = request
            try:
                result.put((True, function()))
            except BaseException as error:
                result.put((False, error))


# -- bubblewrap --------------------------------------------------------------------------


def bwrap_problem() -> str | None:
    """Why bubblewrap cannot isolate learner code here, or None if it can."""
    root = tempfile.mkdtemp(prefix="backprop-tutor-probe-")
    try:
        return _working_bwrap(root)[1] or None
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _working_bwrap(jobs_root: str) -> tuple[list[str] | None, str]:
    """The first bwrap command prefix that runs here, or None and why none does."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return None, "bubblewrap (bwrap) is not installed"
    problem = ""
    for strict in (True, False):  # older bwrap lacks --disable-userns and --size
        prefix = bwrap_prefix(bwrap, jobs_root, strict)
        try:
            probe = subprocess.run(
                [*prefix, "--", "true"],
                capture_output=True,
                text=True,
                errors="replace",
                timeout=10,
                env=_zygote_environment(),
                cwd="/",
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            problem = str(error)
            continue
        if probe.returncode == 0:
            return prefix, ""
        problem = (probe.stderr.strip().splitlines() or [f"exit code {probe.returncode}"])[-1]
    return None, f"bubblewrap (bwrap) cannot run here ({problem[:200]})"


def bwrap_prefix(bwrap: str, jobs_root: str, strict: bool = True) -> list[str]:
    """The bwrap command line (up to `--`) the zygote runs under.

    The whole filesystem read-only, the home directory and /tmp replaced by empty ones (the
    Python installation and this package bound back read-only if they live there), a
    private /dev, only `jobs_root` writable, new user/PID/network/IPC/UTS namespaces, no
    capabilities, no new user namespaces inside, killed with its parent, no terminal.
    """
    argv = [bwrap, "--ro-bind", "/", "/"]
    home = os.path.realpath(os.path.expanduser("~"))
    hidden = [os.path.realpath("/tmp")]
    if home != "/" and os.path.isdir(home) and home not in hidden:
        argv += ["--tmpfs", home]
        hidden.append(home)
    argv += ["--dev", "/dev", "--proc", "/proc"]
    argv += ["--size", str(TMPFS_BYTES), "--tmpfs", "/tmp"] if strict else ["--tmpfs", "/tmp"]
    for path in _python_paths():  # e.g. ~/.pyenv, or CI's virtualenv under /tmp
        if any(path.startswith(root + os.sep) for root in hidden):
            argv += ["--ro-bind", path, path]
    argv += ["--bind", jobs_root, jobs_root]
    argv += ["--unshare-all", "--unshare-user"]
    argv += ["--disable-userns"] if strict else []
    argv += ["--cap-drop", "ALL", "--die-with-parent", "--new-session", "--chdir", "/"]
    return argv


def _python_paths() -> list[str]:
    """Directories the zygote needs to import Python, NumPy and this package."""
    candidates = {
        sys.prefix,
        sys.base_prefix,
        sys.exec_prefix,
        os.path.dirname(sys.executable),
        os.path.dirname(os.path.realpath(sys.executable)),
        str(Path(__file__).resolve().parents[3]),
        str(Path(np.__file__).resolve().parents[1]),
        *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep)),
        *(p for p in sys.path if os.path.basename(p) in ("site-packages", "dist-packages")),
    }
    paths = sorted({os.path.realpath(p) for p in candidates if p and os.path.isdir(p)})
    kept: list[str] = []
    for path in paths:  # sorted, so a parent comes before what is inside it
        if not any(path == k or path.startswith(k + os.sep) for k in kept):
            kept.append(path)
    return kept
