# Correct: forward and backward passes written with np.einsum, and a sliding-window convolution.
# Loses:

# %% grade_id="nnCostFunction"
def nnCostFunction(nnThetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10,
                   smallValueToRemoveInfinity=1e-12):
    m = X.shape[0]
    split = hiddenLayerSize * (inputLayerSize + 1)
    thetaOne = nnThetas[:split].reshape(hiddenLayerSize, -1)
    thetaTwo = nnThetas[split:].reshape(classLabels, -1)
    a2 = mySigmoid(np.einsum("hi,mi->mh", thetaOne[:, 1:], X) + thetaOne[:, 0])
    a3 = mySigmoid(np.einsum("kh,mh->mk", thetaTwo[:, 1:], a2) + thetaTwo[:, 0])
    crossEntropy = -np.einsum("mk,mk->", y, np.log(a3 + smallValueToRemoveInfinity)) \
        - np.einsum("mk,mk->", 1 - y, np.log(1 - a3 + smallValueToRemoveInfinity))
    return crossEntropy / m + lambda_ / (2 * m) * (np.einsum("ij,ij->", thetaOne[:, 1:], thetaOne[:, 1:])
                                                   + np.einsum("ij,ij->", thetaTwo[:, 1:], thetaTwo[:, 1:]))

# %% grade_id="nnGradientFunctionRegularised"
def nnGradientFunction(nnThetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10,
                       smallValueToRemoveInfinity=1e-12):
    m = X.shape[0]
    split = hiddenLayerSize * (inputLayerSize + 1)
    thetaOne = nnThetas[:split].reshape(hiddenLayerSize, -1)
    thetaTwo = nnThetas[split:].reshape(classLabels, -1)
    z2 = np.einsum("hi,mi->mh", thetaOne[:, 1:], X) + thetaOne[:, 0]
    a2 = mySigmoid(z2)
    a3 = mySigmoid(np.einsum("kh,mh->mk", thetaTwo[:, 1:], a2) + thetaTwo[:, 0])
    delta3 = a3 - y
    delta2 = np.einsum("mk,kh->mh", delta3, thetaTwo[:, 1:]) * mySigmoidGradient(z2)
    gradOne = np.hstack([delta2.sum(0)[:, None], np.einsum("mh,mi->hi", delta2, X)]) / m
    gradTwo = np.hstack([delta3.sum(0)[:, None], np.einsum("mk,mh->kh", delta3, a2)]) / m
    gradOne[:, 1:] += lambda_ / m * thetaOne[:, 1:]
    gradTwo[:, 1:] += lambda_ / m * thetaTwo[:, 1:]
    return np.concatenate([gradOne.ravel(), gradTwo.ravel()])

# %% grade_id="convolve2d"
def convolve2d(image, kernel):
    windows = np.lib.stride_tricks.sliding_window_view(np.pad(image, 1), kernel.shape)
    return np.einsum("rcij,ij->rc", windows, kernel)
