import numpy as np


def mse_backward(pred, target, grad_out):
    """Gradients of the loss with respect to pred and target, given grad_out = dL/d(loss).

    Forward was: loss = 0.5 * np.sum((pred - target) ** 2) / N
    pred, target: (N, D) floats; grad_out: a 0-d array.
    """
    # TODO: dpred and dtarget, each of shape (N, D).
    dpred = np.zeros_like(pred)
    dtarget = np.zeros_like(target)
    return dpred, dtarget
