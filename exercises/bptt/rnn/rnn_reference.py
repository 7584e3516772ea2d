import numpy as np


def rnn_forward(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    hs = np.zeros((N, T, h0.shape[1]))            # (N, T, H)
    h = h0
    for t in range(T):
        h = np.tanh(x[:, t] @ Wx + h @ Wh + b)    # (N, D) @ (D, H) + (N, H) @ (H, H)
        hs[:, t] = h
    return hs


def rnn_backward(x, h0, Wx, Wh, b, grad_out):
    T = x.shape[1]
    hs = [h0]                                     # hs[t] is the input state of step t
    for t in range(T):
        hs.append(np.tanh(x[:, t] @ Wx + hs[-1] @ Wh + b))
    dx, dWx, dWh, db = np.zeros_like(x), np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)
    dh_next = np.zeros_like(h0)                   # nothing comes back from after step T
    for t in reversed(range(T)):
        dh = grad_out[:, t] + dh_next             # own loss + recurrent term: (N, H)
        dz = dh * (1 - hs[t + 1] ** 2)            # through tanh
        dWx += x[:, t].T @ dz                     # (D, N) @ (N, H): shared, so add
        dWh += hs[t].T @ dz                       # (H, N) @ (N, H): uses h_(t-1)
        db += dz.sum(axis=0)                      # (H,)
        dx[:, t] = dz @ Wx.T                      # (N, H) @ (H, D)
        dh_next = dz @ Wh.T                       # (N, H) @ (H, H): on to h_(t-1)
    return dx, dh_next, dWx, dWh, db
