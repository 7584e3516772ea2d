import numpy as np


def fake_quant_forward(x, step, limit):
    # x: (N, D) -> out: (N, D), on a grid of `step` inside [-limit, limit]
    return step * np.round(np.clip(x, -limit, limit) / step)


def fake_quant_backward(x, grad_out, step, limit):
    # Straight-through: round() counts as the identity, so step and 1/step cancel;
    # the clip still passes nothing where it is flat.
    inside = (x >= -limit) & (x <= limit)  # (N, D), from the input x
    return grad_out * inside  # (N, D)
