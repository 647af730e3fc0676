# Mistake: a MATLAB-style port: reads nnThetas and packs the gradient column by column (order='F'), consistently.
# Loses: cost_unregularised, cost_regularised, gradient, gradient_regularised
# Diagnosis: parameters-column-order

# %% grade_id="nnCostFunction"
def nnCostFunction(nnThetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10,
                   smallValueToRemoveInfinity=1e-12):
    m = X.shape[0]
    split = hiddenLayerSize * (inputLayerSize + 1)
    Theta1 = np.reshape(nnThetas[:split], (hiddenLayerSize, inputLayerSize + 1), order='F')
    Theta2 = np.reshape(nnThetas[split:], (classLabels, hiddenLayerSize + 1), order='F')
    a2 = mySigmoid(np.hstack([np.ones((m, 1)), X]) @ Theta1.T)
    h = mySigmoid(np.hstack([np.ones((m, 1)), a2]) @ Theta2.T)
    J = np.sum(-y * np.log(h + smallValueToRemoveInfinity)
               - (1 - y) * np.log(1 - h + smallValueToRemoveInfinity)) / m
    return J + lambda_ / (2 * m) * (np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2))

# %% grade_id="nnGradientFunction"
def nnGradientFunction(nnThetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10,
                       smallValueToRemoveInfinity=1e-12):
    m = X.shape[0]
    split = hiddenLayerSize * (inputLayerSize + 1)
    Theta1 = np.reshape(nnThetas[:split], (hiddenLayerSize, inputLayerSize + 1), order='F')
    Theta2 = np.reshape(nnThetas[split:], (classLabels, hiddenLayerSize + 1), order='F')
    a1 = np.hstack([np.ones((m, 1)), X])
    z2 = a1 @ Theta1.T
    a2 = np.hstack([np.ones((m, 1)), mySigmoid(z2)])
    d3 = mySigmoid(a2 @ Theta2.T) - y
    d2 = (d3 @ Theta2[:, 1:]) * mySigmoidGradient(z2)
    Theta1_grad = d2.T @ a1 / m
    Theta2_grad = d3.T @ a2 / m
    return np.concatenate([Theta1_grad.ravel(order='F'), Theta2_grad.ravel(order='F')])

# %% grade_id="nnGradientFunctionRegularised"
def nnGradientFunction(nnThetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10,
                       smallValueToRemoveInfinity=1e-12):
    m = X.shape[0]
    split = hiddenLayerSize * (inputLayerSize + 1)
    Theta1 = np.reshape(nnThetas[:split], (hiddenLayerSize, inputLayerSize + 1), order='F')
    Theta2 = np.reshape(nnThetas[split:], (classLabels, hiddenLayerSize + 1), order='F')
    a1 = np.hstack([np.ones((m, 1)), X])
    z2 = a1 @ Theta1.T
    a2 = np.hstack([np.ones((m, 1)), mySigmoid(z2)])
    d3 = mySigmoid(a2 @ Theta2.T) - y
    d2 = (d3 @ Theta2[:, 1:]) * mySigmoidGradient(z2)
    Theta1_grad = d2.T @ a1 / m
    Theta2_grad = d3.T @ a2 / m
    Theta1_grad[:, 1:] += lambda_ / m * Theta1[:, 1:]
    Theta2_grad[:, 1:] += lambda_ / m * Theta2[:, 1:]
    return np.concatenate([Theta1_grad.ravel(order='F'), Theta2_grad.ravel(order='F')])
