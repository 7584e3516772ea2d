"""Numbers in content/losses.md: MSE in two conventions, BCE with a sigmoid, softmax CE."""

import math

import numpy as np

from tests.lesson_claims import claim, given

P = np.array([2.5, 0.0, 2.0])
Y = np.array([3.0, -0.5, 2.0])
N = len(P)


def mse_mean() -> float:
    return float(np.mean((P - Y) ** 2))


def mse_mean_grad(i: int) -> float:
    return float(2 * (P - Y)[i] / N)


def mse_half_grad(i: int) -> float:
    return float((P - Y)[i] / N)


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


Z = np.array([2.0, 1.0, 0.1])
ONE_HOT = np.array([1.0, 0.0, 0.0])


def softmax() -> np.ndarray:
    e = np.exp(Z - Z.max())
    return e / e.sum()


CLAIMS = [
    given("N = 3, predictions p = (2.5, 0.0, 2.0)"),
    given("y = (3.0, −0.5, 2.0)"),
    claim("p − y = (−0.5, 0.5, 0.0)", lambda: (P - Y)[0], stated="−0.5"),
    claim("p − y = (−0.5, 0.5, 0.0)", lambda: (P - Y)[1], stated="0.5"),
    claim("p − y = (−0.5, 0.5, 0.0)", lambda: (P - Y)[2], stated="0.0"),
    claim("L = (0.25 + 0.25 + 0) / 3 ≈ 0.1667", lambda: (P - Y)[0] ** 2, stated="0.25"),
    claim("L = (0.25 + 0.25 + 0) / 3 ≈ 0.1667", mse_mean),
    claim("∂L/∂p = 2(p − y)/3 ≈ (−0.3333, 0.3333, 0)", lambda: mse_mean_grad(0), "−0.3333"),
    claim("∂L/∂p = 2(p − y)/3 ≈ (−0.3333, 0.3333, 0)", lambda: mse_mean_grad(1), "0.3333"),
    claim("½ mean:  L ≈ 0.0833", lambda: mse_mean() / 2),
    claim("∂L/∂p = (p − y)/3  ≈ (−0.1667, 0.1667, 0)", lambda: mse_half_grad(0), "−0.1667"),
    claim("∂L/∂p = (p − y)/3  ≈ (−0.1667, 0.1667, 0)", lambda: mse_half_grad(1), "0.1667"),
    given("For z = 0.5 and y = 1"),
    claim("a = σ(0.5) ≈ 0.6225", lambda: sigmoid(0.5)),
    claim("L = −ln a ≈ 0.4741", lambda: -math.log(sigmoid(0.5))),
    claim("∂L/∂z = a − y ≈ −0.3775", lambda: sigmoid(0.5) - 1),
    given("any y with Σₖ yₖ = 1"),
    given("The last step needs Σₖ yₖ = 1"),
    given("z = (2.0, 1.0, 0.1)"),
    claim("p      ≈ (0.6590, 0.2424, 0.0986)", lambda: softmax()[0], stated="0.6590"),
    claim("p      ≈ (0.6590, 0.2424, 0.0986)", lambda: softmax()[1], stated="0.2424"),
    claim("p      ≈ (0.6590, 0.2424, 0.0986)", lambda: softmax()[2], stated="0.0986"),
    claim("L      = −ln p₁ ≈ 0.4170", lambda: -math.log(softmax()[0])),
    claim("p − y ≈ (−0.3410, 0.2424, 0.0986)", lambda: (softmax() - ONE_HOT)[0], "−0.3410"),
    claim("p − y ≈ (−0.3410, 0.2424, 0.0986)", lambda: (softmax() - ONE_HOT)[1], "0.2424"),
    claim("p − y ≈ (−0.3410, 0.2424, 0.0986)", lambda: (softmax() - ONE_HOT)[2], "0.0986"),
    claim("The entries of p − y always sum to 0", lambda: float(np.sum(softmax() - ONE_HOT))),
    given("dlogits[np.arange(N), labels] -= 1"),
    given("axis=1, keepdims=True)"),
]
