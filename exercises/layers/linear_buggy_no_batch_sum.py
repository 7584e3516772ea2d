def linear_backward(x, W, b, grad_out):
    dx = grad_out @ W.T
    dW = x.T @ grad_out
    db = grad_out[0]           # only the first row of the batch reaches b
    return dx, dW, db
