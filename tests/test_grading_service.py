"""Code grading through the real worker process, and the worker-process plumbing under it.

One warm `GradingService` serves the whole module (starting one imports NumPy and starts the
sandbox's zygote). Tests that kill or cancel its worker check that the next grade works, so
they leave it usable for the others. `WorkerProcess` itself is tested with a tiny echo worker
written to `tmp_path`, which starts in a few tens of milliseconds.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tutor.core.grading.protocol import grade_from_json, grade_to_json
from tutor.core.grading.results import GradeResult
from tutor.core.grading.service import GRADE_TIMEOUT_S, GradingService, GradingUnavailable
from tutor.core.model import CodeExercise
from tutor.core.packs import builtin_pack_dir, load_pack
from tutor.core.packs.exercises import load_exercise
from tutor.core.worker_process import WorkerCancelled, WorkerFailure, WorkerProcess

EXERCISE_ID = "linear-backward"
LAYERS = builtin_pack_dir() / "exercises" / "layers"
INFINITE_LOOP = "def linear_backward(x, W, b, grad_out):\n    while True:\n        pass\n"
CANCEL_BOUND_S = 3.0
"""Generous: cancelling kills a process group, which takes milliseconds when idle."""


@pytest.fixture(scope="module")
def exercise() -> CodeExercise:
    pack = load_pack(builtin_pack_dir(), "builtin")
    assert not isinstance(pack, list), pack
    [item] = [item for item in pack.items() if item.id == EXERCISE_ID]
    assert isinstance(item, CodeExercise)
    return item


@pytest.fixture(scope="module")
def service() -> Iterator[GradingService]:
    with GradingService() as running:
        running.start()
        yield running


def grade_file(service: GradingService, exercise: CodeExercise, name: str) -> GradeResult:
    """Grade one of the exercise's own files as if a learner had typed it."""
    code = (LAYERS / name).read_text(encoding="utf-8")
    return service.grade(exercise, builtin_pack_dir(), code)


def reference_passes(service: GradingService, exercise: CodeExercise) -> bool:
    return grade_file(service, exercise, "linear_reference.py").passed


def wait_until(condition: Callable[[], bool], timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


# --- processes, read from /proc ---------------------------------------------------------------


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a process, or None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()  # the command name may hold spaces and ")"
    return fields[0], int(fields[1])


def running(pid: int) -> bool:
    """Alive and not a zombie (an unreaped zombie uses no CPU)."""
    stat = _stat(pid)
    return stat is not None and stat[0] not in ("Z", "X")


def descendants(root: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            children.setdefault(stat[1], []).append(int(entry.name))
    found, todo = set(), [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


# --- verdicts ---------------------------------------------------------------------------------


def test_the_reference_solution_passes(service: GradingService, exercise: CodeExercise) -> None:
    result = grade_file(service, exercise, "linear_reference.py")
    assert result.status == "passed" and result.passed
    assert result.cause is None and result.diagnosis == ""
    assert [g.name for g in result.gradients] == ["x", "W", "b"]
    for gradient in result.gradients:
        assert gradient.passed and gradient.got_shape == gradient.expected_shape
        assert gradient.relative_error is not None and gradient.relative_error < 1e-6


def test_a_transposed_dW_fails_and_says_so(service: GradingService, exercise: CodeExercise) -> None:
    result = grade_file(service, exercise, "linear_buggy_transposed.py")
    assert result.status == "failed" and not result.passed
    assert result.cause == "transposed"
    assert "dW" in result.diagnosis and "transposed" in result.diagnosis
    by_name = {g.name: g for g in result.gradients}
    assert by_name["W"].cause == "transposed" and not by_name["W"].passed
    assert (by_name["W"].expected_shape, by_name["W"].got_shape) == ((3, 5), (5, 3))
    assert by_name["x"].passed and by_name["b"].passed  # only what is wrong is blamed


@pytest.mark.parametrize(
    ("name", "cause", "wrong"),
    [
        ("linear_buggy_no_batch_sum.py", "batch-sum", {"b"}),
        ("linear_buggy_sign.py", "sign", {"x", "W", "b"}),
    ],
)
def test_other_known_mistakes_get_their_cause(
    service: GradingService, exercise: CodeExercise, name: str, cause: str, wrong: set[str]
) -> None:
    result = grade_file(service, exercise, name)
    assert result.status == "failed" and result.cause == cause
    assert {g.name for g in result.gradients if not g.passed} == wrong


def test_a_solution_that_raises_shows_its_own_traceback(
    service: GradingService, exercise: CodeExercise
) -> None:
    code = "def linear_backward(x, W, b, grad_out):\n    raise ValueError('oops, no idea')\n"
    result = service.grade(exercise, builtin_pack_dir(), code)
    assert result.status == "error" and not result.passed
    assert result.error is not None and "ValueError: oops, no idea" in result.error
    assert "tutor/core" not in result.error  # only the learner's own lines


@pytest.mark.parametrize("name", ["linear_reference.py", "linear_buggy_transposed.py"])
def test_a_grade_survives_the_json_round_trip(
    service: GradingService, exercise: CodeExercise, name: str
) -> None:
    result = grade_file(service, exercise, name)
    data = json.loads(json.dumps(grade_to_json(result)))  # what the CLI prints and attempts keep
    assert data["passed"] is result.passed
    assert data["status"] == result.status and data["cause"] == result.cause
    assert all(isinstance(g["expected_shape"], list) for g in data["gradients"])
    assert grade_from_json(data) == result


MALFORMED: dict[str, Callable[[dict[str, Any]], object]] = {
    "no-gradients": lambda data: data.pop("gradients"),
    "gradients-not-a-list": lambda data: data.update(gradients=None),
    "gradient-without-shape": lambda data: data["gradients"][0].pop("expected_shape"),
    "unknown-field": lambda data: data.update(verdict="passed"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_grade_is_rejected(
    service: GradingService, exercise: CodeExercise, case: str
) -> None:
    # The service turns these errors into "the grader sent no usable result".
    data = grade_to_json(grade_file(service, exercise, "linear_reference.py"))
    MALFORMED[case](data)
    with pytest.raises((KeyError, TypeError, ValueError)):
        grade_from_json(data)


# --- stopping runaway code --------------------------------------------------------------------


def test_a_runaway_solution_is_cancelled_from_another_thread(
    service: GradingService, exercise: CodeExercise
) -> None:
    service.start()  # warm, so the grade below is running learner code when we cancel
    worker_pid = service.worker.pid
    assert worker_pid is not None
    idle = len(descendants(worker_pid))  # the sandbox's zygote (and bwrap) wait for a job
    outcome: dict[str, Any] = {}

    def grade_forever() -> None:
        try:
            outcome["result"] = service.grade(exercise, builtin_pack_dir(), INFINITE_LOOP)
        except BaseException as error:  # handed to the test thread to assert on
            outcome["error"] = error
        outcome["at"] = time.perf_counter()

    thread = threading.Thread(target=grade_forever, daemon=True)
    thread.start()
    assert wait_until(lambda: len(descendants(worker_pid)) > idle, 10.0)  # the job runs
    time.sleep(0.3)
    spinning = descendants(worker_pid)
    cancelled_at = time.perf_counter()
    service.cancel()
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert isinstance(outcome.get("error"), WorkerCancelled), outcome
    assert outcome["at"] - cancelled_at < CANCEL_BOUND_S
    # Nothing of it keeps burning CPU: the worker, the sandbox and the job are all gone.
    assert wait_until(lambda: not any(map(running, spinning | {worker_pid})), CANCEL_BOUND_S)
    # The next grade starts a fresh worker and works.
    assert reference_passes(service, exercise)
    assert service.worker.pid not in (None, worker_pid)


def test_grading_past_the_time_bound_is_stopped(
    service: GradingService, exercise: CodeExercise
) -> None:
    service.timeout_s = 1.0  # below the sandbox's own wall-time limit, so this bound acts
    try:
        started = time.perf_counter()
        with pytest.raises(GradingUnavailable, match="took too long"):
            service.grade(exercise, builtin_pack_dir(), INFINITE_LOOP)
        assert time.perf_counter() - started < 1.0 + CANCEL_BOUND_S
    finally:
        service.timeout_s = GRADE_TIMEOUT_S
    assert reference_passes(service, exercise)


def test_a_killed_grader_is_replaced_on_the_next_grade(
    service: GradingService, exercise: CodeExercise
) -> None:
    service.start()
    pid = service.worker.pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)  # as the OOM killer would, while it waits for work
    assert wait_until(lambda: service.worker.pid is None, 5.0)
    assert reference_passes(service, exercise)
    assert service.worker.pid not in (None, pid)


# --- broken exercises -------------------------------------------------------------------------

BROKEN_REFERENCES = {
    "forward-raises": (
        """
        def linear_forward(x, W, b):
            raise RuntimeError("the author's forward is broken")


        def linear_backward(x, W, b, grad_out):
            return grad_out @ W.T, x.T @ grad_out, grad_out.sum(axis=0)
        """,
        "RuntimeError: the author's forward is broken",
    ),
    "import-fails": (
        """
        import no_such_module_in_this_pack


        def linear_forward(x, W, b):
            return x @ W + b


        def linear_backward(x, W, b, grad_out):
            return grad_out @ W.T, x.T @ grad_out, grad_out.sum(axis=0)
        """,
        "no_such_module_in_this_pack",
    ),
}


def copied_exercise(tmp_path: Path) -> Path:
    """A copy of the linear-backward exercise folder; returns its TOML file."""
    shutil.copytree(LAYERS, tmp_path / "layers")
    return tmp_path / "layers" / "linear-backward.toml"


@pytest.mark.parametrize("case", list(BROKEN_REFERENCES))
def test_a_broken_reference_makes_grading_unavailable_naming_the_problem(
    service: GradingService, exercise: CodeExercise, tmp_path: Path, case: str
) -> None:
    source, problem = BROKEN_REFERENCES[case]
    toml = copied_exercise(tmp_path)
    (toml.parent / "linear_reference.py").write_text(textwrap.dedent(source), encoding="utf-8")
    broken = load_exercise(toml, tmp_path)
    assert isinstance(broken, CodeExercise), broken  # it loads: only running it shows it
    learner_code = (LAYERS / "linear_reference.py").read_text(encoding="utf-8")
    with pytest.raises(GradingUnavailable) as raised:
        service.grade(broken, tmp_path, learner_code)
    message = str(raised.value)
    assert message.startswith("the exercise is broken")
    assert problem in message
    assert reference_passes(service, exercise)  # one broken exercise breaks nothing else


def test_an_exercise_broken_after_loading_names_the_problem(
    service: GradingService, tmp_path: Path
) -> None:
    # An author edits the TOML while the tutor runs; the worker reloads it and finds the mistake.
    toml = copied_exercise(tmp_path)
    loaded = load_exercise(toml, tmp_path)
    assert isinstance(loaded, CodeExercise)
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace('gradients = ["x", "W", "b"]', 'gradients = ["x", "W", "q"]'))
    with pytest.raises(GradingUnavailable) as raised:
        service.grade(loaded, tmp_path, INFINITE_LOOP)
    assert "gradients" in str(raised.value) or "'q'" in str(raised.value)


# --- the caller's process stays light ---------------------------------------------------------

PARENT_SCRIPT = """
import json, sys
from tutor.core.grading.service import GradingService
from tutor.core.packs import builtin_pack_dir, load_pack

pack = load_pack(builtin_pack_dir(), "builtin")
[exercise] = [item for item in pack.items() if item.id == "linear-backward"]
with GradingService() as service:
    result = service.grade(exercise, pack.root, exercise.reference.read_text())
print(json.dumps({"passed": result.passed, "numpy": "numpy" in sys.modules}))
"""


def test_the_caller_never_imports_numpy() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", PARENT_SCRIPT],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=builtin_pack_dir(),
    )
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout.strip().splitlines()[-1])
    assert report == {"passed": True, "numpy": False}  # it graded, without NumPy here


# --- WorkerProcess, with a tiny echo worker ---------------------------------------------------

ECHO_WORKER = """
import os, pathlib, time
from tutor.core.worker_process import serve


def handle(request):
    if "fail" in request:
        raise RuntimeError(request["fail"])
    if "sleep" in request:
        pathlib.Path(request["started"]).touch()
        time.sleep(request["sleep"])
    return {"echo": request.get("say"), "pid": os.getpid()}


serve(handle, lambda: None)
"""


@pytest.fixture
def echo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[WorkerProcess]:
    (tmp_path / "echo_worker_for_tests.py").write_text(ECHO_WORKER, encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))  # the worker's environment inherits it
    worker = WorkerProcess("echo_worker_for_tests", "the echo worker", start_timeout_s=30.0)
    yield worker
    worker.close()


def test_worker_answers_and_survives_a_failing_request(echo: WorkerProcess) -> None:
    first = echo.ask({"say": "hello"}, timeout_s=30)
    assert first["echo"] == "hello"
    assert echo.ask({"fail": "bad request"}, timeout_s=30) == {"error": "RuntimeError: bad request"}
    assert echo.ask({"say": "again"}, timeout_s=30) == {"echo": "again", "pid": first["pid"]}


def test_worker_past_its_timeout_is_killed_and_replaced(
    echo: WorkerProcess, tmp_path: Path
) -> None:
    echo.start()
    pid = echo.pid
    started = time.perf_counter()
    with pytest.raises(TimeoutError):
        echo.ask({"sleep": 60, "started": str(tmp_path / "started")}, timeout_s=0.5)
    assert time.perf_counter() - started < 0.5 + CANCEL_BOUND_S
    assert pid is not None and not running(pid)
    reply = echo.ask({"say": "after"}, timeout_s=30)
    assert reply["echo"] == "after" and reply["pid"] != pid


def test_worker_cancelled_from_another_thread(echo: WorkerProcess, tmp_path: Path) -> None:
    echo.start()
    pid = echo.pid
    started = tmp_path / "started"
    outcome: dict[str, Any] = {}

    def ask_slowly() -> None:
        try:
            outcome["reply"] = echo.ask({"sleep": 60, "started": str(started)}, timeout_s=120)
        except BaseException as error:  # handed to the test thread to assert on
            outcome["error"] = error
        outcome["at"] = time.perf_counter()

    thread = threading.Thread(target=ask_slowly, daemon=True)
    thread.start()
    assert wait_until(started.exists, 10.0)  # the request is being worked on
    cancelled_at = time.perf_counter()
    echo.cancel()
    thread.join(timeout=10)
    assert isinstance(outcome.get("error"), WorkerCancelled), outcome
    assert outcome["at"] - cancelled_at < CANCEL_BOUND_S
    assert pid is not None and wait_until(lambda: not running(pid), CANCEL_BOUND_S)
    reply = echo.ask({"say": "next"}, timeout_s=30)
    assert reply["echo"] == "next" and reply["pid"] != pid


def test_a_killed_worker_is_replaced_on_the_next_request(echo: WorkerProcess) -> None:
    echo.start()
    pid = echo.pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    assert wait_until(lambda: echo.pid is None, 5.0)
    reply = echo.ask({"say": "still here"}, timeout_s=30)
    assert reply["echo"] == "still here" and reply["pid"] != pid


def test_a_worker_that_cannot_start_is_a_failure_naming_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))  # nothing to import there
    worker = WorkerProcess("no_such_worker_module_for_tests", "the missing worker", 30.0)
    try:
        with pytest.raises(WorkerFailure, match="the missing worker"):
            worker.ask({"say": "anyone?"}, timeout_s=30)
    finally:
        worker.close()
