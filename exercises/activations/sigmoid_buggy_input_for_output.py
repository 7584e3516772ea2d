def sigmoid_backward(x, grad_out):
    return grad_out * x * (1 - x)           # a(1 − a) with the input x in place of the output a
