# Correct: everything with explicit loops over examples and units (slow but right).
# Loses:

# %% grade_id="nnCostFunction"
def nnCostFunction(nnThetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10,
                   smallValueToRemoveInfinity=1e-12):
    m = len(X)
    split = hiddenLayerSize * (inputLayerSize + 1)
    thetaOne = np.reshape(nnThetas[:split], (hiddenLayerSize, inputLayerSize + 1))
    thetaTwo = np.reshape(nnThetas[split:], (classLabels, hiddenLayerSize + 1))
    total = 0.0
    for i in range(m):
        hidden = mySigmoid(thetaOne @ np.concatenate([[1.0], X[i]]))
        output = mySigmoid(thetaTwo @ np.concatenate([[1.0], hidden]))
        for k in range(classLabels):
            total -= y[i, k] * np.log(output[k] + smallValueToRemoveInfinity)
            total -= (1 - y[i, k]) * np.log(1 - output[k] + smallValueToRemoveInfinity)
    squares = 0.0
    for matrix in (thetaOne, thetaTwo):
        for row in matrix:
            squares += np.sum(row[1:] ** 2)
    return total / m + lambda_ / (2 * m) * squares

# %% grade_id="nnGradientFunction"
def nnGradientFunction(nnThetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10,
                       smallValueToRemoveInfinity=1e-12):
    m = len(X)
    split = hiddenLayerSize * (inputLayerSize + 1)
    thetaOne = np.reshape(nnThetas[:split], (hiddenLayerSize, inputLayerSize + 1))
    thetaTwo = np.reshape(nnThetas[split:], (classLabels, hiddenLayerSize + 1))
    gradOne = np.zeros(thetaOne.shape)
    gradTwo = np.zeros(thetaTwo.shape)
    for i in range(m):
        a1 = np.concatenate([[1.0], X[i]])
        z2 = thetaOne @ a1
        a2 = np.concatenate([[1.0], mySigmoid(z2)])
        a3 = mySigmoid(thetaTwo @ a2)
        delta3 = a3 - y[i]
        delta2 = (thetaTwo[:, 1:].T @ delta3) * mySigmoidGradient(z2)
        gradOne += np.outer(delta2, a1)
        gradTwo += np.outer(delta3, a2)
    return np.concatenate([(gradOne / m).ravel(), (gradTwo / m).ravel()])

# %% grade_id="nnGradientFunctionRegularised"
def nnGradientFunction(nnThetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10,
                       smallValueToRemoveInfinity=1e-12):
    m = len(X)
    split = hiddenLayerSize * (inputLayerSize + 1)
    thetaOne = np.reshape(nnThetas[:split], (hiddenLayerSize, inputLayerSize + 1))
    thetaTwo = np.reshape(nnThetas[split:], (classLabels, hiddenLayerSize + 1))
    gradOne = np.zeros(thetaOne.shape)
    gradTwo = np.zeros(thetaTwo.shape)
    for i in range(m):
        a1 = np.concatenate([[1.0], X[i]])
        z2 = thetaOne @ a1
        a2 = np.concatenate([[1.0], mySigmoid(z2)])
        a3 = mySigmoid(thetaTwo @ a2)
        delta3 = a3 - y[i]
        delta2 = (thetaTwo[:, 1:].T @ delta3) * mySigmoidGradient(z2)
        gradOne += np.outer(delta2, a1)
        gradTwo += np.outer(delta3, a2)
    gradOne /= m
    gradTwo /= m
    for j in range(1, thetaOne.shape[1]):
        gradOne[:, j] += lambda_ / m * thetaOne[:, j]
    for j in range(1, thetaTwo.shape[1]):
        gradTwo[:, j] += lambda_ / m * thetaTwo[:, j]
    return np.concatenate([gradOne.ravel(), gradTwo.ravel()])

# %% grade_id="convolve2d"
def convolve2d(image, kernel):
    padded = np.zeros((image.shape[0] + 2, image.shape[1] + 2))
    padded[1:-1, 1:-1] = image
    output = np.zeros(image.shape)
    for row in range(image.shape[0]):
        for col in range(image.shape[1]):
            total = 0.0
            for i in range(3):
                for j in range(3):
                    total += kernel[i, j] * padded[row + i, col + j]
            output[row, col] = total
    return output
