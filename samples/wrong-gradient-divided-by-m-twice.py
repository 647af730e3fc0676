# Mistake: averages the output errors over the examples, then divides the gradients by m again.
# Loses: gradient, gradient_regularised
# Diagnosis: gradient-divided-by-m-twice

# %% grade_id="nnGradientFunction"
def nnGradientFunction(nnThetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10,
                       smallValueToRemoveInfinity=1e-12):
    m = len(X)
    split = hiddenLayerSize * (inputLayerSize + 1)
    thetaOne = np.reshape(nnThetas[:split], (hiddenLayerSize, inputLayerSize + 1))
    thetaTwo = np.reshape(nnThetas[split:], (classLabels, hiddenLayerSize + 1))
    a1 = np.c_[np.ones((m, 1)), X]
    z2 = a1 @ thetaOne.T
    a2 = np.c_[np.ones((m, 1)), mySigmoid(z2)]
    a3 = mySigmoid(a2 @ thetaTwo.T)
    delta3 = (a3 - y) / m
    delta2 = (delta3 @ thetaTwo[:, 1:]) * mySigmoidGradient(z2)
    gradOne = (delta2.T @ a1) / m
    gradTwo = (delta3.T @ a2) / m
    return np.append(np.ravel(gradOne), np.ravel(gradTwo))

# %% grade_id="nnGradientFunctionRegularised"
def nnGradientFunction(nnThetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10,
                       smallValueToRemoveInfinity=1e-12):
    m = len(X)
    split = hiddenLayerSize * (inputLayerSize + 1)
    thetaOne = np.reshape(nnThetas[:split], (hiddenLayerSize, inputLayerSize + 1))
    thetaTwo = np.reshape(nnThetas[split:], (classLabels, hiddenLayerSize + 1))
    a1 = np.c_[np.ones((m, 1)), X]
    z2 = a1 @ thetaOne.T
    a2 = np.c_[np.ones((m, 1)), mySigmoid(z2)]
    a3 = mySigmoid(a2 @ thetaTwo.T)
    delta3 = (a3 - y) / m
    delta2 = (delta3 @ thetaTwo[:, 1:]) * mySigmoidGradient(z2)
    gradOne = (delta2.T @ a1) / m
    gradTwo = (delta3.T @ a2) / m
    gradOne[:, 1:] += lambda_ / m * thetaOne[:, 1:]
    gradTwo[:, 1:] += lambda_ / m * thetaTwo[:, 1:]
    return np.append(np.ravel(gradOne), np.ravel(gradTwo))
