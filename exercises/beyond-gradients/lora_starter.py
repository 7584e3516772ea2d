import numpy as np


def lora_backward(x, W, A, B, grad_out, alpha):
    """Gradients of the loss with respect to x, A and B, given grad_out = dL/d(out).

    Forward was:
        s   = alpha / r                      # r = A.shape[1], the rank
        out = x @ W + s * (x @ A) @ B        # x: (N, D_in), W: (D_in, D_out) frozen,
                                             # A: (D_in, R), B: (R, D_out); out: (N, D_out)
    """
    # TODO: compute dx, dA and dB. W is frozen: return no gradient for it.
    dx = np.zeros_like(x)
    dA = np.zeros_like(A)
    dB = np.zeros_like(B)
    return dx, dA, dB
