import numpy as np


def lse_forward(x):
    m = x.max(axis=1, keepdims=True)
    return (m + np.log(np.exp(x - m).sum(axis=1, keepdims=True)))[:, 0]


def lse_backward(x, grad_out):
    # The local derivative (the softmax) alone: grad_out is never multiplied in.
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
