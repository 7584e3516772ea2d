import numpy as np

EPS = 1e-5


def batchnorm_forward(x, gamma, beta):
    mu = x.mean(axis=0)                           # (D,): over the batch
    var = x.var(axis=0)                           # (D,)
    xhat = (x - mu) / np.sqrt(var + EPS)          # (N, D)
    return gamma * xhat + beta                    # (N, D)


def batchnorm_backward(x, gamma, beta, grad_out):
    std = np.sqrt(x.var(axis=0) + EPS)            # (D,)
    xhat = (x - x.mean(axis=0)) / std             # (N, D)
    dbeta = grad_out.sum(axis=0)                  # (D,): every row used beta
    dgamma = (grad_out * xhat).sum(axis=0)        # (D,)
    dxhat = grad_out * gamma                      # (N, D)
    dx = (
        dxhat
        - dxhat.mean(axis=0)                      # every row moved mu
        - xhat * (dxhat * xhat).mean(axis=0)      # every row moved var
    ) / std
    return dx, dgamma, dbeta
