"""Numbers in content/vanishing-exploding.md.

The 10-layer experiment is the lesson's own code block, run here as written, so the table
shows what that code prints.
"""

import math
import re
from functools import cache
from pathlib import Path

from tests.lesson_claims import claim, given

LESSON = Path(__file__).resolve().parents[2] / "content" / "vanishing-exploding.md"


@cache
def experiment() -> dict:
    """Run the lesson's Python block; return its namespace (sigmoid_norms, relu_norms, …)."""
    blocks = re.findall(r"```python\n(.*?)```", LESSON.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 1, "the lesson has one Python block: the experiment"
    namespace: dict = {}
    exec(blocks[0], namespace)
    return namespace


def sig(layer: int) -> float:
    return float(experiment()["sigmoid_norms"][layer - 1])


def relu(layer: int) -> float:
    return float(experiment()["relu_norms"][layer - 1])


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def sigmoid_slope(z: float) -> float:
    return sigmoid(z) * (1 - sigmoid(z))


def sigmoid_ratios() -> list[float]:
    return [sig(k + 1) / sig(k) for k in range(1, 10)]


TABLE = {
    1: ("6.9e-7", "14.5"),
    2: ("1.0e-5", "24.6"),
    3: ("4.5e-5", "31.7"),
    4: ("1.4e-4", "37.4"),
    5: ("6.4e-4", "57.3"),
    6: ("2.3e-3", "49.8"),
    7: ("9.4e-3", "40.9"),
    8: ("0.041", "35.0"),
    9: ("0.16", "33.6"),
    10: ("0.49", "30.7"),
}


def row(layer: int) -> str:
    s, r = TABLE[layer]
    return f"| {layer:<5} | {s:>16} | {r:>13} |"


CLAIMS = [
    claim("0.9⁵⁰ ≈ 0.005", lambda: 0.9**50),
    claim("1.1⁵⁰ ≈ 117", lambda: 1.1**50),
    given("z = h @ W"),
    given("largest at z = 0"),
    claim("σ′(0) = 0.25", lambda: sigmoid_slope(0.0)),
    claim("σ′(5) ≈ 0.0066", lambda: sigmoid_slope(5.0)),
    claim("0.25¹⁰ ≈ 9.5e-7", lambda: 0.25**10),
    claim("norms[9] / norms[0] ≈ 7.1e5", lambda: sig(10) / sig(1)),
    claim("a factor of 3 to 15 at every layer", lambda: min(sigmoid_ratios()), stated="3"),
    claim("a factor of 3 to 15 at every layer", lambda: max(sigmoid_ratios()), stated="15"),
    claim(
        "stays within a factor of about 4",
        lambda: max(relu(k) for k in range(1, 11)) / min(relu(k) for k in range(1, 11)),
    ),
    given("h_k = h_{k−1} + f(h_{k−1})"),
    given("dh = (hs[-1] - y) / N"),
    given("weight_std, n_layers=10, D=32, N=64"),
    given("default_rng(0)"),
    given("weight_std=1 / np.sqrt(32)"),
]
for _layer, (_s, _r) in TABLE.items():
    CLAIMS.append(claim(row(_layer), lambda k=_layer: sig(k), stated=_s))
    CLAIMS.append(claim(row(_layer), lambda k=_layer: relu(k), stated=_r))
