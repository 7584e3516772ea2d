def lora_backward(x, W, A, B, grad_out, alpha):
    h = x @ A
    dB = h.T @ grad_out              # alpha / r multiplied the adapter in the forward, not here
    dh = grad_out @ B.T
    dA = x.T @ dh
    dx = grad_out @ W.T + dh @ A.T
    return dx, dA, dB
