import numpy as np

EPS = 1e-5


def batchnorm_backward(x, gamma, beta, grad_out):
    """Gradients of the loss with respect to x, gamma and beta, given grad_out = dL/d(out).

    Forward was, for each feature (column) of x (N, D), with batch statistics:
        xhat = (x - x.mean(axis=0)) / sqrt(x.var(axis=0) + EPS)
        out  = gamma * xhat + beta                 # gamma, beta: (D,)
    """
    # TODO: dbeta and dgamma first, then dx. The batch mean and variance depend on x.
    dx = np.zeros_like(x)
    dgamma = np.zeros_like(gamma)
    dbeta = np.zeros_like(beta)
    return dx, dgamma, dbeta
