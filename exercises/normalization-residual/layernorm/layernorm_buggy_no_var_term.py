import numpy as np

EPS = 1e-5


def layernorm_backward(x, gamma, beta, grad_out):
    mu = x.mean(axis=1, keepdims=True)
    std = np.sqrt(x.var(axis=1, keepdims=True) + EPS)
    xhat = (x - mu) / std
    dbeta = grad_out.sum(axis=0)
    dgamma = (grad_out * xhat).sum(axis=0)
    dxhat = grad_out * gamma
    dx = (dxhat - dxhat.mean(axis=1, keepdims=True)) / std   # the mean's term, not the variance's
    return dx, dgamma, dbeta
