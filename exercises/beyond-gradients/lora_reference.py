def lora_forward(x, W, A, B, alpha):
    s = alpha / A.shape[1]           # the LoRA scale alpha / r, with r = rank
    h = x @ A                        # (N, D_in) @ (D_in, R) -> (N, R) low-rank bottleneck
    return x @ W + s * (h @ B)       # (N, D_out): frozen path + adapter path


def lora_backward(x, W, A, B, grad_out, alpha):
    s = alpha / A.shape[1]
    h = x @ A                        # recompute the forward: (N, R)
    dB = s * (h.T @ grad_out)        # (R, N) @ (N, D_out) -> (R, D_out)
    dh = s * (grad_out @ B.T)        # (N, D_out) @ (D_out, R) -> (N, R)
    dA = x.T @ dh                    # (D_in, N) @ (N, R) -> (D_in, R)
    dx = grad_out @ W.T + dh @ A.T   # W is frozen, but x's gradient still flows through it
    return dx, dA, dB                # no dW: the frozen weight gets no update
