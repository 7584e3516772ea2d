def linear_forward(x, W, b):
    return x @ W + b


def linear_backward(x, W, b, grad_out):
    dx = grad_out @ W.T        # (N, D_out) @ (D_out, D_in)
    dW = x.T @ grad_out        # (D_in, N) @ (N, D_out)
    db = grad_out.sum(axis=0)  # b was added to every row of the batch
    return dx, dW, db
