import numpy as np


def clip_forward(x, max_norm):
    return x.copy()  # (N, D): the identity


def clip_backward(x, grad_out, max_norm):
    norms = np.linalg.norm(grad_out, axis=1, keepdims=True)  # (N, 1): one per example
    scale = np.minimum(1.0, max_norm / norms)  # (N, 1): shorten, never stretch
    return grad_out * scale  # (N, D)
