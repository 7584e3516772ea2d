def relu_backward(x, grad_out):
    return grad_out * (grad_out > 0)        # "ReLU the gradient": the mask must come from x
