"""What runs inside the sandboxed child: load the learner's file, call it, save plain arrays.

The zygote forks a child, puts the limits in place (see `zygote.py`) and calls `run_job`.
Everything here runs in that child, next to the learner's code, so nothing written here is
trusted: the parent re-reads every file with size caps, `np.load(allow_pickle=False)` and
dtype and shape checks, and grades the arrays itself. This module only has to make honest
mistakes easy to explain and hostile code harmless to the *parent*.

Files in the job directory (names shared with `sandbox.py`):

  job.json             written by the parent: function, file name, counts
  in-<i>-<k>.npy       argument k of argument set i, written by the parent
  output.txt           the child's stdout and stderr
  ret-<i>-<k>.npy      returned array k of call i (float64)
  after-<i>-<k>.npy    argument k of call i after the call (to spot in-place changes)
  call-<i>.json        {"ok": true} | {"error": {...}} | {"bad": "..."}, after the arrays
  done.json            written last: its absence means the process died early
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from types import ModuleType, TracebackType
from typing import Any

import numpy as np

JOB_FILE = "job.json"
OUTPUT_FILE = "output.txt"
DONE_FILE = "done.json"
RESERVED_PREFIXES = ("job", "output", "done", "call-", "in-", "ret-", "after-")
"""Names the learner's file may not take."""

MAX_TEXT = 2000
"""Longest exception text kept (a learner's `__str__` can return anything)."""
MAX_FRAMES = 40
"""Most traceback frames kept, after folding repeats (deep recursion has ~1000)."""
LINE_BUFFERED_CHARS = 16 << 10
"""Output stays line-buffered (nothing lost if the job is killed) until this much is
written; past it (more than the parent shows) block buffering keeps printing in a loop
fast, so it reaches the file-size limit well before the time limit."""


def in_file(call: int, arg: int) -> str:
    """Argument `arg` of argument set `call`, as written by the parent."""
    return f"in-{call}-{arg}.npy"


def ret_file(call: int, index: int) -> str:
    """Returned array `index` of call `call`."""
    return f"ret-{call}-{index}.npy"


def after_file(call: int, arg: int) -> str:
    """Argument `arg` of call `call` after the call."""
    return f"after-{call}-{arg}.npy"


def call_file(call: int) -> str:
    """The small JSON record of call `call`."""
    return f"call-{call}.json"


# Captured before the learner's code runs, so monkeypatching NumPy (`np.asarray = ...`) in
# the child cannot break how results are converted and written.
_ndarray = np.ndarray
_view: Callable[..., Any] = np.ndarray.view
_tobytes: Callable[..., bytes] = np.ndarray.tobytes
_asarray = np.asarray
_array = np.array
_load = np.load
_float64 = np.dtype(np.float64)
_NUMERIC_KINDS = "biuf"
_json_dumps = json.dumps
_open = open
_join = os.path.join
_directory = "."
"""The job directory; every file is opened by absolute path, as the learner may `chdir`."""


class _Output(io.TextIOWrapper):
    """Line-buffered at first, then block-buffered once more than the parent shows is out."""

    written = 0

    def write(self, text: str) -> int:
        count = super().write(text)
        self.written += count
        if self.written > LINE_BUFFERED_CHARS:
            self.reconfigure(line_buffering=False)
            self.write = super().write  # type: ignore[method-assign,assignment]
        return count


def _install_output() -> tuple[io.TextIOWrapper, io.TextIOWrapper]:
    """New sys.stdout/sys.stderr on fds 1 and 2 (the zygote pointed both at output.txt)."""
    streams = []
    for fd in (1, 2):
        raw = io.FileIO(fd, "w", closefd=False)
        buffered = io.BufferedWriter(raw, buffer_size=64 << 10)
        streams.append(
            _Output(buffered, encoding="utf-8", errors="backslashreplace", line_buffering=True)
        )
    sys.stdout, sys.stderr = streams[0], streams[1]
    sys.stdin = _open(os.devnull, encoding="utf-8")
    return streams[0], streams[1]


def run_job(jobdir: str) -> None:
    """Run one job in `jobdir` (the current directory) and write its result files."""
    global _directory
    _directory = jobdir
    stdout, stderr = _install_output()
    sys.dont_write_bytecode = True
    with _open(_join(jobdir, JOB_FILE), encoding="utf-8") as handle:
        job = json.load(handle)
    filename = str(job["filename"])
    path = os.path.join(jobdir, filename)
    sys.argv = [filename]
    # Loaded before the learner's file runs, so its import-time code cannot swap them.
    arg_sets = [
        [_load(_join(jobdir, in_file(call, arg)), allow_pickle=False) for arg in range(count)]
        for call, count in enumerate(job["args"])
    ]
    import_error = None
    function: Callable[..., Any] | None = None
    loaded = _import_learner(path, filename)
    if isinstance(loaded, dict):
        import_error = loaded
    else:
        found = _find_function(loaded, str(job["function"]), filename)
        if isinstance(found, dict):
            import_error = found
        else:
            function = found
    if function is not None:
        names = [str(name) for name in job.get("names", [])]
        for call, args in enumerate(arg_sets):
            record = _call(call, function, args, path, int(job["returns"]), names, job)
            if "ok" not in record:
                break
    _flush(stdout, stderr)
    _write_json(DONE_FILE, {"finished": True, "import_error": import_error})


def _flush(*streams: io.TextIOWrapper) -> None:
    for stream in streams:
        # Over the file-size limit, or closed by the learner: the parent notices either way.
        with contextlib.suppress(OSError, ValueError):
            stream.flush()


def _import_learner(path: str, filename: str) -> ModuleType | dict[str, Any]:
    """The learner's module, or a description of why it did not load."""
    stem = filename.removesuffix(".py")
    name = stem if stem.isidentifier() and stem not in sys.modules else "__learner__"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        return {"kind": "exception", "text": f"could not load {filename}", "frames": []}
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException as error:  # whatever their file raises, describe it
        # Their module's globals may hold what exhausted the memory: let it go first.
        sys.modules.pop(name, None)
        module.__dict__.clear()
        return describe_error(error, path)
    return module


def _find_function(
    module: ModuleType, function: str, filename: str
) -> Callable[..., Any] | dict[str, Any]:
    try:
        found = getattr(module, function, None)
    except BaseException as error:
        return describe_error(error, module.__file__ or "")
    if found is None:
        text = f"Your file {filename} defines no function named {function}"
        return {"kind": "missing", "text": text}
    if not callable(found):
        text = f"In your file {filename}, {function} is {_type_name(found)}, not a function"
        return {"kind": "missing", "text": text}
    return found  # type: ignore[no-any-return]


def _call(
    call: int,
    function: Callable[..., Any],
    args: list[np.ndarray],
    path: str,
    expected: int,
    names: list[str],
    job: dict[str, Any],
) -> dict[str, Any]:
    """Call the learner's function on copies of one argument set; write and return the record."""
    copies = [_array(arg, copy=True) for arg in args]
    try:
        value = function(*copies)
    except BaseException as error:
        record: dict[str, Any] = {"error": describe_error(error, path)}
        _write_json(call_file(call), record)
        return record
    del function
    limit = int(job.get("max_array_bytes", 8 << 20))
    who = f"Your function {job['function']}"
    converted = convert_returns(value, expected, names, limit, who)
    for index, arg in enumerate(copies):
        after = _array(_view(arg, _ndarray), dtype=args[index].dtype, copy=True)
        _save(after_file(call, index), after)
    if isinstance(converted, str):
        record = {"bad": converted}
    else:
        for index, array in enumerate(converted):
            _save(ret_file(call, index), array)
        record = {"ok": True}
    _write_json(call_file(call), record)
    return record


def convert_returns(
    value: object, expected: int, names: Sequence[str], max_bytes: int, who: str = "It"
) -> list[np.ndarray] | str:
    """The returned value as `expected` plain float64 arrays, or what is wrong with it.

    A tuple or list of exactly `expected` array-likes is accepted; so is a single array when
    one is expected. Integer and boolean arrays are converted to float64 (their values are
    still graded); complex, text and object arrays are refused. NaN and infinity pass
    through as data: the grader names them.
    """
    wanted = _wanted(expected, names)
    function_name = who.removeprefix("Your function ")
    kind = type(value)
    items: list[object]
    if kind is tuple or (kind is list and len(value) == expected):  # type: ignore[arg-type]
        items = list(value)  # type: ignore[call-overload]
    elif expected == 1 and kind is not list and value is not None:
        items = [value]
    elif value is None:
        return f"{who} returned None (is a `return` missing?); return {wanted}"
    elif kind is list:
        count = len(value)  # type: ignore[arg-type]
        return f"{who} returned a list of {_items(count)}; return {wanted}"
    elif issubclass(kind, _ndarray):
        return f"{who} returned a single array; return {wanted}"
    else:
        return f"{who} returned {_type_name(value)}; return {wanted}"
    if len(items) != expected:
        return f"{who} returned a tuple of {_items(len(items))}; return {wanted}"
    arrays = []
    for index, item in enumerate(items):
        if index < len(names) and len(names) == expected:
            label = f"The {names[index]} returned by {function_name}"
        else:
            label = f"Value {index + 1} returned by {function_name}"
        converted = to_float64(item, label, max_bytes)
        if isinstance(converted, str):
            return converted
        arrays.append(converted)
    return arrays


def to_float64(value: object, label: str, max_bytes: int) -> np.ndarray | str:
    """`value` as a new C-ordered float64 base-class ndarray, or what is wrong with it.

    An ndarray subclass is read through the base class's own `view` (its overridden
    `__array__`, `astype` or `view` are never called), so what is saved is its real data.
    """
    kind = type(value)
    if value is None or issubclass(kind, (str, bytes, bytearray, dict, set, frozenset)):
        return f"{label} is {_type_name(value)}, not an array of numbers"
    try:
        if issubclass(kind, _ndarray):
            raw = _view(value, _ndarray)
        else:
            raw = _asarray(value)
            if type(raw) is not _ndarray:
                raw = _view(raw, _ndarray)
    except Exception as error:  # a learner's array-like can raise anything
        return f"{label} could not be read as an array of numbers ({_exception_text(error)})"
    dtype_kind = raw.dtype.kind
    if dtype_kind == "c":
        return f"{label} contains complex numbers; gradients here are real"
    if dtype_kind == "O":
        return f"{label} is an array of Python objects (dtype=object), not of numbers"
    if dtype_kind in "US":
        return f"{label} is an array of text, not of numbers"
    if dtype_kind not in _NUMERIC_KINDS:
        return f"{label} has dtype {raw.dtype}, not numbers"
    if raw.size * 8 > max_bytes:
        return f"{label} has shape {raw.shape}: far more numbers than any gradient here"
    return _array(raw, dtype=_float64, order="C", copy=True)


def _wanted(expected: int, names: Sequence[str]) -> str:
    named = f" ({', '.join(names)})" if len(names) == expected and names else ""
    if expected == 1:
        return f"one array{named}"
    return f"a tuple of {expected} arrays{named}"


def _items(count: int) -> str:
    return "1 item" if count == 1 else f"{count} items"


def _type_name(value: object) -> str:
    name = type(value).__name__[:60]
    if value is None:
        return "None"
    article = "an" if name[:1].lower() in "aeiou" else "a"
    return f"{article} {name}"


def describe_error(error: BaseException, path: str) -> dict[str, Any]:
    """An exception as JSON-ready data: its kind, text and the learner's own frames only."""
    _clear(error.__traceback__)  # drop their frames' locals first: they may hold the memory
    try:
        return _describe(error, path)
    except MemoryError:
        return {"kind": "memory", "type": "MemoryError", "text": "MemoryError", "frames": []}


def _describe(error: BaseException, path: str) -> dict[str, Any]:
    if isinstance(error, SyntaxError) and error.filename == path:
        return {
            "kind": "syntax",
            "text": _exception_text(error),
            "type": type(error).__name__,
            "msg": str(error.msg)[:MAX_TEXT],
            "lineno": error.lineno,
            "offset": error.offset,
            "frames": [],
        }
    frames: list[list[Any]] = []
    for frame, lineno in traceback.walk_tb(error.__traceback__):
        if frame.f_code.co_filename != path:
            continue  # the runner's, importlib's and NumPy's frames say nothing to the learner
        where = [lineno, frame.f_code.co_name[:80], 1]
        if frames and frames[-1][:2] == where[:2]:
            frames[-1][2] += 1
        else:
            frames.append(where)
    if len(frames) > MAX_FRAMES:
        frames = [*frames[: MAX_FRAMES // 2], [0, "...", 0], *frames[-MAX_FRAMES // 2 :]]
    description: dict[str, Any] = {
        "kind": _error_kind(error),
        "type": type(error).__name__[:80],
        "text": _exception_text(error),
        "frames": frames,
    }
    if isinstance(error, SystemExit):
        description["code"] = _safe_repr(error.code)
    return description


def _error_kind(error: BaseException) -> str:
    if isinstance(error, SystemExit):
        return "exit"
    if isinstance(error, KeyboardInterrupt):
        return "interrupt"
    if isinstance(error, RecursionError):
        return "recursion"
    if isinstance(error, MemoryError):
        return "memory"
    return "exception"


def _exception_text(error: BaseException) -> str:
    try:
        text = "".join(traceback.format_exception_only(type(error), error)).strip()
    except Exception:
        text = type(error).__name__
    return text[:MAX_TEXT]


def _safe_repr(value: object) -> str:
    try:
        return repr(value)[:80] if value is None or type(value) in (int, str) else "…"
    except Exception:
        return "…"


def _clear(tb: TracebackType | None) -> None:
    """Drop frame locals now: after a MemoryError they may hold the memory."""
    while tb is not None:
        with contextlib.suppress(RuntimeError):  # still executing (the runner's own frame)
            tb.tb_frame.clear()
        tb = tb.tb_next


def _save(name: str, array: np.ndarray) -> None:
    """Write a base-class ndarray as .npy (format 1.0) without NumPy's Python save code."""
    descr = array.dtype.str
    shape = tuple(int(size) for size in array.shape)
    header = f"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape!r}, }}"
    padding = 64 - (10 + len(header) + 1) % 64
    header_bytes = (header + " " * padding + "\n").encode("latin1")
    with _open(_join(_directory, name), "wb") as handle:
        handle.write(b"\x93NUMPY\x01\x00" + len(header_bytes).to_bytes(2, "little"))
        handle.write(header_bytes)
        handle.write(_tobytes(array, order="C"))


def _write_json(name: str, data: dict[str, Any]) -> None:
    with _open(_join(_directory, name), "w", encoding="utf-8") as handle:
        handle.write(_json_dumps(data))
