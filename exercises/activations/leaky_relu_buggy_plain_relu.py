def leaky_relu_backward(x, grad_out, alpha):
    return grad_out * (x > 0)               # plain ReLU's backward: the leak's slope alpha is lost
