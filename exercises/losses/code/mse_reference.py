import numpy as np


def mse_forward(pred, target):
    N = pred.shape[0]
    return np.asarray(0.5 * np.sum((pred - target) ** 2) / N)   # (): ½ mean over the batch


def mse_backward(pred, target, grad_out):
    N = pred.shape[0]
    dpred = grad_out * (pred - target) / N    # (N, D): the ½ cancels the 2, the 1/N stays
    dtarget = -dpred                          # (N, D): target enters as −target
    return dpred, dtarget
