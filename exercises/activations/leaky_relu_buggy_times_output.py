import numpy as np


def leaky_relu_backward(x, grad_out, alpha):
    return np.where(x > 0, grad_out, grad_out * alpha * x)   # negative side: the output alpha·x, not the slope
