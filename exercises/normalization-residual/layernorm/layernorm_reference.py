import numpy as np

EPS = 1e-5


def layernorm_forward(x, gamma, beta):
    mu = x.mean(axis=1, keepdims=True)            # (N, 1)
    var = x.var(axis=1, keepdims=True)            # (N, 1)
    xhat = (x - mu) / np.sqrt(var + EPS)          # (N, D)
    return gamma * xhat + beta                    # (N, D)


def layernorm_backward(x, gamma, beta, grad_out):
    mu = x.mean(axis=1, keepdims=True)
    std = np.sqrt(x.var(axis=1, keepdims=True) + EPS)  # (N, 1)
    xhat = (x - mu) / std
    dbeta = grad_out.sum(axis=0)                  # (D,): every row used beta
    dgamma = (grad_out * xhat).sum(axis=0)        # (D,)
    dxhat = grad_out * gamma                      # (N, D)
    dx = (
        dxhat
        - dxhat.mean(axis=1, keepdims=True)                  # x moved mu
        - xhat * (dxhat * xhat).mean(axis=1, keepdims=True)  # x moved var
    ) / std
    return dx, dgamma, dbeta
