import numpy as np


def neuron_backward(x, w, b, grad_out):
    """Gradients of the loss with respect to x, w and b, given grad_out = dL/d(out).

    Forward was: out = sigmoid(x @ w + b)
    x: (N, D), w: (D,), b: scalar (shape ()), out and grad_out: (N,)
    """
    # TODO: backprop through the sigmoid (dz), then through z = x @ w + b.
    dx = np.zeros_like(x)
    dw = np.zeros_like(w)
    db = np.zeros_like(b)
    return dx, dw, db
