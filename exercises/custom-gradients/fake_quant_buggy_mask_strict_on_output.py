import numpy as np


def fake_quant_backward(x, grad_out, step, limit):
    # The mask from the quantised output with a strict `<`: an x just inside the range
    # (0.875 < |x| < 1 here) rounds onto the edge level and loses its gradient.
    out = step * np.round(np.clip(x, -limit, limit) / step)
    return grad_out * (np.abs(out) < limit)
