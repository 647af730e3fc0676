# Mistake: the penalty squares the weights of Theta1 only; Theta2's are forgotten.
# Loses: cost_regularised
# Diagnosis: cost-regularises-one-matrix

# %% grade_id="nnCostFunction"
def nnCostFunction(nnThetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10,
                   smallValueToRemoveInfinity=1e-12):
    m = len(X)
    split = hiddenLayerSize * (inputLayerSize + 1)
    thetaOne = np.reshape(nnThetas[:split], (hiddenLayerSize, inputLayerSize + 1))
    thetaTwo = np.reshape(nnThetas[split:], (classLabels, hiddenLayerSize + 1))
    hidden = mySigmoid(np.c_[np.ones((m, 1)), X] @ thetaOne.T)
    output = mySigmoid(np.c_[np.ones((m, 1)), hidden] @ thetaTwo.T)
    crossEntropy = -np.sum(y * np.log(output + smallValueToRemoveInfinity)
                           + (1 - y) * np.log(1 - output + smallValueToRemoveInfinity)) / m
    regularisation = lambda_ / (2 * m) * np.sum(thetaOne[:, 1:] ** 2)
    return crossEntropy + regularisation
