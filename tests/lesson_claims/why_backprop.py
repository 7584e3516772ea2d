"""Numbers in content/why-backprop.md: ŷ = w·x, L = (ŷ − y)² at x = 2, y = 6, w = 1; a
784 → 100 → 10 network's parameter and multiply-add counts."""

import itertools

from tests.lesson_claims import claim, given

X, Y = 2.0, 6.0


def loss(w: float) -> float:
    return (w * X - Y) ** 2


def grad(w: float) -> float:
    return 2 * (w * X - Y) * X


def step(w: float, eta: float = 0.05) -> float:
    return w - eta * grad(w)


SIZES = [784, 100, 10]
LAYERS = list(itertools.pairwise(SIZES))
PARAMETERS = sum(n_in * n_out + n_out for n_in, n_out in LAYERS)
FORWARD = sum(n_in * n_out for n_in, n_out in LAYERS)
# Backward: every layer's dW (same size as its forward product), and dx for all but the first.
BACKWARD = sum(n_in * n_out for n_in, n_out in LAYERS) + sum(
    n_in * n_out for n_in, n_out in LAYERS[1:]
)
NUDGE_PASSES = PARAMETERS + 1
NUDGE_COST = NUDGE_PASSES * FORWARD

CLAIMS = [
    given("784 inputs → 100 hidden units → 10 outputs"),
    given("x = 2, y = 6"),
    given("start from w = 1"),
    claim("Forward: ŷ = 2 and L = (2 − 6)² = 16", lambda: loss(1)),
    claim("ŷ = 2 and", lambda: 1 * X, stated="2"),
    claim("∂L/∂w = 2 · (2 − 6) · 2 = −16", lambda: grad(1)),
    given("At w = 1.001"),
    claim("L = 15.984004", lambda: loss(1.001)),
    claim(
        "ΔL/Δw = (15.984004 − 16) / 0.001 ≈ −15.996",
        lambda: (loss(1.001) - loss(1)) / 0.001,
    ),
    given("With η = 0.05"),
    claim("w = 1 − 0.05 · (−16) = 1.8", lambda: step(1)),
    claim("ŷ = 3.6", lambda: step(1) * X),
    claim("L = (3.6 − 6)² = 5.76", lambda: loss(step(1))),
    claim("| 78,500     |", lambda: 784 * 100 + 100),
    claim("| 1,010      |", lambda: 100 * 10 + 10),
    claim("That is 79,510 parameters", lambda: PARAMETERS),
    claim("784·100 + 100·10 = 79,400 multiply-adds", lambda: FORWARD),
    claim("79,510 + 1 = 79,511 forward passes", lambda: NUDGE_PASSES),
    claim("about 6,313,173,400 multiply-adds", lambda: NUDGE_COST),
    claim("per example (6.3 billion)", lambda: NUDGE_COST / 1e9),
    claim("two passes\nper parameter: 159,020", lambda: 2 * PARAMETERS),
    claim("78,400 + 1,000 + 1,000 = 80,400 multiply-adds", lambda: BACKWARD),
    claim("Forward plus backward: 159,800", lambda: FORWARD + BACKWARD),
    claim("79,511 forward passes       ≈ 6.3 billion", lambda: NUDGE_COST / 1e9),
    claim("≈ 160 thousand", lambda: (FORWARD + BACKWARD) / 1e3, stated="160"),
    claim(
        "about 39,500 times cheaper",
        lambda: round(NUDGE_COST / (FORWARD + BACKWARD), -2),
    ),
]
