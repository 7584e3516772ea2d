"""Numbers in content/normalization-residual.md: LayerNorm of x = (1, 2, 6) with ε = 0."""

import numpy as np

from tests.lesson_claims import claim, given

X = np.array([1.0, 2.0, 6.0])
UPSTREAM = np.array([1.0, 0.0, 0.0])  # dx̂: the loss reads only the first output


def normalize(x: np.ndarray) -> np.ndarray:
    return (x - x.mean()) / np.sqrt(x.var())


def std() -> float:
    return float(np.sqrt(X.var()))


def xhat(i: int) -> float:
    return float(normalize(X)[i])


def formula_dx() -> np.ndarray:
    """The lesson's formula: (dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)) / s."""
    xh = normalize(X)
    return (UPSTREAM - UPSTREAM.mean() - xh * (UPSTREAM * xh).mean()) / std()


def numerical_dx(x: np.ndarray = X, h: float = 1e-6) -> np.ndarray:
    """Central differences of L = dx̂ · x̂(x): checks the formula independently."""
    grad = np.zeros_like(x)
    for j in range(x.size):
        step = np.eye(x.size)[j] * h
        grad[j] = (
            UPSTREAM[: x.size] @ normalize(x + step) - UPSTREAM[: x.size] @ normalize(x - step)
        ) / (2 * h)
    return grad


def dx(i: int) -> float:
    value = formula_dx()
    assert np.allclose(value, numerical_dx(), atol=1e-8), "formula disagrees with numbers"
    return float(value[i])


def two_feature_slope() -> float:
    """∂x̂₁/∂x₁ for two features and ε = 0, numerically (x̂ is ±1 whatever x is)."""
    x = np.array([0.3, 1.7])
    h = 1e-6
    step = np.array([h, 0.0])
    return float((normalize(x + step)[0] - normalize(x - step)[0]) / (2 * h))


CLAIMS = [
    given("x.mean(axis=1, keepdims=True)"),
    given("x.mean(axis=0)"),
    given("x.var(axis=1, keepdims=True)"),
    given("∂μ/∂xⱼ = 1/D"),
    claim("Σ dx = 0", lambda: formula_dx().sum()),
    claim("Σ dx ⊙ x̂ = 0", lambda: (formula_dx() * normalize(X)).sum()),
    given("x = (1, 2, 6)"),
    given("ε = 0"),
    claim("μ = 3", lambda: X.mean()),
    claim("v = 14/3", lambda: 3 * X.var(), stated="14"),
    claim("s ≈ 2.160", std),
    claim("x̂ ≈ (−0.926, −0.463, 1.389)", lambda: xhat(0), stated="−0.926"),
    claim("x̂ ≈ (−0.926, −0.463, 1.389)", lambda: xhat(1), stated="−0.463"),
    claim("x̂ ≈ (−0.926, −0.463, 1.389)", lambda: xhat(2), stated="1.389"),
    given("dx̂ = (1, 0, 0)"),
    claim("dx₁ ≈ 0.463", lambda: UPSTREAM[0] / std()),
    claim("mean(dx̂) = 1/3", lambda: 1 / UPSTREAM.mean(), stated="3"),
    claim("mean(dx̂ ⊙ x̂) ≈ −0.309", lambda: (UPSTREAM * normalize(X)).mean()),
    claim("dx ≈ (0.176, −0.220, 0.044)", lambda: dx(0), stated="0.176"),
    claim("dx ≈ (0.176, −0.220, 0.044)", lambda: dx(1), stated="−0.220"),
    claim("dx ≈ (0.176, −0.220, 0.044)", lambda: dx(2), stated="0.044"),
    claim("off by more than a factor of 2 on x₁", lambda: np.floor(UPSTREAM[0] / std() / dx(0))),
    claim("∂x̂/∂x = 0 exactly", two_feature_slope),
    given("∂y/∂x = 1 + f′(x)"),
    given("f′ = 0.1"),
    claim("0.1¹⁰ ≈ 1e-10", lambda: 0.1**10),
    claim("1.1¹⁰ ≈ 2.59", lambda: 1.1**10),
]
