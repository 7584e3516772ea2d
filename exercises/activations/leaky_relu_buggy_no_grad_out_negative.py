import numpy as np


def leaky_relu_backward(x, grad_out, alpha):
    return np.where(x > 0, grad_out, alpha)  # negative side: the slope alone, without grad_out
