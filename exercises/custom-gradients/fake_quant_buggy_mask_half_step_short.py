import numpy as np


def fake_quant_backward(x, grad_out, step, limit):
    # Stops half a step before the edge ("where rounding would not reach the last level"),
    # but the straight-through gradient passes everywhere inside the range.
    return grad_out * (np.abs(x) < limit - step / 2)
