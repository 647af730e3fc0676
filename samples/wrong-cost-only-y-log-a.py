# Mistake: keeps only the y log(a) term of the cross-entropy and drops (1 - y) log(1 - a).
# Loses: cost_unregularised, cost_regularised
# Diagnosis: cost-only-y-log-a

# %% grade_id="nnCostFunction"
def nnCostFunction(nnThetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10,
                   smallValueToRemoveInfinity=1e-12):
    m = len(X)
    split = hiddenLayerSize * (inputLayerSize + 1)
    thetaOneMatrix = np.reshape(nnThetas[:split], (hiddenLayerSize, inputLayerSize + 1))
    thetaTwoMatrix = np.reshape(nnThetas[split:], (classLabels, hiddenLayerSize + 1))
    hidden = mySigmoid(np.c_[np.ones((m, 1)), X] @ thetaOneMatrix.T)
    output = mySigmoid(np.c_[np.ones((m, 1)), hidden] @ thetaTwoMatrix.T)
    J = -np.sum(y * np.log(output + smallValueToRemoveInfinity)) / m
    return J + lambda_ / (2 * m) * (np.sum(thetaOneMatrix[:, 1:] ** 2) + np.sum(thetaTwoMatrix[:, 1:] ** 2))
