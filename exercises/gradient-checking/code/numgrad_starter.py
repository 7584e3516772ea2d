import numpy as np


def layer_forward(x):
    """The fixed layer to differentiate: x (N, D) -> out (N, D). Do not change it."""
    return np.tanh(x) * (x ** 2).sum(axis=1, keepdims=True)


def numerical_backward(x, grad_out, h=1e-5):
    """dL/dx by central differences, where L(x) = np.sum(layer_forward(x) * grad_out).

    x, grad_out: (N, D) float64 arrays. Return dx with shape (N, D). Leave x unchanged.
    """
    dx = np.zeros_like(x)
    # TODO: for every entry i of x, evaluate L at x[i] + h and at x[i] - h, and set
    # dx[i] = (L_plus - L_minus) / (2 * h).
    return dx
