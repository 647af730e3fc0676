# Mistake: a MATLAB port slices Theta(:, 2:end) as theta[1:], which drops row 0 (the first unit), not
# column 0 (the biases), in the cost's penalty and in the regularised gradient.
# Loses: cost_regularised, gradient_regularised
# Diagnosis: regularisation-skips-first-row

# %% grade_id="nnCostFunction"
def nnCostFunction(nnThetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10,
                   smallValueToRemoveInfinity=1e-12):
    m = X.shape[0]
    split = hiddenLayerSize * (inputLayerSize + 1)
    theta1 = nnThetas[:split].reshape(hiddenLayerSize, inputLayerSize + 1)
    theta2 = nnThetas[split:].reshape(classLabels, hiddenLayerSize + 1)
    a1 = np.c_[np.ones((m, 1)), X]
    a2 = np.c_[np.ones((m, 1)), mySigmoid(a1 @ theta1.T)]
    h = mySigmoid(a2 @ theta2.T)
    J = np.sum(-y * np.log(h + smallValueToRemoveInfinity) - (1 - y) * np.log(1 - h + smallValueToRemoveInfinity)) / m
    return J + lambda_ / (2 * m) * (np.sum(theta1[1:] ** 2) + np.sum(theta2[1:] ** 2))

# %% grade_id="nnGradientFunctionRegularised"
def nnGradientFunction(nnThetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10,
                       smallValueToRemoveInfinity=1e-12):
    m = X.shape[0]
    split = hiddenLayerSize * (inputLayerSize + 1)
    theta1 = nnThetas[:split].reshape(hiddenLayerSize, inputLayerSize + 1)
    theta2 = nnThetas[split:].reshape(classLabels, hiddenLayerSize + 1)
    a1 = np.c_[np.ones((m, 1)), X]
    z2 = a1 @ theta1.T
    a2 = np.c_[np.ones((m, 1)), mySigmoid(z2)]
    d3 = mySigmoid(a2 @ theta2.T) - y
    d2 = (d3 @ theta2[:, 1:]) * mySigmoidGradient(z2)
    theta1Grad = d2.T @ a1 / m
    theta2Grad = d3.T @ a2 / m
    theta1Grad[1:] += lambda_ / m * theta1[1:]
    theta2Grad[1:] += lambda_ / m * theta2[1:]
    return np.concatenate([theta1Grad.ravel(), theta2Grad.ravel()])
