import numpy as np


def attention_backward(Q, K, V, grad_out):
    d = Q.shape[1]
    S = Q @ K.T / np.sqrt(d)
    P = np.exp(S - S.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    dV = P.T @ grad_out
    dP = grad_out @ V.T
    dS = dP * P * (1 - P)            # treats softmax like a sigmoid: only the Jacobian's diagonal
    dQ = dS @ K / np.sqrt(d)
    dK = dS.T @ Q / np.sqrt(d)
    return dQ, dK, dV
