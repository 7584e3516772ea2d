"""Numbers in content/layers.md: a Linear layer's backward on a batch of 2, and a 1-D conv."""

from __future__ import annotations

import numpy as np

from tests.lesson_claims import NUMBER, Claim, claim, given

# The Linear example: N = 2, D_in = 3, D_out = 2.
X = np.array([[1.0, 2.0, 0.0], [-1.0, 0.0, 3.0]])
W = np.array([[0.5, -1.0], [1.0, 0.0], [0.0, 2.0]])
B = np.array([0.1, -0.2])
G = np.array([[1.0, 0.0], [0.5, -1.0]])

# The convolution example: one channel, T_in = 4, K = 2, so T_out = 3.
CX = np.array([1.0, 2.0, -1.0, 3.0])
CW = np.array([2.0, -1.0])
CB = 0.5
CG = np.array([1.0, 0.0, -1.0])


def conv_forward(x: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    t_out = len(x) - len(w) + 1
    return np.array([sum(w[k] * x[t + k] for k in range(len(w))) + b for t in range(t_out)])


def conv_grads() -> tuple[np.ndarray, float, np.ndarray]:
    """dw, db and dx by finite differences of L = Σt G[t]·out[t] (L is linear, so exact)."""

    def loss(x: np.ndarray, w: np.ndarray, b: float) -> float:
        return float(CG @ conv_forward(x, w, b))

    eye = np.eye
    dw = np.array([loss(CX, CW + e, CB) - loss(CX, CW, CB) for e in eye(len(CW))])
    dx = np.array([loss(CX + e, CW, CB) - loss(CX, CW, CB) for e in eye(len(CX))])
    db = loss(CX, CW, CB + 1) - loss(CX, CW, CB)
    return dw, db, dx


def entries(text: str, values: np.ndarray) -> list[Claim]:
    """One claim per number written after the last '=' of `text`, in order, against `values`."""
    written = NUMBER.findall(text.rpartition("=")[2])
    flat = np.asarray(values, dtype=float).ravel()
    assert len(written) == len(flat), (text, written, flat)
    return [claim(text, lambda v=v: v, stated=s) for s, v in zip(written, flat, strict=True)]


CLAIMS = [
    given("N = 2 examples, D_in = 3, D_out = 2"),
    *entries("out = [[2.6, −1.2], [−0.4, 6.8]]", X @ W + B),
    given("G = [[1, 0], [0.5, −1]]"),
    *entries("dW = xᵀ·G = [[0.5, 1], [2, 0], [1.5, −3]]", X.T @ G),
    *entries("db = Σn G = [1.5, −1]", G.sum(axis=0)),
    *entries("dx = G·Wᵀ = [[0.5, 1, 0], [1.25, 0.5, −2]]", G @ W.T),
    given("x[0, 0] = 1 in"),
    given("x[1, 0] = −1 in"),
    claim("∂L/∂W[0, 0] = 1·1 + (−1)·0.5 = 0.5", lambda: X[0, 0] * G[0, 0] + X[1, 0] * G[1, 0]),
    given("(N = 4, D_in = 3, D_out = 5)"),
    given("t = 0 … T_out − 1"),
    given("x = [1, 2, −1, 3], w = [2, −1], b = 0.5"),
    *entries("Then out = [0.5, 5.5, −4.5]", conv_forward(CX, CW, CB)),
    given("G = [1, 0, −1]"),
    *entries("dw = [2, −1]", conv_grads()[0]),
    claim("db = 0", lambda: conv_grads()[1]),
    *entries("dx = [2, −1, −2, 1]", conv_grads()[2]),
    claim("dw[1] = 1·2 + 0·(−1) + (−1)·3 = −1", lambda: conv_grads()[0][1]),
    claim("w[1]·G[0] + w[0]·G[1] = −1", lambda: CW[1] * CG[0] + CW[0] * CG[1]),
]
