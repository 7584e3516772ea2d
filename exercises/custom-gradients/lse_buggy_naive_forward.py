import numpy as np


def lse_forward(x):
    # The textbook formula: exp(710) is inf in float64.
    return np.log(np.exp(x).sum(axis=1))


def lse_backward(x, grad_out):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return grad_out[:, None] * e / e.sum(axis=1, keepdims=True)
