# Mistake: follows the classic hint literally and zeroes the bias column of the reshaped view, which
# writes into the caller's nnThetas.
# Loses: gradient_regularised
# Diagnosis: modifies-input

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
    delta3 = mySigmoid(a2 @ thetaTwo.T) - y
    delta2 = (delta3 @ thetaTwo[:, 1:]) * mySigmoidGradient(z2)
    gradOne = delta2.T @ a1 / m
    gradTwo = delta3.T @ a2 / m
    thetaOne[:, 0] = 0
    thetaTwo[:, 0] = 0
    gradOne += lambda_ / m * thetaOne
    gradTwo += lambda_ / m * thetaTwo
    return np.append(np.ravel(gradOne), np.ravel(gradTwo))
