"""Derivation checks through the real worker process, and the `answer` command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tutor.commands.answer import expressions_as_operands
from tutor.core.model import DerivationExercise
from tutor.core.packs import builtin_pack_dir, load_pack
from tutor.core.progress import ProgressStore
from tutor.core.symbolic.service import CHECK_TIMEOUT_S, SymbolicService

EXERCISE_ID = "core/chain-rule-three-steps"
RIGHT = {"dc-da": "2b", "dc-dx": "4(2x+3)"}

# Inputs an attacker or a cat on the keyboard might send; each must end in a clear verdict
# within the bound, never "correct", and leave the service working.
HOSTILE = [
    "__import__('os').system('touch /tmp/backprop-tutor-pwned')",
    "().__class__.__bases__[0].__subclasses__()",
    "lambda: 1",
    "x.__class__",
    "eval('1')",
    "exec('import os')",
    "open('/tmp/backprop-tutor-pwned', 'w')",
    "9**9**9**9",
    "2^2^2^2^2^2",
    "10^100000",
    "factorial(100000)",
    "100000!",
    "(" * 10_000 + "x" + ")" * 10_000,
    "x+" * 200_000 + "x",
    "x" * 1_000_000,
    "\x00x",
    "x\u202e+1",
    "x; import os",
    "[x for x in range(10**9)]",
    "{'a': 1}",
    "x = 2",
    "x @ x",
    "b(" * 3000 + ")" * 3000,
    "exp(exp(exp(exp(exp(exp(x))))))",
    "x^(10^10)",
    "1e999999",
    "0x41",
    "sigma(sigma(sigma(sigma(sigma(sigma(sigma(sigma(x))))))))" * 20,
    "😀",
    "\\x",
]


@pytest.fixture(scope="module")
def exercise() -> DerivationExercise:
    pack = load_pack(builtin_pack_dir(), "builtin")
    assert not isinstance(pack, list)
    item = next(item for item in pack.items() if item.id == EXERCISE_ID.split("/")[1])
    assert isinstance(item, DerivationExercise)
    return item


@pytest.fixture(scope="module")
def service() -> Iterator[SymbolicService]:
    with SymbolicService() as running:
        running.start()
        yield running


def test_right_answers_are_correct(service: SymbolicService, exercise: DerivationExercise) -> None:
    result = service.check(exercise, RIGHT)
    assert result.correct and [p.status for p in result.parts] == ["correct", "correct"]
    assert result.parts[1].parsed is not None and "x" in result.parts[1].parsed


def test_wrong_answer_gets_the_authors_feedback(
    service: SymbolicService, exercise: DerivationExercise
) -> None:
    result = service.check(exercise, {"dc-dx": "2b"})
    [part] = result.parts
    assert part.status == "incorrect" and part.mistake == "known"
    assert "∂a/∂x = 2" in part.feedback


def test_preview_shows_how_the_answer_was_read(
    service: SymbolicService, exercise: DerivationExercise
) -> None:
    assert service.preview(exercise, "4(2x+3)").parsed is not None
    unreadable = service.preview(exercise, "4(2q+3)")
    assert unreadable.parsed is None and unreadable.error and "q" in unreadable.error


@pytest.mark.parametrize("text", HOSTILE, ids=[repr(text[:24]) for text in HOSTILE])
def test_hostile_input_ends_in_a_clear_verdict_within_the_bound(
    service: SymbolicService, exercise: DerivationExercise, text: str
) -> None:
    started = time.perf_counter()
    result = service.check(exercise, {"dc-dx": text})
    elapsed = time.perf_counter() - started
    [part] = result.parts
    assert part.status != "correct"
    assert part.feedback
    assert elapsed < CHECK_TIMEOUT_S + 1.0  # the bound, plus the time to kill a worker
    assert not Path("/tmp/backprop-tutor-pwned").exists()
    assert service.check(exercise, RIGHT).correct  # the service is still usable


def test_a_check_over_the_bound_is_undecided_not_wrong(exercise: DerivationExercise) -> None:
    with SymbolicService(timeout_s=0.001) as impatient:
        impatient.start()
        result = impatient.check(exercise, RIGHT)
        assert {p.status for p in result.parts} == {"undecided"}
        assert {p.mistake for p in result.parts} == {"timeout"}
        impatient.timeout_s = CHECK_TIMEOUT_S
        assert impatient.check(exercise, RIGHT).correct  # restarted after the kill


def test_a_killed_worker_is_replaced(exercise: DerivationExercise) -> None:
    with SymbolicService() as running:
        running.start()
        pid = running.worker.pid
        assert pid is not None
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        result = running.check(exercise, RIGHT)
        # The reply to the first request after a crash may be lost; never a wrong verdict.
        assert {p.status for p in result.parts} <= {"correct", "undecided"}
        assert running.check(exercise, RIGHT).correct


def answer_cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tutor", "answer", *args, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_answer_command_correct_records_the_attempt(tmp_path: Path) -> None:
    result = answer_cli(tmp_path, EXERCISE_ID, "2b", "8x + 12", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["correct"] is True and len(report["parts"]) == 2
    assert report["parsed"][1] and report["feedback"] == ["", ""]
    with ProgressStore.open(tmp_path) as store:
        [attempt] = store.attempts()
        assert attempt.verdict == "correct" and attempt.score == 1.0
        assert store.status("core", "chain-rule-three-steps") == "done"


def test_answer_command_wrong_exits_1_with_feedback(tmp_path: Path) -> None:
    result = answer_cli(tmp_path, EXERCISE_ID, "2b", "-(8x + 12)")
    assert result.returncode == 1, result.stderr
    assert "✗ dc/dx" in result.stdout and "interpreted as" in result.stdout
    with ProgressStore.open(tmp_path) as store:
        assert [a.score for a in store.attempts()] == [0.5]


def test_answers_may_start_with_a_minus_sign(tmp_path: Path) -> None:
    # argparse takes "-2b" for an option; the shared options may still follow the answers.
    result = answer_cli(tmp_path, EXERCISE_ID, "-2b", "-8x-12", "--json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert [part["status"] for part in report["parts"]] == ["incorrect", "incorrect"]
    assert all("sign is flipped" in feedback for feedback in report["feedback"])


@pytest.mark.parametrize(
    ("arguments", "read_as"),
    [
        (["answer", "ID", "-a", "b"], ["answer", "--", "ID", "-a", "b"]),
        (
            ["answer", "ID", "-a", "--json", "--data-dir", "D", "--pack=P", "-h"],
            ["answer", "--json", "--data-dir", "D", "--pack=P", "--", "ID", "-a", "-h"],
        ),
        (
            ["--json", "--data-dir", "answer", "answer", "ID", "-a"],
            ["--json", "--data-dir", "answer", "answer", "--", "ID", "-a"],
        ),
        (["answer", "--help"], ["answer", "--help"]),
        (["answer", "ID", "--", "-a"], ["answer", "ID", "--", "-a"]),
        (["check", "ID", "-x"], ["check", "ID", "-x"]),
        ([], []),
    ],
)
def test_expressions_after_the_id_are_never_options(
    arguments: list[str], read_as: list[str]
) -> None:
    assert expressions_as_operands(arguments) == read_as


def test_answer_command_unreadable_exits_2_and_is_not_counted(tmp_path: Path) -> None:
    result = answer_cli(tmp_path, EXERCISE_ID, "2b", "8x + (12", "--json")
    assert result.returncode == 2
    report = json.loads(result.stdout)
    assert report["parts"][1]["status"] == "invalid" and report["feedback"][1]
    with ProgressStore.open(tmp_path) as store:
        assert store.attempts() == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((EXERCISE_ID, "2b"), "give one expression for each"),
        (("core/linear-backward", "x"), "is a code, not a derivation"),
        (("core/nope", "x"), "no lesson or exercise"),
    ],
)
def test_answer_command_usage_errors(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    result = answer_cli(tmp_path, *args)
    assert result.returncode == 2 and message in result.stderr
    assert "Traceback" not in result.stderr
