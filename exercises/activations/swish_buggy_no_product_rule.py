import numpy as np


def swish_backward(x, grad_out):
    s = 1 / (1 + np.exp(-x))
    return grad_out * s                     # treats σ(x) as a constant: no product rule
