import numpy as np


def conv1d_forward(x, w, b):
    # x: (N, C_in, T_in)   w: (C_out, C_in, K)   b: (C_out,)
    K = w.shape[2]
    T_out = x.shape[2] - K + 1
    out = np.zeros((x.shape[0], w.shape[0], T_out))
    for k in range(K):
        out += w[:, :, k] @ x[:, :, k:k + T_out]      # (C_out, C_in) @ (N, C_in, T_out)
    return out + b[:, None]                           # out: (N, C_out, T_out)


def conv1d_backward(x, w, b, grad_out):
    K = w.shape[2]
    T_out = grad_out.shape[2]
    dx = np.zeros_like(x)
    dw = np.zeros_like(w)
    for k in range(K):
        xs = x[:, :, k:k + T_out]                                 # (N, C_in, T_out)
        dw[:, :, k] = (grad_out @ xs.transpose(0, 2, 1)).sum(axis=0)  # (N, C_out, C_in) -> (C_out, C_in)
        dx[:, :, k:k + T_out] += w[:, :, k].T @ grad_out          # (C_in, C_out) @ (N, C_out, T_out)
    db = grad_out.sum(axis=(0, 2))                                # b was added at every n and t
    return dx, dw, db
