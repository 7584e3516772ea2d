"""Exercise constants, a forward the learner implements too, and expected gradients from the
reference backward (custom gradients), graded through the sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import msgspec.structs
import numpy as np
import pytest

from tutor.core.grading.grader import AuthoringError, Grader, prepare
from tutor.core.grading.validation import validate_code_exercise
from tutor.core.model import CodeExercise, Pack
from tutor.core.packs import load_pack

MANIFEST = """format_version = 1
id = "features"
title = "Grader features"
version = "1.0.0"

[[units]]
id = "u"
title = "U"
items = ["leaky.toml"]
"""

EXERCISE = """id = "leaky"
kind = "code"
title = "Leaky ReLU, forward and backward"
prompt = "out = x where x > 0, alpha * x elsewhere."
solution = "dx = grad_out * where(x > 0, 1, alpha)"
function = "leaky_backward"
learner_forward = "leaky_forward"
signature = "leaky_backward(x, grad_out, alpha) -> dx"
forward = "leaky_forward"
starter = "starter.py"
reference = "reference.py"
gradients = ["x"]

[constants]
alpha = 0.1

[dims]
N = 4
D = 3

[[inputs]]
name = "x"
shape = ["N", "D"]
avoid = [0.0]
"""

FORWARD = "def leaky_forward(x, alpha):\n    return np.where(x > 0, x, alpha * x)\n"
BACKWARD = (
    "def leaky_backward(x, grad_out, alpha):\n"
    "    assert alpha.shape == ()\n"
    "    return grad_out * np.where(x > 0, 1.0, alpha)\n"
)
HEADER = "import numpy as np\n\n"


@pytest.fixture(scope="module")
def exercise(tmp_path_factory: pytest.TempPathFactory) -> CodeExercise:
    root = tmp_path_factory.mktemp("pack")
    (root / "pack.toml").write_text(MANIFEST)
    (root / "leaky.toml").write_text(EXERCISE)
    (root / "reference.py").write_text(HEADER + FORWARD + "\n\n" + BACKWARD)
    (root / "starter.py").write_text(
        HEADER + "def leaky_forward(x, alpha):\n    return x  # TODO\n\n\n"
        "def leaky_backward(x, grad_out, alpha):\n    return np.zeros_like(x)  # TODO\n"
    )
    pack = load_pack(root)
    assert isinstance(pack, Pack), pack
    [item] = pack.items()
    assert isinstance(item, CodeExercise) and item.constants == (("alpha", 0.1),)
    return item


@pytest.fixture(scope="module")
def grader() -> Iterator[Grader]:
    with Grader() as running:
        yield running


def test_right_forward_and_backward_pass(grader: Grader, exercise: CodeExercise) -> None:
    result = grader.grade(exercise, HEADER + FORWARD + BACKWARD)
    assert result.passed, result.diagnosis


def test_a_wrong_forward_is_reported_before_the_gradients(
    grader: Grader, exercise: CodeExercise
) -> None:
    wrong_forward = "def leaky_forward(x, alpha):\n    return np.maximum(x, 0)\n"
    result = grader.grade(exercise, HEADER + wrong_forward + BACKWARD)
    assert result.status == "failed" and result.cause == "forward"
    assert "leaky_forward computes different values" in result.diagnosis


def test_a_backward_that_ignores_the_constant_fails(grader: Grader, exercise: CodeExercise) -> None:
    ignores = "def leaky_backward(x, grad_out, alpha):\n    return grad_out * (x > 0)\n"
    result = grader.grade(exercise, HEADER + FORWARD + ignores)
    assert result.status == "failed" and result.cause == "elements"


def test_the_starter_fails(grader: Grader, exercise: CodeExercise) -> None:
    assert not grader.grade(exercise, exercise.starter.read_text()).passed


# --- expected = "reference": a custom gradient that is not the forward's derivative ---------

STE_EXERCISE = """id = "ste"
kind = "code"
title = "Straight-through rounding"
prompt = "out = round(x); backward passes grad_out straight through."
solution = "dx = grad_out"
function = "ste_backward"
signature = "ste_backward(x, grad_out) -> dx"
forward = "ste_forward"
starter = "ste_starter.py"
reference = "ste_reference.py"
gradients = ["x"]
expected = "reference"

[dims]
N = 4
D = 3

[[inputs]]
name = "x"
shape = ["N", "D"]
low = -3.0
high = 3.0
"""

CLIP_EXERCISE = """id = "clip"
kind = "code"
title = "Gradient clipping as a function"
prompt = "out = x; backward clips grad_out to [-c, c]."
solution = "dx = np.clip(grad_out, -c, c)"
function = "clip_backward"
signature = "clip_backward(x, grad_out, c) -> dx"
forward = "clip_forward"
starter = "clip_starter.py"
reference = "clip_reference.py"
gradients = ["x"]
expected = "reference"

[constants]
c = 0.5

[dims]
N = 5
D = 2

[[inputs]]
name = "x"
shape = ["N", "D"]
"""

STE_REFERENCE = (
    HEADER + "def ste_forward(x):\n    return np.round(x)\n\n\n"
    "def ste_backward(x, grad_out):\n    return grad_out.copy()\n"
)
CLIP_REFERENCE = (
    HEADER + "def clip_forward(x, c):\n    return x.copy()\n\n\n"
    "def clip_backward(x, grad_out, c):\n    return np.clip(grad_out, -c, c)\n"
)


def _custom_pack(root: Path, reference: str = STE_REFERENCE) -> dict[str, CodeExercise]:
    (root / "pack.toml").write_text(
        MANIFEST.replace('items = ["leaky.toml"]', 'items = ["ste.toml", "clip.toml"]')
    )
    (root / "ste.toml").write_text(STE_EXERCISE)
    (root / "clip.toml").write_text(CLIP_EXERCISE)
    (root / "ste_reference.py").write_text(reference)
    (root / "clip_reference.py").write_text(CLIP_REFERENCE)
    (root / "ste_starter.py").write_text(
        HEADER + "def ste_backward(x, grad_out):\n    return np.zeros_like(x)  # TODO\n"
    )
    (root / "clip_starter.py").write_text(
        HEADER + "def clip_backward(x, grad_out, c):\n    return grad_out  # TODO\n"
    )
    pack = load_pack(root)
    assert isinstance(pack, Pack), pack
    items = {item.id: item for item in pack.items() if isinstance(item, CodeExercise)}
    assert {item.expected for item in items.values()} == {"reference"}
    return items


@pytest.fixture(scope="module")
def custom(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CodeExercise]:
    return _custom_pack(tmp_path_factory.mktemp("custom"))


def test_a_straight_through_backward_passes(
    grader: Grader, custom: dict[str, CodeExercise]
) -> None:
    learner = HEADER + "def ste_backward(x, grad_out):\n    return grad_out * 1.0\n"
    result = grader.grade(custom["ste"], learner)
    assert result.passed, result.diagnosis


def test_the_true_derivative_of_rounding_is_rejected(
    grader: Grader, custom: dict[str, CodeExercise]
) -> None:
    # round() is flat almost everywhere: its true derivative, zeros, is what numerical
    # gradients would expect; with the reference backward it is the classic wrong answer.
    learner = HEADER + "def ste_backward(x, grad_out):\n    return np.zeros_like(x)\n"
    result = grader.grade(custom["ste"], learner)
    assert result.status == "failed" and result.cause == "zero", result.diagnosis


def test_a_sign_bug_in_a_custom_backward_is_diagnosed(
    grader: Grader, custom: dict[str, CodeExercise]
) -> None:
    learner = HEADER + "def ste_backward(x, grad_out):\n    return -grad_out\n"
    result = grader.grade(custom["ste"], learner)
    assert result.status == "failed" and result.cause == "sign", result.diagnosis


def test_a_clipping_backward_passes_and_an_unclipped_one_fails(
    grader: Grader, custom: dict[str, CodeExercise]
) -> None:
    right = HEADER + (
        "def clip_backward(x, grad_out, c):\n    return np.minimum(np.maximum(grad_out, -c), c)\n"
    )
    assert grader.grade(custom["clip"], right).passed
    # The forward is the identity, so its derivative passes grad_out through unclipped.
    unclipped = HEADER + "def clip_backward(x, grad_out, c):\n    return grad_out.copy()\n"
    result = grader.grade(custom["clip"], unclipped)
    assert result.status == "failed" and result.cause == "elements", result.diagnosis


def test_the_reference_gradients_come_from_the_reference_backward(
    custom: dict[str, CodeExercise],
) -> None:
    prepared = prepare(custom["clip"])
    assert prepared.full and len(prepared.expected) == len(prepared.cases)
    for case, [expected] in zip(prepared.cases, prepared.expected, strict=True):
        np.testing.assert_array_equal(expected, np.clip(case.upstream, -0.5, 0.5))


def test_a_broken_reference_backward_is_an_authoring_error(tmp_path: Path) -> None:
    wrong_shape = STE_REFERENCE.replace("return grad_out.copy()", "return grad_out.sum(axis=0)")
    exercise = _custom_pack(tmp_path, wrong_shape)["ste"]
    with pytest.raises(AuthoringError, match=r"ste_backward returns dx with shape \(3,\)"):
        prepare(exercise)


def test_pack_validate_proves_a_reference_mode_exercise(
    grader: Grader, custom: dict[str, CodeExercise]
) -> None:
    assert validate_code_exercise(custom["ste"], grader) == []
    assert validate_code_exercise(custom["clip"], grader) == []


def test_numerical_gradients_would_reject_the_straight_through_reference(
    grader: Grader, custom: dict[str, CodeExercise]
) -> None:
    numerical = msgspec.structs.replace(custom["ste"], expected="numerical")
    # round() is flat almost everywhere, so its numerical gradient is zero: the reference's
    # straight-through gradient would fail, and the do-nothing starter would pass.
    reference, starter = validate_code_exercise(numerical, grader)
    assert reference.field == "reference" and "does not pass" in reference.message
    assert starter.field == "starter" and "the starter already passes" in starter.message


def test_an_exception_is_summed_up_by_its_last_line(grader: Grader, exercise: CodeExercise) -> None:
    raises = (
        "def leaky_backward(x, grad_out, alpha):\n    return grad_out * np.ones(x.shape[1] + 1)\n"
    )
    result = grader.grade(exercise, HEADER + FORWARD + raises)
    assert result.status == "error" and result.error is not None
    assert result.error.startswith("Traceback (most recent call last):")
    assert result.diagnosis.startswith("ValueError: operands could not be broadcast"), result
