import numpy as np


def neuron_backward(x, w, b, grad_out):
    out = 1 / (1 + np.exp(-(x @ w + b)))
    dz = grad_out * out * (out - 1)      # (out − 1) instead of (1 − out)
    dx = np.outer(dz, w)
    dw = x.T @ dz
    db = dz.sum()
    return dx, dw, db
