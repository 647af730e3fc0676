# Mistake: regularisation term lambda / m instead of lambda / (2 m).
# Loses: cost_regularised
# Diagnosis: cost-lambda-over-m

# %% grade_id="nnCostFunction"
def nnCostFunction(nnThetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10,
                   smallValueToRemoveInfinity=1e-12):
    m = X.shape[0]
    split = hiddenLayerSize * (inputLayerSize + 1)
    thetaOne = nnThetas[:split].reshape(hiddenLayerSize, inputLayerSize + 1)
    thetaTwo = nnThetas[split:].reshape(classLabels, hiddenLayerSize + 1)
    a2 = mySigmoid(np.hstack([np.ones((m, 1)), X]) @ thetaOne.T)
    a3 = mySigmoid(np.hstack([np.ones((m, 1)), a2]) @ thetaTwo.T)
    cost = -np.sum(y * np.log(a3 + smallValueToRemoveInfinity) + (1 - y) * np.log(1 - a3 + smallValueToRemoveInfinity)) / m
    return cost + lambda_ / m * (np.sum(thetaOne[:, 1:] ** 2) + np.sum(thetaTwo[:, 1:] ** 2))
