import numpy as np


def tanh_backward(x, grad_out):
    t = np.tanh(x)
    return grad_out * (t**2 - 1)            # tanh² − 1: the identity remembered upside down
