import numpy as np


def sigmoid_backward(x, grad_out):
    """Gradient of the loss with respect to x, given grad_out = dL/d(out).

    Forward was: out = 1 / (1 + np.exp(-x))   with x: (N, D)
    """
    # TODO: dx = grad_out times σ'(x); write σ' with s = σ(x).
    dx = np.zeros_like(x)
    return dx
