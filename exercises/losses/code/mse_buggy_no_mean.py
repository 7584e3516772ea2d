def mse_backward(pred, target, grad_out):
    dpred = grad_out * (pred - target)    # the ½ cancelled the 2, and the 1/N went with it
    return dpred, -dpred
