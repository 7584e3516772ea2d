import numpy as np


def neuron_forward(x, w, b):
    z = x @ w + b                    # (N, D) @ (D,) + () -> (N,)
    return 1 / (1 + np.exp(-z))      # (N,)


def neuron_backward(x, w, b, grad_out):
    out = neuron_forward(x, w, b)        # (N,)
    dz = grad_out * out * (1 - out)      # (N,)   σ'(z) = σ(z)(1 − σ(z))
    dx = np.outer(dz, w)                 # (N, D) dx[n, d] = dz[n] · w[d]
    dw = x.T @ dz                        # (D,)   summed over the batch
    db = dz.sum()                        # ()     b was added to every example
    return dx, dw, db
