"""Numbers in content/beyond-gradients.md: momentum, Adam, Newton, LoRA sizes, checkpointing
and float16 loss scaling."""

import math

import numpy as np

from tests.lesson_claims import claim, given


def momentum(beta: float, eta: float, g: float, steps: int) -> list[tuple[float, float]]:
    """(velocity, move of θ) after each step, from v = 0, with a constant gradient g."""
    v, history = 0.0, []
    for _ in range(steps):
        v = beta * v + g
        history.append((v, -eta * v))
    return history


MOMENTUM = momentum(0.9, 0.1, 2.0, 3)


def adam_first_step(g: float, b1: float, b2: float) -> dict[str, float]:
    m = (1 - b1) * g
    v = (1 - b2) * g * g
    m_hat, v_hat = m / (1 - b1), v / (1 - b2)
    return {"m": m, "v": v, "m_hat": m_hat, "v_hat": v_hat, "ratio": m_hat / math.sqrt(v_hat)}


ADAM = adam_first_step(0.002, 0.9, 0.999)


def loss_slope(theta: float) -> float:
    return 4 * (theta - 3)  # d/dθ of 2(θ − 3)²


LOSS_CURVATURE = 4.0  # d²/dθ² of 2(θ − 3)²

FULL = 4096 * 4096
ADAPTER = 4096 * 8 + 8 * 4096

LAYERS, EVERY = 100, 10
FORWARD, BACKWARD = 1, 2  # cost units: a backward pass ≈ two forward passes

TRUE_GRADIENT, SCALE = 1e-8, 1024


def stored_scaled() -> float:
    return float(np.float16(TRUE_GRADIENT * SCALE))


def unscaled() -> float:
    return float(np.float32(stored_scaled()) / np.float32(SCALE))


CLAIMS = [
    given("points where g ≈ 0 (minima"),
    given("With β = 0.9, η = 0.1"),
    given("the same gradient g = 2 three times, starting from v = 0"),
    claim("step 1:  v = 2", lambda: MOMENTUM[0][0]),
    claim("θ moves by −0.2\n", lambda: MOMENTUM[0][1], stated="−0.2"),
    claim("v = 0.9·2 + 2 = 3.8", lambda: MOMENTUM[1][0]),
    claim("θ moves by −0.38", lambda: MOMENTUM[1][1]),
    claim("v = 0.9·3.8 + 2 = 5.42", lambda: MOMENTUM[2][0]),
    claim("θ moves by −0.542", lambda: MOMENTUM[2][1]),
    claim("θ moves by −1.122", lambda: sum(move for _, move in MOMENTUM)),
    claim("against −0.6 for plain SGD", lambda: -0.1 * 2.0 * 3),
    claim("g/(1 − β) = 20", lambda: 2.0 / (1 - 0.9)),
    given("(t = 1) with g = 0.002, β1 = 0.9 and β2 = 0.999"),
    claim("m = 0.0002,", lambda: ADAM["m"], stated="0.0002"),
    claim("v = 4e-9", lambda: ADAM["v"]),
    claim("m̂ = 0.002", lambda: ADAM["m_hat"]),
    claim("v̂ = 4e-6", lambda: ADAM["v_hat"]),
    claim("m̂/√v̂ = 1", lambda: ADAM["ratio"]),
    given("On L(θ) = 2(θ − 3)², from θ = 0"),
    claim("L' = −12", lambda: loss_slope(0.0)),
    claim("L'' = 4", lambda: LOSS_CURVATURE),
    claim("Newton jumps to\nθ = 3", lambda: 0.0 - loss_slope(0.0) / LOSS_CURVATURE, stated="3"),
    claim("gradient descent with η = 0.1 reaches only 1.2", lambda: 0.0 - 0.1 * loss_slope(0.0)),
    given("for n = 1,000,000"),
    given("For D_in = D_out = 4096 and r = 8"),
    claim("W has 16,777,216 entries", lambda: FULL),
    claim("65,536, so", lambda: ADAPTER, stated="65,536"),
    claim("0.39% of the layer", lambda: 100 * ADAPTER / FULL),
    given("LoRA starts with B = 0"),
    given("dh = 0 and dA = 0"),
    given("With 100 layers and a checkpoint every 10 layers"),
    claim("the 10 checkpoints", lambda: LAYERS / EVERY),
    claim("the 10 layers of the segment", lambda: EVERY),
    claim("20 layers' activations", lambda: LAYERS / EVERY + EVERY),
    claim("instead of 100", lambda: LAYERS),
    claim("from 3 to", lambda: FORWARD + BACKWARD, stated="3"),
    claim("to 4 forward-pass units", lambda: 2 * FORWARD + BACKWARD),
    claim("about 33% more", lambda: 100 * FORWARD / (FORWARD + BACKWARD)),
    claim("the largest value is 65504", lambda: float(np.finfo(np.float16).max)),
    claim("2⁻²⁴ ≈ 6e-8", lambda: 2.0**-24),
    given("A gradient of 1e-8"),
    claim("rounds to 0 in float16", lambda: float(np.float16(TRUE_GRADIENT)), stated="0"),
    given("With S = 1024"),
    claim("becomes about 1.024e-5", lambda: TRUE_GRADIENT * SCALE),
    claim("float16 stores it as\n1.025e-5", stored_scaled, stated="1.025e-5"),
    claim("gives ≈ 1.001e-8", unscaled),
    claim("about 0.1% off", lambda: 100 * abs(unscaled() - TRUE_GRADIENT) / TRUE_GRADIENT),
]
