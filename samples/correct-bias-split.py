# Correct: keeps biases and weights as separate arrays, adds the biases by broadcasting, and draws
# the weight images with fig.add_subplot and its own colour scaling.
# Loses:

# %% grade_id="nnCostFunction"
def unpackParameters(nnThetas, inputLayerSize, hiddenLayerSize, classLabels):
    split = hiddenLayerSize * (inputLayerSize + 1)
    thetaOne = np.asarray(nnThetas[:split]).reshape(hiddenLayerSize, inputLayerSize + 1)
    thetaTwo = np.asarray(nnThetas[split:]).reshape(classLabels, hiddenLayerSize + 1)
    return thetaOne[:, 0], thetaOne[:, 1:], thetaTwo[:, 0], thetaTwo[:, 1:]


def nnCostFunction(nnThetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10,
                   smallValueToRemoveInfinity=1e-12):
    biasOne, weightsOne, biasTwo, weightsTwo = unpackParameters(nnThetas, inputLayerSize, hiddenLayerSize, classLabels)
    output = mySigmoid(mySigmoid(X @ weightsOne.T + biasOne) @ weightsTwo.T + biasTwo)
    perExample = -(y * np.log(output + smallValueToRemoveInfinity)
                   + (1 - y) * np.log(1 - output + smallValueToRemoveInfinity)).sum(axis=1)
    return perExample.mean() + lambda_ / (2 * len(X)) * ((weightsOne ** 2).sum() + (weightsTwo ** 2).sum())

# %% grade_id="nnGradientFunctionRegularised"
def nnGradientFunction(nnThetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10,
                       smallValueToRemoveInfinity=1e-12):
    m = len(X)
    biasOne, weightsOne, biasTwo, weightsTwo = unpackParameters(nnThetas, inputLayerSize, hiddenLayerSize, classLabels)
    z2 = X @ weightsOne.T + biasOne
    a2 = mySigmoid(z2)
    delta3 = mySigmoid(a2 @ weightsTwo.T + biasTwo) - y
    delta2 = delta3 @ weightsTwo * mySigmoidGradient(z2)
    gradients = [delta2.mean(axis=0)[:, None], delta2.T @ X / m + lambda_ / m * weightsOne,
                 delta3.mean(axis=0)[:, None], delta3.T @ a2 / m + lambda_ / m * weightsTwo]
    return np.concatenate([np.hstack(gradients[:2]).ravel(), np.hstack(gradients[2:]).ravel()])

# %% grade_id="plotHiddenWeights"
def plotHiddenWeights(thetaOne):
    units = thetaOne.shape[0]
    side = int(np.ceil(np.sqrt(units)))
    fig = plt.figure(figsize=(7, 7))
    for unit in range(units):
        weights = thetaOne[unit, 1:]
        scaled = (weights - weights.min()) / (weights.max() - weights.min())
        ax = fig.add_subplot(side, side, unit + 1)
        ax.imshow(scaled.reshape(28, 28), cmap="viridis")
        ax.axis("off")
    return fig
