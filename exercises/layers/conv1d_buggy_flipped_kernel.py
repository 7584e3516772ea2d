import numpy as np


def conv1d_backward(x, w, b, grad_out):
    K = w.shape[2]
    T_out = grad_out.shape[2]
    dx = np.zeros_like(x)
    dw = np.zeros_like(w)
    for k in range(K):
        xs = x[:, :, k:k + T_out]
        dw[:, :, k] = (grad_out @ xs.transpose(0, 2, 1)).sum(axis=0)
        # "the gradient of a convolution is a convolution with the flipped kernel",
        # applied to a forward that never flipped it
        dx[:, :, k:k + T_out] += w[:, :, K - 1 - k].T @ grad_out
    db = grad_out.sum(axis=(0, 2))
    return dx, dw, db
