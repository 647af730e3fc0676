# Mistake: back-propagates through Theta2 without its last column instead of without the bias column.
# Loses: gradient, gradient_regularised
# Diagnosis: gradient-theta2-wrong-columns

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
    z3 = a2 @ thetaTwo.T
    a3 = mySigmoid(z3)
    delta3 = a3 - y
    delta2 = (delta3 @ thetaTwo[:, :-1]) * mySigmoidGradient(z2)
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
    z3 = a2 @ thetaTwo.T
    a3 = mySigmoid(z3)
    delta3 = a3 - y
    delta2 = (delta3 @ thetaTwo[:, :-1]) * mySigmoidGradient(z2)
    gradOne = (delta2.T @ a1) / m
    gradTwo = (delta3.T @ a2) / m
    gradOne[:, 1:] += lambda_ / m * thetaOne[:, 1:]
    gradTwo[:, 1:] += lambda_ / m * thetaTwo[:, 1:]
    return np.append(np.ravel(gradOne), np.ravel(gradTwo))
