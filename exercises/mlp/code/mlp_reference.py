import numpy as np


def mlp_forward(x, W1, b1, W2, b2):
    z1 = x @ W1 + b1             # (N, H)
    h = np.tanh(z1)              # (N, H)
    return h @ W2 + b2           # (N, D_out)


def mlp_backward(x, W1, b1, W2, b2, grad_out):
    z1 = x @ W1 + b1             # (N, H)      the forward again, for its cache
    h = np.tanh(z1)              # (N, H)

    dW2 = h.T @ grad_out         # (H, N) @ (N, D_out) -> (H, D_out)
    db2 = grad_out.sum(axis=0)   # (D_out,)    b2 was added to every row
    dh = grad_out @ W2.T         # (N, D_out) @ (D_out, H) -> (N, H)
    dz1 = dh * (1 - h ** 2)      # (N, H)      tanh' from the cached output
    dW1 = x.T @ dz1              # (D_in, N) @ (N, H) -> (D_in, H)
    db1 = dz1.sum(axis=0)        # (H,)
    return dW1, db1, dW2, db2
