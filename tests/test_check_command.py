"""`backprop-tutor check ID FILE`: the real command, a real sandbox, a real progress file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tutor.core.packs import builtin_pack_dir
from tutor.core.progress import ProgressStore

EXERCISE = "core/linear-backward"
FILES = builtin_pack_dir() / "exercises" / "layers"


def check(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tutor", "check", *args, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_right_backward_passes_and_is_recorded_with_its_code(tmp_path: Path) -> None:
    result = check(tmp_path, EXERCISE, str(FILES / "linear_reference.py"), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["passed"] is True and report["error"] is None
    assert [g["name"] for g in report["gradients"]] == ["x", "W", "b"]
    with ProgressStore.open(tmp_path) as store:
        [attempt] = store.attempts()
        assert attempt.verdict == "passed" and "def linear_backward" in attempt.answer
        assert store.draft("core", "linear-backward") == attempt.answer
        assert store.status("core", "linear-backward") == "done"


@pytest.mark.parametrize(
    ("file", "cause", "words"),
    [
        ("linear_buggy_transposed.py", "transposed", "transposed"),
        ("linear_buggy_no_batch_sum.py", "batch-sum", "batch"),
        ("linear_buggy_sign.py", "sign", "sign"),
        ("linear_starter.py", "zero", "zeros"),
    ],
)
def test_a_wrong_backward_fails_with_its_diagnosis(
    tmp_path: Path, file: str, cause: str, words: str
) -> None:
    result = check(tmp_path, EXERCISE, str(FILES / file), "--json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["passed"] is False and report["cause"] == cause
    assert words in report["diagnosis"]
    assert {"stdout", "error", "gradients", "diagnosis"} <= report.keys()


def test_an_error_shows_the_learners_own_traceback(tmp_path: Path) -> None:
    solution = tmp_path / "mine.py"
    solution.write_text(
        "def linear_backward(x, W, b, grad_out):\n    print('hi')\n"
        "    return grad_out @ W, x.T @ grad_out, grad_out.sum(0)\n"
    )
    result = check(tmp_path, EXERCISE, str(solution))
    assert result.returncode == 1
    assert "✗ error" in result.stdout and "line 3" in result.stdout
    assert "runner.py" not in result.stdout and "zygote" not in result.stdout
    assert "hi" in result.stdout  # what their code printed is shown


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.py", "no such file"),
        (lambda d: d, "is a folder"),
        (lambda d: (d / "latin1.py", (d / "latin1.py").write_bytes(b"\xff\xfe"))[0], "not UTF-8"),
    ],
)
def test_an_unreadable_file_is_a_usage_error(tmp_path: Path, make: object, message: str) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    result = check(tmp_path / "data", EXERCISE, str(path))
    assert result.returncode == 2 and message in result.stderr
    assert "Traceback" not in result.stderr


def test_check_refuses_a_non_code_exercise(tmp_path: Path) -> None:
    result = check(tmp_path, "core/chain-rule", str(FILES / "linear_reference.py"))
    assert result.returncode == 2 and "not a code exercise" in result.stderr
