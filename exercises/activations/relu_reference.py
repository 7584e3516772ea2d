import numpy as np


def relu_forward(x):
    return np.maximum(x, 0)                 # x: (N, D) -> out: (N, D)


def relu_backward(x, grad_out):
    return grad_out * (x > 0)               # slope 1 where x > 0, 0 where x < 0   (N, D)
