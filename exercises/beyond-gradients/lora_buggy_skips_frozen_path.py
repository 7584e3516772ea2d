def lora_backward(x, W, A, B, grad_out, alpha):
    s = alpha / A.shape[1]
    h = x @ A
    dB = s * (h.T @ grad_out)
    dh = s * (grad_out @ B.T)
    dA = x.T @ dh
    dx = dh @ A.T                    # "W is frozen, so skip it": but x still reaches out through W
    return dx, dA, dB
