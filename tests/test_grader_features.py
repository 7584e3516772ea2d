"""Exercise constants and a forward the learner implements too, graded through the sandbox."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tutor.core.grading.grader import Grader
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
