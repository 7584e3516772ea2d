"""Numbers in content/gradient-checking.md: difference errors, step sizes, the layer check.

The table's errors are recomputed for f(x) = eˣ at x = 1 in float64 and float32, and the
layer check runs the lesson's own Python block.
"""

import contextlib
import io
import math
import re
from functools import cache
from pathlib import Path

import numpy as np

from tests.lesson_claims import claim, given

LESSON = Path(__file__).resolve().parents[2] / "content" / "gradient-checking.md"
STEPS = ("1e-1", "1e-3", "1e-5", "1e-7", "1e-9")


def forward_error(h: float) -> float:
    return abs((math.exp(1 + h) - math.exp(1)) / h - math.e) / math.e


def central_error(h: float) -> float:
    return abs((math.exp(1 + h) - math.exp(1 - h)) / (2 * h) - math.e) / math.e


def central_error32(h: float) -> float:
    x, step = np.float32(1.0), np.float32(h)
    estimate = (np.exp(x + step) - np.exp(x - step)) / (np.float32(2) * step)
    return abs(float(estimate) - math.e) / math.e


ROWS = [  # the table as written in the lesson: h, then the three errors
    ("| 1e-1 | 5.2e-2 | 1.7e-3 | 1.7e-3 |", 1e-1),
    ("| 1e-3 | 5.0e-4 | 1.7e-7 | 2.6e-5 |", 1e-3),
    ("| 1e-5 | 5.0e-6 | 2.2e-11 | 4.5e-3 |", 1e-5),
    ("| 1e-7 | 5.1e-8 | 2.2e-11 | 5.6e-1 |", 1e-7),
    ("| 1e-9 | 7.9e-8 | 2.4e-9 | 1.0e+0 |", 1e-9),
]


def table_claims() -> list:
    claims = []
    for row, h in ROWS:
        cells = [cell.strip() for cell in row.strip("|").split("|")][1:]
        errors = (forward_error, central_error, central_error32)
        for cell, error in zip(cells, errors, strict=True):
            stated = cell.replace("e+", "e")
            claims.append(claim(row, lambda e=error, h=h: e(h), stated=stated))
    return claims


@cache
def printed() -> list[float]:
    """What the lesson's Python block prints."""
    code = re.search(r"```python\n(.*?)```", LESSON.read_text(encoding="utf-8"), re.DOTALL)
    assert code, "the lesson has no python block"
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        exec(code.group(1), {})
    return [float(line) for line in output.getvalue().split()]


def relu_central(x: float, h: float) -> float:
    return (max(x + h, 0.0) - max(x - h, 0.0)) / (2 * h)


EPS64 = float(np.finfo(np.float64).eps)
EPS32 = float(np.finfo(np.float32).eps)

CLAIMS = [
    given("h = 1e-5"),
    given("h=1e-5"),
    given("h = 1e-3"),
    given("x = 1e-6"),
    given("at x = 1"),
    given("|f| ≈ |f'''| ≈ 1"),
    claim("h²/6 ≈ 1.7e-11", lambda: 1e-5**2 / 6),
    claim("h/2 = 5e-6", lambda: 1e-5 / 2),
    claim("machine epsilon ε ≈ 2.2e-16", lambda: EPS64),
    claim("h = (3ε)^(1/3) ≈ 8.7e-6", lambda: (3 * EPS64) ** (1 / 3)),
    claim("with ε ≈ 1.2e-7", lambda: EPS32),
    *table_claims(),
    claim("The first line prints about 6e-11", lambda: printed()[0]),
    claim("the planted bug scores 0.5", lambda: printed()[1]),
    claim("the central\n  difference gives 0.55", lambda: relu_central(1e-6, 1e-5)),
]
