import numpy as np


def sigmoid_backward(x, grad_out):
    s = 1 / (1 + np.exp(-x))
    return grad_out * s * (s - 1)           # (s − 1) instead of (1 − s)
