# Mistake: multiplies the deltas by X and by the hidden activations before their column of ones is
# added, so neither gradient matrix has its bias column (the gradient is 35 numbers short at 784-25-10).
# Loses: gradient, gradient_regularised
# Diagnosis: gradient-bias-columns-missing

# %% grade_id="nnGradientFunction"
def nnGradientFunction(nnThetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10,
                       smallValueToRemoveInfinity=1e-12):
    m = len(X)
    split = hiddenLayerSize * (inputLayerSize + 1)
    thetaOne = np.reshape(nnThetas[:split], (hiddenLayerSize, inputLayerSize + 1))
    thetaTwo = np.reshape(nnThetas[split:], (classLabels, hiddenLayerSize + 1))
    z2 = np.c_[np.ones((m, 1)), X] @ thetaOne.T
    hidden = mySigmoid(z2)
    output = mySigmoid(np.c_[np.ones((m, 1)), hidden] @ thetaTwo.T)
    deltaOutput = output - y
    deltaHidden = (deltaOutput @ thetaTwo[:, 1:]) * mySigmoidGradient(z2)
    gradOne = deltaHidden.T @ X / m
    gradTwo = deltaOutput.T @ hidden / m
    return np.append(np.ravel(gradOne), np.ravel(gradTwo))

# %% grade_id="nnGradientFunctionRegularised"
def nnGradientFunction(nnThetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10,
                       smallValueToRemoveInfinity=1e-12):
    m = len(X)
    split = hiddenLayerSize * (inputLayerSize + 1)
    thetaOne = np.reshape(nnThetas[:split], (hiddenLayerSize, inputLayerSize + 1))
    thetaTwo = np.reshape(nnThetas[split:], (classLabels, hiddenLayerSize + 1))
    z2 = np.c_[np.ones((m, 1)), X] @ thetaOne.T
    hidden = mySigmoid(z2)
    output = mySigmoid(np.c_[np.ones((m, 1)), hidden] @ thetaTwo.T)
    deltaOutput = output - y
    deltaHidden = (deltaOutput @ thetaTwo[:, 1:]) * mySigmoidGradient(z2)
    gradOne = deltaHidden.T @ X / m + lambda_ / m * thetaOne[:, 1:]
    gradTwo = deltaOutput.T @ hidden / m + lambda_ / m * thetaTwo[:, 1:]
    return np.append(np.ravel(gradOne), np.ravel(gradTwo))
