# Mistake: sums the cross-entropy over the examples but forgets to divide it by m.
# Loses: cost_unregularised, cost_regularised
# Diagnosis: cost-forgot-one-over-m

# %% grade_id="nnCostFunction"
def nnCostFunction(nnThetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10,
                   smallValueToRemoveInfinity=1e-12):
    m = len(X)
    split = hiddenLayerSize * (inputLayerSize + 1)
    thetaOneMatrix = np.reshape(nnThetas[:split], (hiddenLayerSize, inputLayerSize + 1))
    thetaTwoMatrix = np.reshape(nnThetas[split:], (classLabels, hiddenLayerSize + 1))
    hidden = mySigmoid(np.c_[np.ones((m, 1)), X] @ thetaOneMatrix.T)
    output = mySigmoid(np.c_[np.ones((m, 1)), hidden] @ thetaTwoMatrix.T)
    J = np.sum(-y * np.log(output + smallValueToRemoveInfinity)
               - (1 - y) * np.log(1 - output + smallValueToRemoveInfinity))
    reg = lambda_ / (2 * m) * (np.sum(thetaOneMatrix[:, 1:] ** 2) + np.sum(thetaTwoMatrix[:, 1:] ** 2))
    return J + reg
