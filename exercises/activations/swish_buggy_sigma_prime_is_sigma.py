import numpy as np


def swish_backward(x, grad_out):
    s = 1 / (1 + np.exp(-x))
    return grad_out * (s + x * s)           # product rule, but with σ'(x) taken to be σ(x)
