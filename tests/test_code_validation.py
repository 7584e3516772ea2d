"""`pack validate` proves code exercises: reference passes, starter fails, bugs are caught."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

VALID = Path(__file__).resolve().parent / "fixtures" / "packs" / "valid"
EXERCISES = "exercises"


def validate(root: Path) -> tuple[int, list[dict[str, object]]]:
    result = subprocess.run(
        [sys.executable, "-m", "tutor", "pack", "validate", str(root), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    [entry] = json.loads(result.stdout)
    return result.returncode, entry["problems"]


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    root = tmp_path / "pack"
    shutil.copytree(VALID, root)
    return root


def test_the_sound_pack_is_proven(pack: Path) -> None:
    assert validate(pack) == (0, [])


@pytest.mark.parametrize(
    ("file", "text", "field", "message"),
    [
        # A "known-buggy" solution that is in fact right would tell learners they are wrong.
        (
            "scale_buggy_sign.py",
            (VALID / EXERCISES / "scale_reference.py").read_text(),
            "buggy[0].diagnosis",
            "should be rejected as 'sign', but it passes",
        ),
        # A bug declared as one mistake but graded as another: the author's label is wrong.
        (
            "scale_buggy_sign.py",
            (VALID / EXERCISES / "scale_buggy_no_batch_sum.py").read_text(),
            "buggy[0].diagnosis",
            "should be rejected as 'sign'",
        ),
        (
            "scale_reference.py",
            "def scale_forward(x, w):\n    return x * w\n\n\n"
            "def scale_backward(x, w, grad_out):\n    return grad_out * w, (grad_out * x)[0]\n",
            "reference",
            "the reference does not pass",
        ),
        (
            "scale_starter.py",
            (VALID / EXERCISES / "scale_reference.py").read_text(),
            "starter",
            "the starter already passes",
        ),
    ],
)
def test_an_unsound_code_exercise_is_reported(
    pack: Path, file: str, text: str, field: str, message: str
) -> None:
    (pack / EXERCISES / file).write_text(text)
    code, problems = validate(pack)
    assert code == 1
    assert any(p["field"] == field and message in str(p["message"]) for p in problems), problems


def test_a_broken_reference_is_a_clear_error_for_check_and_validate(pack: Path) -> None:
    reference = pack / EXERCISES / "scale_reference.py"
    reference.write_text(
        reference.read_text().replace("return x * w", "return x @ w.reshape(1, -1)", 1)
    )
    code, problems = validate(pack)
    assert code == 1 and any("reference forward" in str(p["message"]) for p in problems)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tutor",
            "--pack",
            str(pack),
            "check",
            "mini/scale-backward",
            str(reference),
            "--data-dir",
            str(pack.parent / "data"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2 and "cannot be graded" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_declared_wrong_means_no_named_cause() -> None:
    from tutor.core.grading.results import GradeResult
    from tutor.core.grading.validation import _diagnosed_as

    def failed(cause: str | None, headline: str) -> GradeResult:
        return GradeResult("failed", (), headline, cause, "", False, None, "limits-only")

    assert _diagnosed_as(
        failed(None, "dx is wrong, and no single simple mistake explains it"), "wrong"
    )
    assert _diagnosed_as(failed("elements", "3 of 12 entries of dx are wrong"), "wrong")
    assert not _diagnosed_as(failed("factor", "dK is off by a factor: a scale is wrong"), "wrong")
    assert _diagnosed_as(failed("factor", "dK is off by a factor: a scale is wrong"), "factor")
