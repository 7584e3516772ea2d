import numpy as np


def neuron_backward(x, w, b, grad_out):
    out = 1 / (1 + np.exp(-(x @ w + b)))
    dz = grad_out * out * (1 - out)
    dx = np.outer(dz, w)
    dw = x.T @ dz / len(x)               # averaged over the batch: grad_out already carries any 1/N
    db = dz.mean()
    return dx, dw, db
