def clip_backward(x, grad_out, max_norm):
    # The derivative of the identity forward: correct calculus, but no clipping at all.
    return grad_out.copy()
