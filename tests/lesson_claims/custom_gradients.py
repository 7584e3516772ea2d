"""Numbers in content/custom-gradients.md: softplus at 2, clipping (3, 4), rounding with the
straight-through estimator, and a two-layer scalar chain with a hook that doubles ∂L/∂h1."""

import math

import numpy as np

from tests.lesson_claims import claim, given


def softplus(x: float) -> float:
    return float(np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x))))


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def naive_softplus(x: float) -> float:
    with np.errstate(over="ignore"):
        return float(np.log(1 + np.exp(np.float64(x))))


G = np.array([3.0, 4.0])
ROUND_X = np.array([0.2, 0.7, 1.4])
ROUND_G = np.array([0.5, -1.0, 2.0])


def round_slopes() -> np.ndarray:
    """Central differences of round at ROUND_X: the true derivative, zero off the jumps."""
    h = 1e-3
    return (np.round(ROUND_X + h) - np.round(ROUND_X - h)) / (2 * h)


def value_clip(index: int) -> float:
    return float(np.clip(G, -1, 1)[index])


def norm_clip(index: int) -> float:
    norm = float(np.linalg.norm(G))
    return float((G * min(1.0, 1 / norm))[index])


# The chain h1 = w1·x, h2 = w2·h1, L = ½(h2 − y)².
X, W1, W2, Y = 1.5, 2.0, -0.5, 1.0
H1 = W1 * X
H2 = W2 * H1
DL_DH2 = H2 - Y
DL_DH1 = DL_DH2 * W2


CLAIMS = [
    # Stability: the naive form overflows where the stable one does not.
    claim("gives inf at\nx = 1000", lambda: 1000 if math.isinf(naive_softplus(1000)) else 0),
    claim("the form above gives 1000", lambda: softplus(1000.0)),
    claim("softplus(2) = ln(1 + e²) ≈ 2.1269", lambda: softplus(2.0)),
    claim("its slope is σ(2) ≈ 0.8808", lambda: sigmoid(2.0)),
    given("With grad_out = 0.5"),
    claim("0.5 · σ(2) ≈ 0.4404", lambda: 0.5 * sigmoid(2.0)),
    claim(
        "(softplus(2.001) − softplus(1.999)) / 0.002 ≈ 0.8808",
        lambda: (softplus(2.001) - softplus(1.999)) / 0.002,
    ),
    # Clipping g = (3, 4) with c = 1.
    given("g = (3, 4), so"),
    claim("‖g‖ = 5", lambda: float(np.linalg.norm(G))),
    given("and c = 1:"),
    claim("(3, 4) → (1, 1)", lambda: value_clip(0), stated="1"),
    claim("(3, 4) → (1, 1)", lambda: value_clip(1), stated="1"),
    claim("(3, 4) → (0.6, 0.8)", lambda: norm_clip(0), stated="0.6"),
    claim("(3, 4) → (0.6, 0.8)", lambda: norm_clip(1), stated="0.8"),
    # Rounding: forward q = round(x), the true derivative, and the straight-through estimator.
    given("q = round(x)"),
    given("For x = (0.2, 0.7, 1.4)"),
    claim("q = (0, 1, 1)", lambda: float(np.round(ROUND_X)[0]), stated="0"),
    claim("q = (0, 1, 1)", lambda: float(np.round(ROUND_X)[1]), stated="1"),
    claim("q = (0, 1, 1)", lambda: float(np.round(ROUND_X)[2]), stated="1"),
    given("With grad_out = (0.5, −1, 2)"),
    claim("return (0, 0, 0)", lambda: float(np.max(np.abs(round_slopes()))), stated="0"),
    # The chain and the hook.
    given("h1 = w1·x"),
    given("h2 = w2·h1"),
    given("With x = 1.5, w1 = 2, w2 = −0.5 and y = 1"),
    claim("h1 = 3,", lambda: H1, stated="3"),
    claim("h2 = −1.5", lambda: H2),
    claim("L = 3.125", lambda: 0.5 * (H2 - Y) ** 2),
    claim("∂L/∂h2 = h2 − y          = −2.5", lambda: DL_DH2),
    claim("∂L/∂w2 = −2.5 · h1       = −7.5", lambda: DL_DH2 * H1),
    claim("∂L/∂h1 = −2.5 · w2       = 1.25", lambda: DL_DH1),
    claim("∂L/∂w1 = 1.25 · x        = 1.875", lambda: DL_DH1 * X),
    claim("∂L/∂w1 → 3.75", lambda: 2 * DL_DH1 * X),
    claim("L is still 3.125", lambda: 0.5 * (H2 - Y) ** 2),
]
