import numpy as np


def neuron_backward(x, w, b, grad_out):
    out = 1 / (1 + np.exp(-(x @ w + b)))
    dz = grad_out * out * (1 - out)
    dx = np.outer(dz, w)
    dw = dz[0] * x[0]                    # only the first example's share reaches w
    db = dz.sum()
    return dx, dw, db
