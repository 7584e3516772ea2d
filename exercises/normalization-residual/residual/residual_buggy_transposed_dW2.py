import numpy as np


def residual_backward(x, W1, W2, grad_out):
    h = np.tanh(x @ W1)
    dW2 = grad_out.T @ h          # (D, N) @ (N, H) -> (D, H): W2 is (H, D)
    dh = grad_out @ W2.T
    dz = dh * (1 - h**2)
    dW1 = x.T @ dz
    dx = grad_out + dz @ W1.T
    return dx, dW1, dW2
