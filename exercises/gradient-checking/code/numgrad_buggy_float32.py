import numpy as np


def layer_forward(x):
    """The fixed layer to differentiate: x (N, D) -> out (N, D)."""
    return np.tanh(x) * (x ** 2).sum(axis=1, keepdims=True)


def numerical_backward(x, grad_out, h=1e-5):
    x = x.astype(np.float32)                          # "float32 is faster"
    dx = np.zeros_like(x)                             # (N, D)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        plus = np.sum(layer_forward(x) * grad_out)    # L(x) = Σ out · grad_out, a scalar
        x[i] = old - h
        minus = np.sum(layer_forward(x) * grad_out)
        x[i] = old                                    # restore before the next entry
        dx[i] = (plus - minus) / (2 * h)              # central difference
    return dx
