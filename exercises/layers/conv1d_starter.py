import numpy as np


def conv1d_backward(x, w, b, grad_out):
    """Gradients of the loss with respect to x, w and b, given grad_out = dL/d(out).

    Forward was ('valid' padding, stride 1):
        out[n, o, t] = sum over c, k of w[o, c, k] * x[n, c, t + k]  +  b[o]
    with x: (N, C_in, T_in), w: (C_out, C_in, K), b: (C_out,), out: (N, C_out, T_out),
    and T_out = T_in - K + 1.
    """
    # TODO: compute each gradient; it must have the same shape as what it is the gradient of.
    dx = np.zeros_like(x)
    dw = np.zeros_like(w)
    db = np.zeros_like(b)
    return dx, dw, db
