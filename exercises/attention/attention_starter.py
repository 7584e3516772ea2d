import numpy as np


def attention_backward(Q, K, V, grad_out):
    """Gradients of the loss with respect to Q, K and V, given grad_out = dL/d(out).

    Forward was:
        S   = Q @ K.T / sqrt(d)      # Q: (N, D), K: (M, D), d = D;  S: (N, M)
        P   = softmax(S, axis=1)     # each row of P sums to 1
        out = P @ V                  # V: (M, Dv);  out: (N, Dv)
    """
    # TODO: recompute S and P, then go backwards: dV, dP, dS (the softmax), dQ and dK.
    dQ = np.zeros_like(Q)
    dK = np.zeros_like(K)
    dV = np.zeros_like(V)
    return dQ, dK, dV
