# Mistake: the cost never uses lambda_: no penalty on the weights at all.
# Loses: cost_regularised
# Diagnosis: cost-no-regularisation

# %% grade_id="nnCostFunction"
def nnCostFunction(nnThetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10,
                   smallValueToRemoveInfinity=1e-12):
    m = X.shape[0]
    split = hiddenLayerSize * (inputLayerSize + 1)
    thetaOneMatrix = nnThetas[:split].reshape(hiddenLayerSize, inputLayerSize + 1)
    thetaTwoMatrix = nnThetas[split:].reshape(classLabels, hiddenLayerSize + 1)
    a1 = np.c_[np.ones((m, 1)), X]
    a2 = np.c_[np.ones((m, 1)), mySigmoid(a1 @ thetaOneMatrix.T)]
    a3 = mySigmoid(a2 @ thetaTwoMatrix.T)
    logLikelihood = y * np.log(a3 + smallValueToRemoveInfinity) \
        + (1 - y) * np.log(1 - a3 + smallValueToRemoveInfinity)
    return -np.sum(logLikelihood) / m
