import numpy as np


def lse_forward(x):
    """out[n] = log(sum_j exp(x[n, j])), computed stably.  x: (N, D) -> out: (N,)"""
    # TODO: this overflows for large x; subtract each row's maximum first.
    return np.log(np.exp(x).sum(axis=1))


def lse_backward(x, grad_out):
    """dL/dx given grad_out = dL/d(out).  x: (N, D), grad_out: (N,) -> dx: (N, D)"""
    # TODO: the local derivative of each row's log-sum-exp, times grad_out.
    dx = np.zeros_like(x)
    return dx
