import numpy as np


def softmax_rows(S):
    P = np.exp(S - S.max(axis=1, keepdims=True))    # subtracting the row max changes nothing
    return P / P.sum(axis=1, keepdims=True)


def attention_forward(Q, K, V):
    d = Q.shape[1]
    S = Q @ K.T / np.sqrt(d)         # (N, D) @ (D, M) -> (N, M) scores
    P = softmax_rows(S)              # (N, M) each row sums to 1
    return P @ V                     # (N, M) @ (M, Dv) -> (N, Dv)


def attention_backward(Q, K, V, grad_out):
    d = Q.shape[1]
    S = Q @ K.T / np.sqrt(d)         # recompute the forward: (N, M)
    P = softmax_rows(S)              # (N, M)
    dV = P.T @ grad_out              # (M, N) @ (N, Dv) -> (M, Dv)
    dP = grad_out @ V.T              # (N, Dv) @ (Dv, M) -> (N, M)
    # softmax backward, one row at a time: dS = P * (dP - <dP, P>), i.e. (diag(p) - p pᵀ) dp
    dS = P * (dP - (dP * P).sum(axis=1, keepdims=True))     # (N, M)
    dQ = dS @ K / np.sqrt(d)         # (N, M) @ (M, D) -> (N, D)
    dK = dS.T @ Q / np.sqrt(d)       # (M, N) @ (N, D) -> (M, D)
    return dQ, dK, dV
