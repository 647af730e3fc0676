# Mistake: the L2 penalty includes the bias columns.
# Loses: cost_regularised
# Diagnosis: cost-regularised-biases

# %% grade_id="nnCostFunction"
def nnCostFunction(nnThetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10,
                   smallValueToRemoveInfinity=1e-12):
    m = len(X)
    split = hiddenLayerSize * (inputLayerSize + 1)
    thetaOneMatrix = np.reshape(nnThetas[:split], (hiddenLayerSize, inputLayerSize + 1))
    thetaTwoMatrix = np.reshape(nnThetas[split:], (classLabels, hiddenLayerSize + 1))
    hidden = mySigmoid(np.c_[np.ones((m, 1)), X] @ thetaOneMatrix.T)
    output = mySigmoid(np.c_[np.ones((m, 1)), hidden] @ thetaTwoMatrix.T)
    J = 1 / m * np.sum(-y * np.log(output + smallValueToRemoveInfinity)
                       - (1 - y) * np.log(1 - output + smallValueToRemoveInfinity))
    return J + lambda_ / (2 * m) * (np.sum(thetaOneMatrix ** 2) + np.sum(thetaTwoMatrix ** 2))
