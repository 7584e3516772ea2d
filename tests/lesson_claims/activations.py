"""Numbers in content/activations.md: slopes of ReLU, sigmoid, tanh and swish."""

from __future__ import annotations

import math

from tests.lesson_claims import Claim, claim, given


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def d_sigmoid(z: float) -> float:
    return sigmoid(z) * (1.0 - sigmoid(z))


def d_tanh(z: float) -> float:
    return 1.0 - math.tanh(z) ** 2


def swish(z: float) -> float:
    return z * sigmoid(z)


def d_swish(z: float) -> float:
    return sigmoid(z) + z * d_sigmoid(z)


def numerical(f, z: float, h: float = 1e-6) -> float:  # type: ignore[no-untyped-def]
    return (f(z + h) - f(z - h)) / (2 * h)


def row(text: str, *values: float) -> list[Claim]:
    """A table row: one claim per number after the row's label, in order."""
    cells = [cell.strip() for cell in text.strip("|").split("|")[1:]]
    assert len(cells) == len(values), (cells, values)
    return [claim(text, lambda v=v: v, stated=cell) for cell, v in zip(cells, values, strict=True)]


CLAIMS = [
    # Formulas, not numbers: the "1" after "=" is part of an identity.
    given("σ(z) = 1/(1 + e^(−z))"),
    given("tanh'(z) = 1 − a²"),
    given("slopes at z = 2"),
    *row(
        "| a = f(2) | 2 | 0.8808 | 0.9640 | 1.7616 |",
        max(2.0, 0.0),
        sigmoid(2),
        math.tanh(2),
        swish(2),
    ),
    # ReLU's slope at 2 by a finite difference; the others from their formulas.
    *row(
        "| f'(2) | 1 | 0.1050 | 0.0707 | 1.0908 |",
        numerical(lambda z: max(z, 0.0), 2),
        d_sigmoid(2),
        d_tanh(2),
        d_swish(2),
    ),
    claim("σ'(2) = 0.8808 · (1 − 0.8808) ≈ 0.1050", lambda: numerical(sigmoid, 2)),
    claim("tanh'(2) = 1 − 0.9640² ≈ 0.0707", lambda: numerical(math.tanh, 2)),
    claim("σ(2) + 2·σ'(2) ≈ 1.0908", lambda: numerical(swish, 2)),
    claim("at z = −2 it is ≈ −0.0908", lambda: numerical(swish, -2), stated="−0.0908"),
    claim("largest at z = 0, where σ'(0) = 0.25", lambda: numerical(sigmoid, 0)),
    claim("σ'(4) ≈ 0.0177", lambda: numerical(sigmoid, 4)),
    claim("tanh'(0) = 1", lambda: numerical(math.tanh, 0)),
    claim("tanh'(4) ≈ 0.0013", lambda: numerical(math.tanh, 4)),
    claim("0.25¹⁰ ≈ 9.5e-7", lambda: 0.25**10),
    given("α = 0.01 is common"),
    given("relu'(0) = 0"),
]
