# Mistake: reshapes with the sizes typed in (784, 25, 10) instead of the size arguments.
# Loses: gradient, gradient_regularised
# Diagnosis: hard-coded-sizes

# %% grade_id="nnGradientFunction"
def nnGradientFunction(nnThetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10,
                       smallValueToRemoveInfinity=1e-12):
    m = len(X)
    thetaOne = np.reshape(nnThetas[:25 * 785], (25, 785))
    thetaTwo = np.reshape(nnThetas[25 * 785:], (10, 26))
    a1 = np.c_[np.ones((m, 1)), X]
    z2 = a1 @ thetaOne.T
    a2 = np.c_[np.ones((m, 1)), mySigmoid(z2)]
    delta3 = mySigmoid(a2 @ thetaTwo.T) - y
    delta2 = (delta3 @ thetaTwo[:, 1:]) * mySigmoidGradient(z2)
    return np.append(np.ravel(delta2.T @ a1 / m), np.ravel(delta3.T @ a2 / m))

# %% grade_id="nnGradientFunctionRegularised"
def nnGradientFunction(nnThetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10,
                       smallValueToRemoveInfinity=1e-12):
    m = len(X)
    thetaOne = np.reshape(nnThetas[:25 * 785], (25, 785))
    thetaTwo = np.reshape(nnThetas[25 * 785:], (10, 26))
    a1 = np.c_[np.ones((m, 1)), X]
    z2 = a1 @ thetaOne.T
    a2 = np.c_[np.ones((m, 1)), mySigmoid(z2)]
    delta3 = mySigmoid(a2 @ thetaTwo.T) - y
    delta2 = (delta3 @ thetaTwo[:, 1:]) * mySigmoidGradient(z2)
    gradOne = delta2.T @ a1 / m
    gradTwo = delta3.T @ a2 / m
    gradOne[:, 1:] += lambda_ / m * thetaOne[:, 1:]
    gradTwo[:, 1:] += lambda_ / m * thetaTwo[:, 1:]
    return np.append(np.ravel(gradOne), np.ravel(gradTwo))
