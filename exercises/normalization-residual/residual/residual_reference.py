import numpy as np


def residual_forward(x, W1, W2):
    h = np.tanh(x @ W1)           # (N, H)
    return x + h @ W2             # (N, D): skip path + branch


def residual_backward(x, W1, W2, grad_out):
    h = np.tanh(x @ W1)           # (N, H)
    dW2 = h.T @ grad_out          # (H, N) @ (N, D) -> (H, D)
    dh = grad_out @ W2.T          # (N, D) @ (D, H) -> (N, H)
    dz = dh * (1 - h**2)          # back through tanh
    dW1 = x.T @ dz                # (D, N) @ (N, H) -> (D, H)
    dx = grad_out + dz @ W1.T     # skip path + branch -> (N, D)
    return dx, dW1, dW2
