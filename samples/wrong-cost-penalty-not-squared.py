# Mistake: the penalty adds up the weights themselves instead of their squares.
# Loses: cost_regularised
# Diagnosis: cost-penalty-not-squared

# %% grade_id="nnCostFunction"
def nnCostFunction(nnThetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10,
                   smallValueToRemoveInfinity=1e-12):
    m = len(X)
    cut = hiddenLayerSize * (inputLayerSize + 1)
    W1 = nnThetas[:cut].reshape(hiddenLayerSize, -1)
    W2 = nnThetas[cut:].reshape(classLabels, -1)
    hidden = mySigmoid(np.hstack([np.ones((m, 1)), X]) @ W1.T)
    out = mySigmoid(np.hstack([np.ones((m, 1)), hidden]) @ W2.T)
    losses = y * np.log(out + smallValueToRemoveInfinity) + (1 - y) * np.log(1 - out + smallValueToRemoveInfinity)
    return -losses.sum() / m + lambda_ / (2 * m) * (W1[:, 1:].sum() + W2[:, 1:].sum())
