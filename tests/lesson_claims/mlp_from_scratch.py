"""Numbers in content/mlp-from-scratch.md, computed by running the lesson's own program.

The Python block of the lesson is extracted and executed (seeded, about half a second), as
are two one-line variants of it with the bugs the lesson describes, so the loss values it
prints are the ones the program really prints.
"""

import contextlib
import io
import math
import re
from functools import cache
from pathlib import Path

import numpy as np

from tests.lesson_claims import claim, given

LESSON = Path(__file__).resolve().parents[2] / "content" / "mlp-from-scratch.md"
PRINTED = re.compile(r"step\s+(\d+)\s+loss = (\S+)")

BUGS = {
    "output-derivative": ("dz1 = dh * (1 - h**2)", "dz1 = dh * (1 - z1**2)"),
    "no-mean": ("dpred = (pred - y) / N", "dpred = (pred - y)"),
}


def program() -> str:
    text = LESSON.read_text(encoding="utf-8")
    match = re.search(r"```python\n(.*?)```", text, re.DOTALL)
    assert match, "the lesson has no python block"
    return match.group(1)


@cache
def losses(bug: str | None = None) -> dict[int, float]:
    """The losses the program prints, by step (with one of BUGS applied, if given)."""
    source = program()
    if bug is not None:
        right, wrong = BUGS[bug]
        assert right in source
        source = source.replace(right, wrong)
    output = io.StringIO()
    with np.errstate(all="ignore"), contextlib.redirect_stdout(output):
        exec(compile(source, str(LESSON), "exec"), {})
    return {int(step): float(value) for step, value in PRINTED.findall(output.getvalue())}


@cache
def data() -> tuple[np.ndarray, np.ndarray]:
    """x and y exactly as the program draws them."""
    namespace: dict[str, object] = {}
    setup = program().split("W1 =")[0]
    exec(setup, namespace)
    return np.asarray(namespace["x"]), np.asarray(namespace["y"])


def nan_flag(value: float) -> float:
    """1.0 when the loss has become NaN (the lesson says so in words)."""
    return 1.0 if math.isnan(value) else 0.0


CLAIMS = [
    given("N, H = 64, 16"),
    given("lr = 0.5"),
    given("axis=0"),
    given("loss = 0.5 * np.mean"),
    given("tanh'(z1) = 1 − h²"),  # a formula: its 1 is not a computed value
    given("tanh' = 1 − h²"),
    claim("step    0  loss = 0.1242", lambda: losses()[0]),
    claim("step   10  loss = 0.0452", lambda: losses()[10]),
    claim("step  100  loss = 0.0032", lambda: losses()[100]),
    claim("step 1000  loss = 0.0017", lambda: losses()[1000]),
    claim("step 2000  loss = 0.0014", lambda: losses()[2000]),
    claim("½·var(y) ≈ 0.0498", lambda: 0.5 * float(np.var(data()[1]))),
    claim(
        "½·mean((x² − y)²) ≈ 0.0012",
        lambda: 0.5 * float(np.mean((data()[0] ** 2 - data()[1]) ** 2)),
    ),
    claim("still falls to 0.0033 at step 100", lambda: losses("output-derivative")[100], "0.0033"),
    claim(
        "it is NaN at step 2000",
        lambda: nan_flag(losses("output-derivative")[2000]) * 2000,
        stated="2000",
    ),
    claim("N = 64 times too large", lambda: len(data()[0]), stated="64"),
    claim("the loss is NaN by step 100", lambda: nan_flag(losses("no-mean")[100]) * 100, "100"),
]
