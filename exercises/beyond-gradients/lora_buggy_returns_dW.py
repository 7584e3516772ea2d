def lora_backward(x, W, A, B, grad_out, alpha):
    s = alpha / A.shape[1]
    h = x @ A
    dW = x.T @ grad_out              # W is frozen: nobody asked for this
    dB = s * (h.T @ grad_out)
    dh = s * (grad_out @ B.T)
    dA = x.T @ dh
    dx = grad_out @ W.T + dh @ A.T
    return dx, dW, dA, dB
