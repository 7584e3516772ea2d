"""Numbers in content/bptt.md.

The worked example is the lesson's first Python block, run here as written; a central
difference of the loss checks its ∂L/∂w and ∂L/∂u independently. The clipping example runs
the lesson's second block.
"""

import math
import re
from functools import cache
from pathlib import Path

import numpy as np

from tests.lesson_claims import claim, given

LESSON = Path(__file__).resolve().parents[2] / "content" / "bptt.md"


@cache
def blocks() -> list[str]:
    found = re.findall(r"```python\n(.*?)```", LESSON.read_text(encoding="utf-8"), re.S)
    assert len(found) == 2, "the lesson has two Python blocks: the RNN example and clipping"
    return found


@cache
def example() -> dict:
    namespace: dict = {}
    exec(blocks()[0], namespace)
    return namespace


def clip_by_norm(grads: list[np.ndarray], max_norm: float) -> list[np.ndarray]:
    namespace: dict = {"np": np}
    exec(blocks()[1], namespace)
    return namespace["clip_by_norm"](grads, max_norm)


def h(t: int) -> float:
    return float(example()["hs"][t])


def term(t: int) -> float:
    return float(example()["terms"][t])


def loss(w: float, u: float) -> float:
    """The example's loss, written independently of the lesson's code."""
    state = 0.0
    for x in (1.0, -1.0, 2.0):
        state = math.tanh(w * state + u * x)
    return 0.5 * (state - 0.5) ** 2


def checked(name: str) -> float:
    """The lesson's dw or du, after checking it against a central difference."""
    step = 1e-6
    if name == "dw":
        numerical = (loss(0.8 + step, 0.5) - loss(0.8 - step, 0.5)) / (2 * step)
    else:
        numerical = (loss(0.8, 0.5 + step) - loss(0.8, 0.5 - step)) / (2 * step)
    value = float(example()[name])
    assert abs(value - numerical) < 1e-8, (name, value, numerical)
    return value


G = np.array([30.0, -40.0])


def clipped(i: int) -> float:
    return float(clip_by_norm([G], 5.0)[0][i])


CLAIMS = [
    given("t = 1 … T"),
    given("from t = T down to t = 1"),
    given("w = 0.8, u = 0.5, h0 = 0"),
    given("y = 0.5:"),
    given("# h0 = 0"),
    given("w, u, y = 0.8, 0.5, 0.5"),
    given("loss = 0.5 * (hs[3] - y) ** 2"),
    given("dw, du, terms = 0.0, 0.0, {}"),
    claim("h₁ ≈ 0.462", lambda: h(1)),
    claim("h₂ ≈ −0.130", lambda: h(2)),
    claim("h₃ ≈ 0.715", lambda: h(3)),
    claim("| 3      |  −0.130 |             −0.0136 |", lambda: h(2), stated="−0.130"),
    claim("| 3      |  −0.130 |             −0.0136 |", lambda: term(3)),
    claim("| 2      |   0.462 |              0.0382 |", lambda: h(1), stated="0.462"),
    claim("| 2      |   0.462 |              0.0382 |", lambda: term(2)),
    claim("| 1      |   0.000 |              0.0000 |", lambda: h(0), stated="0.000"),
    claim("| 1      |   0.000 |              0.0000 |", lambda: term(1)),
    claim("∂L/∂w ≈ 0.0246", lambda: checked("dw")),
    claim("∂L/∂u ≈ 0.179", lambda: checked("du")),
    claim("Look at the last step's term alone: −0.0136", lambda: term(3)),
    claim("0.9⁵⁰ ≈ 0.005", lambda: 0.9**50),
    given("Take g = (30, −40) and c = 5"),
    claim("Its norm is 50", lambda: np.linalg.norm(G)),
    claim("g · 5/50 → (3, −4)", lambda: clipped(0), stated="3"),
    claim("g · 5/50 → (3, −4)", lambda: clipped(1), stated="−4"),
    claim("would give\n(5, −5)", lambda: np.clip(G, -5, 5)[0], stated="5"),
    claim("would give\n(5, −5)", lambda: np.clip(G, -5, 5)[1], stated="−5"),
]
