import numpy as np


def clip_backward(x, grad_out, max_norm):
    # One norm for the whole batch: each example's clipping now depends on the others.
    norm = np.linalg.norm(grad_out)
    return grad_out * min(1.0, max_norm / norm)
