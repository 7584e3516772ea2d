import numpy as np


def fake_quant_backward(x, grad_out, step, limit):
    # "round() is flat, so its derivative is zero": true, and exactly why the STE exists.
    return np.zeros_like(grad_out)
