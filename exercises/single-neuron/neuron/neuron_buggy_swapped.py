import numpy as np


def neuron_backward(x, w, b, grad_out):
    out = 1 / (1 + np.exp(-(x @ w + b)))
    dz = grad_out * out * (1 - out)
    dx = dz[:, None] * x                 # the input's gradient uses the input, not the weight
    dw = x.T @ dz
    db = dz.sum()
    return dx, dw, db
