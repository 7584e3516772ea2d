import numpy as np


def sigmoid_forward(x):
    return 1 / (1 + np.exp(-x))             # x: (N, D) -> out: (N, D)


def sigmoid_backward(x, grad_out):
    s = 1 / (1 + np.exp(-x))                # the forward's output (a layer would save it)
    return grad_out * s * (1 - s)           # σ'(x) = σ(x)(1 − σ(x))   (N, D)
