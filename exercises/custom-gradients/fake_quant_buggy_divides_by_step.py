def fake_quant_backward(x, grad_out, step, limit):
    # Keeps the 1/step of the division but forgets the step it is multiplied by.
    inside = (x >= -limit) & (x <= limit)
    return grad_out * inside / step
