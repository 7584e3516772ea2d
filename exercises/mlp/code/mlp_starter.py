import numpy as np


def mlp_backward(x, W1, b1, W2, b2, grad_out):
    """Gradients of the loss with respect to W1, b1, W2 and b2, given grad_out = dL/d(out).

    Forward was:  z1 = x @ W1 + b1;  h = np.tanh(z1);  out = h @ W2 + b2
    x: (N, D_in), W1: (D_in, H), b1: (H,), W2: (H, D_out), b2: (D_out,), grad_out: (N, D_out)
    """
    # TODO: recompute z1 and h, then go backwards: dW2, db2, dh, dz1, dW1, db1.
    dW1 = np.zeros_like(W1)
    db1 = np.zeros_like(b1)
    dW2 = np.zeros_like(W2)
    db2 = np.zeros_like(b2)
    return dW1, db1, dW2, db2
