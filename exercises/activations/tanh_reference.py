import numpy as np


def tanh_forward(x):
    return np.tanh(x)                       # x: (N, D) -> out: (N, D)


def tanh_backward(x, grad_out):
    t = np.tanh(x)                          # the forward's output
    return grad_out * (1 - t**2)            # tanh'(x) = 1 − tanh²(x)   (N, D)
