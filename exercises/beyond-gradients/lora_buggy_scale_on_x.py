def lora_backward(x, W, A, B, grad_out, alpha):
    s = alpha / A.shape[1]
    h = x @ A
    dB = s * (h.T @ grad_out)
    dh = s * (grad_out @ B.T)
    dA = x.T @ dh
    dx = s * (grad_out @ W.T + dh @ A.T)     # scales the frozen path too (and the adapter twice)
    return dx, dA, dB
