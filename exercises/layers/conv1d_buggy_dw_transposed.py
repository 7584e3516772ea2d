import numpy as np


def conv1d_backward(x, w, b, grad_out):
    K = w.shape[2]
    T_out = grad_out.shape[2]
    dx = np.zeros_like(x)
    dw = np.zeros((w.shape[1], w.shape[0], K))
    for k in range(K):
        xs = x[:, :, k:k + T_out]
        dw[:, :, k] = (xs @ grad_out.transpose(0, 2, 1)).sum(axis=0)   # (C_in, C_out): transposed
        dx[:, :, k:k + T_out] += w[:, :, k].T @ grad_out
    db = grad_out.sum(axis=(0, 2))
    return dx, dw, db
