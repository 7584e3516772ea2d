import numpy as np


def neuron_backward(x, w, b, grad_out):
    out = 1 / (1 + np.exp(-(x @ w + b)))
    dz = grad_out * out * (1 - out)
    dx = np.outer(w, dz)                 # (D, N): the outer product the wrong way round
    dw = x.T @ dz
    db = dz.sum()
    return dx, dw, db
