import numpy as np

EPS = 1e-5


def batchnorm_backward(x, gamma, beta, grad_out):
    std = np.sqrt(x.var(axis=0, ddof=1) + EPS)    # the unbiased variance; forward divides by N
    xhat = (x - x.mean(axis=0)) / std
    dbeta = grad_out.sum(axis=0)
    dgamma = (grad_out * xhat).sum(axis=0)
    dxhat = grad_out * gamma
    dx = (
        dxhat
        - dxhat.mean(axis=0)
        - xhat * (dxhat * xhat).mean(axis=0)
    ) / std
    return dx, dgamma, dbeta
