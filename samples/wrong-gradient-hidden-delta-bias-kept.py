# Mistake: a port of the classic exercise puts a column of ones in front of z2 for the slope and
# multiplies by the whole of Theta2, but never drops the bias unit's column of the hidden deltas.
# Loses: gradient
# Diagnosis: gradient-hidden-delta-bias-kept

# %% grade_id="nnGradientFunction"
def nnGradientFunction(nnThetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10,
                       smallValueToRemoveInfinity=1e-12):
    m = X.shape[0]
    split = hiddenLayerSize * (inputLayerSize + 1)
    Theta1 = nnThetas[:split].reshape(hiddenLayerSize, inputLayerSize + 1)
    Theta2 = nnThetas[split:].reshape(classLabels, hiddenLayerSize + 1)
    a1 = np.hstack([np.ones((m, 1)), X])
    z2 = np.hstack([np.ones((m, 1)), a1 @ Theta1.T])
    a2 = np.hstack([np.ones((m, 1)), mySigmoid(z2[:, 1:])])
    a3 = mySigmoid(a2 @ Theta2.T)
    d3 = a3 - y
    d2 = (d3 @ Theta2) * mySigmoidGradient(z2)
    Theta1_grad = d2.T @ a1 / m
    Theta2_grad = d3.T @ a2 / m
    return np.concatenate([Theta1_grad.ravel(), Theta2_grad.ravel()])
