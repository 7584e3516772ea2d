import numpy as np

EPS = 1e-5


def batchnorm_backward(x, gamma, beta, grad_out):
    std = np.sqrt(x.var(axis=0) + EPS)
    xhat = (x - x.mean(axis=0)) / std
    dbeta = grad_out                              # forgot that every row used beta: (N, D)
    dgamma = grad_out * xhat                      # (N, D)
    dxhat = grad_out * gamma
    dx = (
        dxhat
        - dxhat.mean(axis=0)
        - xhat * (dxhat * xhat).mean(axis=0)
    ) / std
    return dx, dgamma, dbeta
