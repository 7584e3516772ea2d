def fake_quant_backward(x, grad_out, step, limit):
    # Straight through everywhere: forgets that the clip is flat outside the range.
    return grad_out.copy()
