"""Numbers in content/single-neuron.md: a sigmoid neuron with x = (2, −1), w = (0.5, 0.3),
b = 0.1, target y = 1 and loss ½(a − y)²; the sigmoid's slope at 0 and at 4."""

import numpy as np

from tests.lesson_claims import claim, given

X = np.array([2.0, -1.0])
W = np.array([0.5, 0.3])
B, Y = 0.1, 1.0


def sigmoid(z: float) -> float:
    return float(1 / (1 + np.exp(-z)))


def slope(z: float) -> float:
    return sigmoid(z) * (1 - sigmoid(z))


def forward(w: np.ndarray, b: float, x: np.ndarray) -> dict[str, float]:
    z = float(w @ x + b)
    a = sigmoid(z)
    return {"z": z, "a": a, "L": 0.5 * (a - Y) ** 2}


def backward() -> dict[str, float]:
    """The lesson's NumPy code, run for real."""
    a = forward(W, B, X)["a"]
    dz = (a - Y) * a * (1 - a)
    dw, dx = dz * X, dz * W
    return {
        "da": a - Y,
        "slope": a * (1 - a),
        "dz": dz,
        "dw1": dw[0],
        "dw2": dw[1],
        "db": dz,
        "dx1": dx[0],
        "dx2": dx[1],
    }


def nudged_dw1(h: float = 0.001) -> float:
    return (forward(W + np.array([h, 0.0]), B, X)["L"] - forward(W, B, X)["L"]) / h


CLAIMS = [
    # Formulas: their numbers are part of the definitions, not results.
    given("σ(z) = 1 / (1 + e^(−z))"),
    given("= 1/(1 + e^(−z)) · e^(−z)/(1 + e^(−z))"),
    given("e^(−z)/(1 + e^(−z)) = 1 − σ(z)"),
    given("tanh'(z) = 1 − tanh²(z) = 1 − a²"),
    given("∂z/∂b = 1"),
    given("a = 1 / (1 + np.exp(-z))"),
    given("largest at z = 0"),
    given("where σ(0) = 0.5"),
    claim("σ'(0) = 0.5 · 0.5 = 0.25", lambda: slope(0)),
    given("at z = 4"),
    claim("σ(4) ≈ 0.982", lambda: sigmoid(4)),
    claim("σ'(4) ≈ 0.0177", lambda: slope(4)),
    given("x = (2, −1), weights w = (0.5, 0.3), bias b = 0.1, target y = 1."),
    claim("z = 0.5·2 + 0.3·(−1) + 0.1 = 0.8", lambda: forward(W, B, X)["z"]),
    claim("a = σ(0.8) ≈ 0.6900", lambda: forward(W, B, X)["a"]),
    claim("L = ½(0.6900 − 1)² ≈ 0.0481", lambda: forward(W, B, X)["L"]),
    claim("∂L/∂a = a − y ≈ −0.3100", lambda: backward()["da"]),
    claim("∂a/∂z = a(1 − a) ≈ 0.2139", lambda: backward()["slope"]),
    claim("δ = ∂L/∂z ≈ −0.3100 · 0.2139 ≈ −0.0663", lambda: backward()["dz"]),
    claim("∂L/∂w₁ = δ · x₁ ≈ −0.1326", lambda: backward()["dw1"]),
    claim("∂L/∂w₂ = δ · x₂ ≈ 0.0663", lambda: backward()["dw2"]),
    claim("∂L/∂b  = δ      ≈ −0.0663", lambda: backward()["db"]),
    claim("∂L/∂x₁ = δ · w₁ ≈ −0.0332", lambda: backward()["dx1"]),
    claim("∂L/∂x₂ = δ · w₂ ≈ −0.0199", lambda: backward()["dx2"]),
    claim("ΔL/Δw₁ ≈ −0.1325", nudged_dw1),
    claim("a ≈ 0.982 with y = 0", lambda: sigmoid(4), stated="0.982"),
    claim("that\nfactor is about 0.0177", lambda: slope(4)),
]
