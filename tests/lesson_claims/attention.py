"""Numbers in content/attention.md: a softmax Jacobian, saturation, and one query on two keys."""

import math

import numpy as np

from tests.lesson_claims import claim, given

Z = np.array([2.0, 1.0, 0.0])
G = np.array([1.0, -1.0, 0.5])


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max())
    return e / e.sum()


def jacobian(z: np.ndarray) -> np.ndarray:
    p = softmax(z)
    return np.diag(p) - np.outer(p, p)


def softmax_backward(z: np.ndarray, g: np.ndarray) -> np.ndarray:
    return jacobian(z) @ g


# The worked example: d = 4, one query, two keys, scalar values.
Q = np.array([1.0, 0.0, 1.0, 0.0])
K1 = np.array([1.0, 1.0, 1.0, 0.0])
K2 = np.array([0.0, 1.0, -1.0, 1.0])
V = np.array([2.0, -1.0])


def scores(q: np.ndarray) -> np.ndarray:
    return np.array([q @ K1, q @ K2]) / math.sqrt(4)


def weights(q: np.ndarray) -> np.ndarray:
    return softmax(scores(q))


def output(q: np.ndarray) -> float:
    return float(weights(q) @ V)


def ds1() -> float:
    p = weights(Q)
    return float(p[0] * p[1] * (V[0] - V[1]))


def dq() -> np.ndarray:
    return (ds1() * K1 - ds1() * K2) / math.sqrt(4)


Q_NUDGED = Q + np.array([0.0, 0.0, 0.01, 0.0])
SATURATED = 10 * Z


def jacobian_text(row: int) -> str:
    return "  ".join(f"{value:.4f}" for value in jacobian(Z)[row])


CLAIMS = [
    given("For z = (2, 1, 0)"),
    claim("Σ e^zⱼ ≈ 11.107", lambda: np.exp(Z).sum()),
    claim("p ≈ (0.665,", lambda: softmax(Z)[0], stated="0.665"),
    claim("0.245, 0.090)", lambda: softmax(Z)[1], stated="0.245"),
    claim("0.245, 0.090)", lambda: softmax(Z)[2], stated="0.090"),
    claim("p1    0.2227", lambda: jacobian(Z)[0, 0]),
    claim("−0.1628  −0.0599\np2", lambda: jacobian(Z)[0, 1], stated="−0.1628"),
    claim("−0.1628  −0.0599\np2", lambda: jacobian(Z)[0, 2], stated="−0.0599"),
    claim("p2   −0.1628", lambda: jacobian(Z)[1, 0]),
    claim("0.1848  −0.0220", lambda: jacobian(Z)[1, 1], stated="0.1848"),
    claim("0.1848  −0.0220", lambda: jacobian(Z)[1, 2], stated="−0.0220"),
    claim("p3   −0.0599", lambda: jacobian(Z)[2, 0]),
    claim("−0.0220   0.0819", lambda: jacobian(Z)[2, 1], stated="−0.0220"),
    claim("−0.0220   0.0819", lambda: jacobian(Z)[2, 2], stated="0.0819"),
    given("With g = (1, −1, 0.5)"),
    claim("ḡ ≈ 0.466", lambda: G @ softmax(Z)),
    claim("∂L/∂z ≈ (0.356,", lambda: softmax_backward(Z, G)[0], stated="0.356"),
    claim("−0.359, 0.003)", lambda: softmax_backward(Z, G)[1], stated="−0.359"),
    claim("−0.359, 0.003)", lambda: softmax_backward(Z, G)[2], stated="0.003"),
    claim("entries sum to 0", lambda: softmax_backward(Z, G).sum()),
    given("(axis=1, keepdims=True)"),
    claim(
        "∂L/∂z2 ≈ −0.185",
        lambda: G[1] * softmax(Z)[1] * (1 - softmax(Z)[1]),
    ),
    claim("instead of −0.359", lambda: softmax_backward(Z, G)[1]),
    given("z = (20, 10, 0)"),
    claim("p1 ≈ 0.99995", lambda: softmax(SATURATED)[0]),
    claim("p1(1 − p1) ≈ 0.0000454", lambda: jacobian(SATURATED)[0, 0]),
    claim("smaller than 0.2227", lambda: jacobian(Z)[0, 0]),
    given("For d = 64"),
    claim("√64 = 8", lambda: math.sqrt(64)),
    given("Take d = 4"),
    claim("√d = 2", lambda: math.sqrt(4)),
    given("q = (1, 0, 1, 0), k1 = (1, 1, 1, 0), k2 = (0, 1, −1, 1)"),
    given("v1 = 2, v2 = −1"),
    claim("s1 = q·k1 / 2 = 2 / 2  = 1", lambda: scores(Q)[0]),
    claim("q·k1 / 2 = 2", lambda: Q @ K1, stated="2"),
    claim("s2 = q·k2 / 2 = −1 / 2 = −0.5", lambda: scores(Q)[1]),
    claim("q·k2 / 2 = −1", lambda: Q @ K2, stated="−1"),
    claim("e^−0.5) ≈ 0.818", lambda: weights(Q)[0]),
    claim("p2 ≈ 0.182", lambda: weights(Q)[1]),
    claim("o  = p1·v1 + p2·v2 ≈ 1.453", lambda: output(Q)),
    given("L = o (so dO = 1)"),
    claim("∂o/∂v1 = p1 ≈ 0.818", lambda: weights(Q)[0]),
    claim("∂o/∂v2 = p2 ≈ 0.182", lambda: weights(Q)[1]),
    claim("p1·p2·(v1 − v2) ≈ 0.447", ds1),
    claim("∂o/∂s2 ≈ −0.447", lambda: -ds1()),
    claim("≈ (0.224, 0, 0.447, −0.224)", lambda: dq()[0], stated="0.224"),
    claim("≈ (0.224, 0, 0.447, −0.224)", lambda: dq()[1], stated="0"),
    claim("≈ (0.224, 0, 0.447, −0.224)", lambda: dq()[2], stated="0.447"),
    claim("≈ (0.224, 0, 0.447, −0.224)", lambda: dq()[3], stated="−0.224"),
    claim("≈ (0.224, 0, 0.224, 0)", lambda: ds1() * Q[0] / 2, stated="0.224"),
    claim("≈ (0.224, 0, 0.224, 0)", lambda: ds1() * Q[2] / 2, stated="0.224"),
    claim("≈ (0.224, 0, 0.224, 0)", lambda: ds1() * Q[1] / 2, stated="0"),
    given("raising q3 from 1 to 1.01"),
    claim("o ≈ 1.4572", lambda: output(Q_NUDGED)),
    claim("a slope of ≈ 0.446", lambda: (output(Q_NUDGED) - output(Q)) / 0.01),
    claim("close to 0.447", ds1),
]
