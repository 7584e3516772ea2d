"""Numbers in content/two-layer-network.md: a 2-2-1 sigmoid network, forward and backward."""

from __future__ import annotations

import math

from tests.lesson_claims import claim, given

X1, X2, Y = 1.0, 0.5, 1.0
W = {
    "w11": 0.5,
    "w12": -0.3,
    "b1": 0.1,
    "w21": -0.4,
    "w22": 0.8,
    "b2": 0.0,
    "v1": 1.2,
    "v2": -0.7,
    "c": 0.2,
}


def sigma(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def forward(**changes: float) -> dict[str, float]:
    p = {**W, **changes}
    z1 = p["w11"] * X1 + p["w12"] * X2 + p["b1"]
    z2 = p["w21"] * X1 + p["w22"] * X2 + p["b2"]
    h1, h2 = sigma(z1), sigma(z2)
    y_hat = p["v1"] * h1 + p["v2"] * h2 + p["c"]
    return {"z1": z1, "z2": z2, "h1": h1, "h2": h2, "y_hat": y_hat, "L": 0.5 * (Y - y_hat) ** 2}


def backward() -> dict[str, float]:
    f = forward()
    d_out = f["y_hat"] - Y
    d1 = d_out * W["v1"] * f["h1"] * (1 - f["h1"])
    d2 = d_out * W["v2"] * f["h2"] * (1 - f["h2"])
    return {
        "d_out": d_out,
        "dv1": d_out * f["h1"],
        "dv2": d_out * f["h2"],
        "dc": d_out,
        "dh1": d_out * W["v1"],
        "sp1": f["h1"] * (1 - f["h1"]),
        "d1": d1,
        "d2": d2,
        "dw11": d1 * X1,
        "dw12": d1 * X2,
        "dw21": d2 * X1,
        "dw22": d2 * X2,
    }


def numerical_dw11() -> float:
    return (forward(w11=0.501)["L"] - forward()["L"]) / 0.001


CLAIMS = [
    given("x1 = 1, x2 = 0.5 and target y = 1"),
    given("w11 = 0.5, w12 = −0.3, b1 = 0.1"),
    given("w21 = −0.4, w22 = 0.8, b2 = 0"),
    given("v1 = 1.2, v2 = −0.7, c = 0.2"),
    claim("z1 = 0.5·1 − 0.3·0.5 + 0.1  = 0.45", lambda: forward()["z1"]),
    claim("h1 = σ(0.45) ≈ 0.6106", lambda: forward()["h1"]),
    claim("z2 = −0.4·1 + 0.8·0.5 + 0   = 0", lambda: forward()["z2"]),
    claim("h2 = σ(0)    = 0.5", lambda: forward()["h2"]),
    claim("ŷ  = 1.2·0.6106 − 0.7·0.5 + 0.2 ≈ 0.5828", lambda: forward()["y_hat"]),
    claim("L  = ½(1 − 0.5828)²        ≈ 0.0870", lambda: forward()["L"]),
    claim("δout = ∂L/∂ŷ = ŷ − y ≈ −0.4172", lambda: backward()["d_out"]),
    claim("∂L/∂v1 = δout · h1 ≈ −0.2548", lambda: backward()["dv1"]),
    claim("∂L/∂v2 = δout · h2 ≈ −0.2086", lambda: backward()["dv2"]),
    claim("∂L/∂c  = δout      ≈ −0.4172", lambda: backward()["dc"]),
    claim("∂L/∂h1 = δout · v1 ≈ −0.5007", lambda: backward()["dh1"]),
    claim("σ'(z1) = h1(1 − h1) ≈ 0.2378", lambda: backward()["sp1"]),
    claim("δ1 = δout · v1 · h1(1 − h1) ≈ −0.1190", lambda: backward()["d1"]),
    claim("δ2 = δout · v2 · h2(1 − h2) ≈ 0.0730", lambda: backward()["d2"]),
    claim("∂L/∂w11 = δ1 · x1 ≈ −0.1190", lambda: backward()["dw11"]),
    claim("∂L/∂w12 = δ1 · x2 ≈ −0.0595", lambda: backward()["dw12"]),
    claim("∂L/∂w21 = δ2 · x1 ≈ 0.0730", lambda: backward()["dw21"]),
    claim("∂L/∂w22 = δ2 · x2 ≈ 0.0365", lambda: backward()["dw22"]),
    given("Nudge w11 from 0.5 to 0.501"),
    claim("L drops to about 0.08692", lambda: forward(w11=0.501)["L"]),
    claim("ΔL/Δw11 ≈ −0.1190", numerical_dw11),
]
