# Mistake: np.mean over every entry of the m x K matrix divides by m K instead of m.
# Loses: cost_unregularised, cost_regularised
# Diagnosis: cost-mean-over-every-entry

# %% grade_id="nnCostFunction"
def nnCostFunction(nnThetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10,
                   smallValueToRemoveInfinity=1e-12):
    m = len(X)
    split = hiddenLayerSize * (inputLayerSize + 1)
    thetaOneMatrix = np.reshape(nnThetas[:split], (hiddenLayerSize, inputLayerSize + 1))
    thetaTwoMatrix = np.reshape(nnThetas[split:], (classLabels, hiddenLayerSize + 1))
    hidden = mySigmoid(np.c_[np.ones((m, 1)), X] @ thetaOneMatrix.T)
    output = mySigmoid(np.c_[np.ones((m, 1)), hidden] @ thetaTwoMatrix.T)
    J = np.mean(-y * np.log(output + smallValueToRemoveInfinity) - (1 - y) * np.log(1 - output + smallValueToRemoveInfinity))
    return J + lambda_ / (2 * m) * (np.sum(thetaOneMatrix[:, 1:] ** 2) + np.sum(thetaTwoMatrix[:, 1:] ** 2))
