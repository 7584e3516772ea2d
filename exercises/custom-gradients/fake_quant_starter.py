import numpy as np


def fake_quant_backward(x, grad_out, step, limit):
    """dL/dx for out = step * round(clip(x, -limit, limit) / step), straight-through.

    x, grad_out: (N, D); step, limit: numbers (0-d arrays).
    """
    # TODO: pass grad_out straight through round(); remember what the clip does.
    dx = np.zeros_like(x)
    return dx
