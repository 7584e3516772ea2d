def mse_backward(pred, target, grad_out):
    N = pred.shape[0]
    dpred = (pred - target) / N    # "the loss is the last node, grad_out is always 1"
    return dpred, -dpred
