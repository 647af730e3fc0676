# Mistake: back-propagates the output errors through Theta2's weights but never multiplies by sigma'(z2).
# Loses: gradient, gradient_regularised
# Diagnosis: gradient-hidden-delta-without-slope

# %% grade_id="nnGradientFunction"
def nnGradientFunction(nnThetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10,
                       smallValueToRemoveInfinity=1e-12):
    m = len(X)
    split = hiddenLayerSize * (inputLayerSize + 1)
    thetaOne = np.reshape(nnThetas[:split], (hiddenLayerSize, inputLayerSize + 1))
    thetaTwo = np.reshape(nnThetas[split:], (classLabels, hiddenLayerSize + 1))
    a1 = np.c_[np.ones((m, 1)), X]
    a2 = np.c_[np.ones((m, 1)), mySigmoid(a1 @ thetaOne.T)]
    a3 = mySigmoid(a2 @ thetaTwo.T)
    delta3 = a3 - y
    delta2 = delta3 @ thetaTwo[:, 1:]
    return np.append(np.ravel(delta2.T @ a1 / m), np.ravel(delta3.T @ a2 / m))

# %% grade_id="nnGradientFunctionRegularised"
def nnGradientFunction(nnThetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10,
                       smallValueToRemoveInfinity=1e-12):
    m = len(X)
    split = hiddenLayerSize * (inputLayerSize + 1)
    thetaOne = np.reshape(nnThetas[:split], (hiddenLayerSize, inputLayerSize + 1))
    thetaTwo = np.reshape(nnThetas[split:], (classLabels, hiddenLayerSize + 1))
    a1 = np.c_[np.ones((m, 1)), X]
    a2 = np.c_[np.ones((m, 1)), mySigmoid(a1 @ thetaOne.T)]
    a3 = mySigmoid(a2 @ thetaTwo.T)
    delta3 = a3 - y
    delta2 = delta3 @ thetaTwo[:, 1:]
    gradOne = delta2.T @ a1 / m
    gradTwo = delta3.T @ a2 / m
    gradOne[:, 1:] += lambda_ / m * thetaOne[:, 1:]
    gradTwo[:, 1:] += lambda_ / m * thetaTwo[:, 1:]
    return np.append(np.ravel(gradOne), np.ravel(gradTwo))
