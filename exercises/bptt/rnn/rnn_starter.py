import numpy as np


def rnn_backward(x, h0, Wx, Wh, b, grad_out):
    """Gradients of the loss with respect to x, h0, Wx, Wh and b, given grad_out = dL/d(hs).

    Forward was, for t = 0 … T-1 (h_(-1) = h0):
        h_t = tanh(x[:, t] @ Wx + h_(t-1) @ Wh + b);   hs[:, t] = h_t
    with x: (N, T, D), h0: (N, H), Wx: (D, H), Wh: (H, H), b: (H,), hs: (N, T, H).
    """
    # TODO: recompute the hidden states, then walk back from the last step to the first.
    dx = np.zeros_like(x)
    dh0 = np.zeros_like(h0)
    dWx = np.zeros_like(Wx)
    dWh = np.zeros_like(Wh)
    db = np.zeros_like(b)
    return dx, dh0, dWx, dWh, db
