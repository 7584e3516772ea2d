import numpy as np


def linear_backward(x, W, b, grad_out):
    """Gradients of the loss with respect to x, W and b, given grad_out = dL/d(out).

    Forward was: out = x @ W + b   with x: (N, D_in), W: (D_in, D_out), b: (D_out,)
    """
    # TODO: compute each gradient; it must have the same shape as what it is the gradient of.
    dx = np.zeros_like(x)
    dW = np.zeros_like(W)
    db = np.zeros_like(b)
    return dx, dW, db
