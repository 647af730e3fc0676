# Correct: scipy.special.expit as the sigmoid and every computation in float32, convolution included.
# Loses:

# %% grade_id="nnCostFunction"
from scipy.special import expit


def nnCostFunction(nnThetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10,
                   smallValueToRemoveInfinity=1e-12):
    thetas = np.asarray(nnThetas, dtype=np.float32)
    X = np.asarray(X, dtype=np.float32)
    y = np.asarray(y, dtype=np.float32)
    m = len(X)
    split = hiddenLayerSize * (inputLayerSize + 1)
    thetaOne = thetas[:split].reshape(hiddenLayerSize, inputLayerSize + 1)
    thetaTwo = thetas[split:].reshape(classLabels, hiddenLayerSize + 1)
    a2 = expit(np.c_[np.ones((m, 1), np.float32), X] @ thetaOne.T)
    a3 = expit(np.c_[np.ones((m, 1), np.float32), a2] @ thetaTwo.T)
    J = -np.sum(y * np.log(a3 + np.float32(smallValueToRemoveInfinity))
                + (1 - y) * np.log(1 - a3 + np.float32(smallValueToRemoveInfinity)), dtype=np.float64) / m
    return J + lambda_ / (2 * m) * float(np.sum(thetaOne[:, 1:] ** 2) + np.sum(thetaTwo[:, 1:] ** 2))

# %% grade_id="mySigmoidGradient"
def mySigmoidGradient(z):
    s = expit(z)
    return s - s * s

# %% grade_id="nnGradientFunctionRegularised"
def nnGradientFunction(nnThetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10,
                       smallValueToRemoveInfinity=1e-12):
    thetas = np.asarray(nnThetas, dtype=np.float32)
    X = np.asarray(X, dtype=np.float32)
    y = np.asarray(y, dtype=np.float32)
    m = len(X)
    split = hiddenLayerSize * (inputLayerSize + 1)
    thetaOne = thetas[:split].reshape(hiddenLayerSize, inputLayerSize + 1)
    thetaTwo = thetas[split:].reshape(classLabels, hiddenLayerSize + 1)
    a1 = np.c_[np.ones((m, 1), np.float32), X]
    z2 = a1 @ thetaOne.T
    a2 = np.c_[np.ones((m, 1), np.float32), expit(z2)]
    delta3 = expit(a2 @ thetaTwo.T) - y
    delta2 = (delta3 @ thetaTwo[:, 1:]) * mySigmoidGradient(z2)
    gradOne = delta2.T @ a1 / m
    gradTwo = delta3.T @ a2 / m
    gradOne[:, 1:] += np.float32(lambda_ / m) * thetaOne[:, 1:]
    gradTwo[:, 1:] += np.float32(lambda_ / m) * thetaTwo[:, 1:]
    return np.concatenate([gradOne.ravel(), gradTwo.ravel()])

# %% grade_id="convolve2d"
def convolve2d(image, kernel):
    image = np.asarray(image, dtype=np.float32)
    kernel = np.asarray(kernel, dtype=np.float32)
    padded = np.pad(image, 1)
    output = np.empty(image.shape, dtype=np.float32)
    for row in range(image.shape[0]):
        for col in range(image.shape[1]):
            output[row, col] = (padded[row:row + 3, col:col + 3] * kernel).sum()
    return output
