import numpy as np


def leaky_relu_forward(x, alpha):
    return np.where(x > 0, x, alpha * x)    # x: (N, D) -> out: (N, D); alpha is a 0-d array


def leaky_relu_backward(x, grad_out, alpha):
    return grad_out * np.where(x > 0, 1.0, alpha)   # slope 1 for x > 0, alpha for x < 0
