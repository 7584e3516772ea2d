import numpy as np


def swish_forward(x):
    return x / (1 + np.exp(-x))             # x · σ(x);   x: (N, D) -> out: (N, D)


def swish_backward(x, grad_out):
    s = 1 / (1 + np.exp(-x))                # σ(x)
    return grad_out * (s + x * s * (1 - s)) # product rule: 1·σ(x) + x·σ'(x)   (N, D)
