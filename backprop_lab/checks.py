"""Hidden checks of the graded parts: each calls a student's function on inputs it chooses and
compares the plain results with the trusted reference (network.py, convolution.py).

A check raises AssertionError with a message a student can act on, and returns None when
the answer is right. When a failing answer matches a catalogued mistake (mistakes.py,
recognised by diagnosis.py) the message names it, explains it and gives a hint. Student code runs with numpy's floating-point warnings silenced, so a
correct answer never fails a cell by writing a RuntimeWarning to stderr.
"""
import contextlib
import warnings

import numpy as np

from backprop_lab import convolution, diagnosis, mistakes, network
from backprop_lab.kernel import FigureImages, KernelFault, StudentError

# Relative-error tolerances. A correct float64 answer is ~1e-12 from the reference, a correct
# float32 one ~1e-7; every mistake we know of is off by more than 1e-3.
COST_TOLERANCE = 1e-5
GRADIENT_TOLERANCE = 1e-4
NUMERICAL_EPSILON = 1e-5

# (inputLayerSize, hiddenLayerSize, classLabels, m): several shapes, so that hard-coded sizes,
# swapped dimensions and transposes show; more classes than hidden units in one of them.
SMALL_NETWORKS = [(3, 5, 3, 5), (4, 3, 2, 7), (2, 4, 6, 9), (5, 1, 3, 4)]
FULL_NETWORK = (784, 25, 10, 40)
RANDOM_DIRECTIONS = 10

# The notebook's training cell (fmin_cg, lambda = 1, 60 iterations) reaches 98.7 % of the training
# and 91.8-92.0 % of the test digits with every correct implementation we grade (float64 or float32);
# the thresholds leave room for rounding, not for a broken gradient (README, "Training thresholds").
TRAIN_ACCURACY_THRESHOLD = 0.97
TEST_ACCURACY_THRESHOLD = 0.91
TRAINING_LAMBDA = 1.0
TRAINING_ITERATIONS = 60


@contextlib.contextmanager
def _quiet():
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _problem(input_size, hidden_size, n_classes, m, seed):
    """Random parameters, inputs in [0, 1] and one-hot labels for one network shape."""
    rng = np.random.default_rng(seed)
    thetas = rng.uniform(-1.0, 1.0, network.n_parameters(input_size, hidden_size, n_classes))
    X = rng.uniform(0.0, 1.0, (m, input_size))
    Y = network.one_hot(rng.integers(0, n_classes, m), n_classes)
    return thetas, X, Y


def _sizes_keywords(input_size, hidden_size, n_classes):
    return dict(inputLayerSize=input_size, hiddenLayerSize=hidden_size, classLabels=n_classes)


def _call(function, name, *args, **kwargs):
    """Call the student's function on copies; fail if it changes them or raises."""
    copies = [np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in args]
    try:
        with _quiet():
            result = function(*copies, **kwargs)
    except KernelFault as fault:
        raise AssertionError(f"{name} did not finish: {fault}") from None
    except StudentError as error:  # raised in the graded kernel: "TypeError: ..."
        raise AssertionError(f"{name} raised {error}") from None
    except Exception as error:  # the student's own error, reported as such
        raise AssertionError(f"{name} raised {type(error).__name__}: {error}") from None
    for position, (original, copy) in enumerate(zip(args, copies), start=1):
        if isinstance(original, np.ndarray) and not np.array_equal(original, copy, equal_nan=True):
            # What to do instead is the catalogue's explanation and hint: said once, there.
            raise AssertionError(_diagnosed(
                f"{name} changed the array it was given as argument {position} (shape {original.shape}).",
                "modifies-input"))
    return result


def _diagnosed(message, mistake_id):
    """The check's message, followed by the catalogued mistake it recognised (if any)."""
    return f"{message}\n{mistakes.message(mistake_id)}" if mistake_id else message


def _diagnose_sizes(function, name, reference, lambda_):
    """After a failure on a small network: is the function right at 784-25-10 only (sizes typed
    in), or right on the notebook's training set whatever it is given? -> mistake id or None"""
    thetas, X, Y = _problem(*FULL_NETWORK, seed=300)
    try:
        got = _call(function, name, thetas, X, Y, lambda_)
        if diagnosis._close(got, reference(thetas, X, Y, lambda_)):
            return "hard-coded-sizes"
        dataset = _load_training_data()
        if diagnosis._close(got, reference(thetas, dataset["XTrain"], dataset["yTrain"], lambda_)):
            return "uses-global-training-set"
    except (AssertionError, ValueError, TypeError):
        pass
    return None


@contextlib.contextmanager
def _sizes_diagnosed(function, name, reference, lambda_, small):
    """Add the sizes diagnosis to a failure (an error, a wrong shape) on a small network."""
    try:
        yield
    except AssertionError as failure:
        if not small or "Likely mistake" in str(failure):
            raise
        raise AssertionError(_diagnosed(str(failure), _diagnose_sizes(function, name, reference, lambda_))) from None


def _as_float(value, name):
    array = np.asarray(value, dtype=float)
    if array.size != 1:
        raise AssertionError(f"{name} should return one number (the cost), got an array of shape {array.shape}")
    return float(array.reshape(()))


def _as_gradient(value, name, thetas, X, Y, lambda_, sizes):
    """The student's gradient as a flat float array; a wrong shape fails, saying which bias columns
    a too-short one leaves out and naming the catalogued mistake it matches."""
    array = np.asarray(value, dtype=float)
    if array.shape != thetas.shape:
        missing = diagnosis.missing_bias_columns(array.size, sizes) if array.ndim == 1 else None
        advice = missing or "Ravel both gradient matrices and join them: Theta1 first."
        raise AssertionError(_diagnosed(
            f"{name} should return a flat array of {thetas.size} numbers (one per parameter), "
            f"got shape {array.shape}. {advice}", diagnosis.gradient(array, thetas, X, Y, lambda_, sizes)))
    return array


def _where_largest(difference, input_size, hidden_size, n_classes):
    """Name the block of parameters where a gradient is most wrong."""
    grad1, grad2 = network.unpack(np.abs(difference), input_size, hidden_size, n_classes)
    blocks = {
        "Theta1 biases (column 0)": grad1[:, 0], "Theta1 weights": grad1[:, 1:],
        "Theta2 biases (column 0)": grad2[:, 0], "Theta2 weights": grad2[:, 1:],
    }
    return max(blocks, key=lambda name: float(np.max(blocks[name], initial=0.0)))


def check_cost(nnCostFunction, regularised):
    """nnCostFunction equals the trusted cost on several networks (lambda = 0, or lambda > 0)."""
    lambdas = (1.0, 3.0) if regularised else (0.0,)
    for seed, sizes in enumerate(SMALL_NETWORKS + [FULL_NETWORK]):
        input_size, hidden_size, n_classes, m = sizes
        thetas, X, Y = _problem(*sizes, seed=seed)
        keywords = {} if sizes == FULL_NETWORK else _sizes_keywords(input_size, hidden_size, n_classes)
        for lambda_ in lambdas:
            expected = network.cost(thetas, X, Y, lambda_, input_size, hidden_size, n_classes)
            with _sizes_diagnosed(nnCostFunction, "nnCostFunction", network.cost, lambda_, sizes != FULL_NETWORK):
                got = _as_float(_call(nnCostFunction, "nnCostFunction", thetas, X, Y, lambda_, **keywords),
                                "nnCostFunction")
            error = abs(got - expected) / abs(expected)
            assert error < COST_TOLERANCE, _diagnosed(
                f"nnCostFunction is off by a relative {error:.2g} on a {input_size}-{hidden_size}-{n_classes} "
                f"network with m = {m} samples and lambda_ = {lambda_:g} (it returned {got:.6f}).",
                diagnosis.cost(got, thetas, X, Y, lambda_, sizes[:3]))


def check_sigmoid_gradient(mySigmoidGradient):
    """mySigmoidGradient(z) = sigma(z) (1 - sigma(z)) elementwise, for scalars and arrays."""
    z = np.array([[-4.0, -1.5, -0.3], [0.0, 0.7, 5.0]])
    got = np.asarray(_call(mySigmoidGradient, "mySigmoidGradient", z), dtype=float)
    assert got.shape == z.shape, f"mySigmoidGradient should keep the shape {z.shape}, got {got.shape}"
    expected = network.sigmoid_gradient(z)
    classic_typo = network.sigmoid(z) * network.sigmoid(1 - z)
    assert np.allclose(got, expected, rtol=1e-5, atol=0), _diagnosed(
        "mySigmoidGradient(z) should be sigma(z) * (1 - sigma(z)), taken at z; "
        f"at z = {z.ravel().tolist()} it returned {np.round(got.ravel(), 4).tolist()}",
        "sigmoid-gradient-classic-typo" if diagnosis._close(got, classic_typo) else None)
    scalar = _as_float(_call(mySigmoidGradient, "mySigmoidGradient", 0.0), "mySigmoidGradient(0)")
    assert abs(scalar - 0.25) < 1e-9, f"mySigmoidGradient(0) should be 0.25, got {scalar}"


def check_gradient(nnGradientFunction, regularised):
    """nnGradientFunction matches central differences of the trusted cost, every parameter of
    several small networks, and random directions at full size."""
    lambdas = (1.0, 3.0) if regularised else (0.0,)
    name = "nnGradientFunction"
    for seed, sizes in enumerate(SMALL_NETWORKS):
        input_size, hidden_size, n_classes, m = sizes
        thetas, X, Y = _problem(*sizes, seed=100 + seed)
        for lambda_ in lambdas:
            def trusted_cost(t):
                return network.cost(t, X, Y, lambda_, input_size, hidden_size, n_classes)
            numerical = network.numerical_gradient(trusted_cost, thetas, NUMERICAL_EPSILON)
            with _sizes_diagnosed(nnGradientFunction, name, network.gradient, lambda_, small=True):
                got = _as_gradient(
                    _call(nnGradientFunction, name, thetas, X, Y, lambda_,
                          **_sizes_keywords(input_size, hidden_size, n_classes)),
                    name, thetas, X, Y, lambda_, sizes[:3])
            error = network.relative_error(got, numerical)
            assert error < GRADIENT_TOLERANCE, _diagnosed(
                f"{name} differs from the numerical gradient by a relative error of {error:.2g} "
                f"(tolerance {GRADIENT_TOLERANCE:g}) on a {input_size}-{hidden_size}-{n_classes} network "
                f"with m = {m} and lambda_ = {lambda_:g}; the largest difference is in the "
                f"{_where_largest(got - numerical, input_size, hidden_size, n_classes)}.",
                diagnosis.gradient(got, thetas, X, Y, lambda_, sizes[:3]))

    input_size, hidden_size, n_classes, m = FULL_NETWORK
    thetas, X, Y = _problem(*FULL_NETWORK, seed=200)
    directions = np.random.default_rng(201).standard_normal((RANDOM_DIRECTIONS, thetas.size))
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    for lambda_ in lambdas:
        got = _as_gradient(_call(nnGradientFunction, name, thetas, X, Y, lambda_), name, thetas, X, Y, lambda_,
                           FULL_NETWORK[:3])
        slopes = np.array([network.directional_derivative(
            lambda t: network.cost(t, X, Y, lambda_), thetas, d, NUMERICAL_EPSILON) for d in directions])
        error = network.relative_error(directions @ got, slopes)
        assert error < GRADIENT_TOLERANCE, _diagnosed(
            f"At the default sizes (784-25-10, m = {m}, lambda_ = {lambda_:g}) {name} disagrees with the "
            f"cost's slope along {RANDOM_DIRECTIONS} random directions (relative error {error:.2g}).",
            diagnosis.gradient(got, thetas, X, Y, lambda_, FULL_NETWORK[:3]))


def _load_training_data():
    from backprop_lab import data
    return data.load_dataset()


def check_training(trainedNeuralNetwork, nnCostFunction):
    """fmin_cg's full output: lambda = 1, 60 iterations, parameters that classify digits well.

    The reported cost is compared with the student's own nnCostFunction, so that a mistake in
    the cost is charged to the cost's part, not to training.
    """
    assert isinstance(trainedNeuralNetwork, (tuple, list)) and len(trainedNeuralNetwork) == 6, (
        "trainedNeuralNetwork should be what fmin_cg returns with full_output=1 and retall=1: "
        "(xopt, fopt, func_calls, grad_calls, warnflag, allvecs)")
    xopt, fopt, _, _, warnflag, allvecs = trainedNeuralNetwork
    xopt = np.asarray(xopt, dtype=float)
    assert xopt.shape == (network.n_parameters(),), (
        f"trainedNeuralNetwork[0] should hold all {network.n_parameters()} trained parameters, got shape {xopt.shape}")
    iterations = len(allvecs) - 1
    assert iterations >= TRAINING_ITERATIONS or warnflag == 0, _diagnosed(
        f"fmin_cg stopped after {iterations} iterations without converging: train with maxiter=60",
        "training-too-few-iterations")
    dataset = _load_training_data()
    XTrain, yTrain = dataset["XTrain"], dataset["yTrain"]
    reported = float(fopt)
    with_lambda = _as_float(_call(nnCostFunction, "nnCostFunction", xopt, XTrain, yTrain, TRAINING_LAMBDA),
                            "nnCostFunction")
    if not np.isclose(reported, with_lambda, rtol=1e-6):
        used = [lam for lam in (0.0, 0.1, 3.0, 10.0, 100.0) if np.isclose(reported, _as_float(
            _call(nnCostFunction, "nnCostFunction", xopt, XTrain, yTrain, lam), "nnCostFunction"), rtol=1e-6)]
        hint = f"it looks like lambda_ = {used[0]:g}" if used else "was it trained on XTrain, yTrain?"
        raise AssertionError(_diagnosed(
            f"The cost fmin_cg reports ({reported:.5f}) is not nnCostFunction on XTrain, yTrain with lambda_ = 1 "
            f"({with_lambda:.5f}): {hint}. Pass args=(XTrain, yTrain, 1).", "training-wrong-lambda" if used else None))
    train = network.accuracy(xopt, XTrain, yTrain)
    test = network.accuracy(xopt, dataset["XTest"], dataset["yTest"])
    assert train >= TRAIN_ACCURACY_THRESHOLD and test >= TEST_ACCURACY_THRESHOLD, (
        f"The trained network classifies {train:.1%} of the training digits and {test:.1%} of the test digits; "
        f"expected at least {TRAIN_ACCURACY_THRESHOLD:.0%} and {TEST_ACCURACY_THRESHOLD:.0%}. "
        "Check your gradient first (the gradient-checking section).")


def _figure_images(figure, name):
    import matplotlib.figure
    if isinstance(figure, FigureImages):  # a Figure drawn in the graded kernel
        return list(figure)
    assert isinstance(figure, matplotlib.figure.Figure), (
        f"{name} should return the matplotlib Figure it drew (e.g. fig from plt.subplots), got {type(figure).__name__}")
    return [np.asarray(image.get_array(), dtype=float) for axes in figure.axes for image in axes.get_images()]


def check_hidden_weights_plot(plotHiddenWeights):
    """One 28x28 image per hidden unit, in unit order, showing that unit's weights (no bias)."""
    import matplotlib.pyplot as plt
    for hidden_size in (25, 16, 10):
        thetaOne = np.random.default_rng(hidden_size).standard_normal((hidden_size, 785))
        figure = _call(plotHiddenWeights, "plotHiddenWeights", thetaOne)
        try:
            images = _figure_images(figure, "plotHiddenWeights")
        finally:
            plt.close("all")
        assert len(images) == hidden_size, (
            f"For {hidden_size} hidden units plotHiddenWeights drew {len(images)} images; expected one per unit")
        for unit, image in enumerate(images):
            expected = thetaOne[unit, 1:].reshape(28, 28)
            assert image.shape == (28, 28), _diagnosed(
                f"Image {unit} has shape {image.shape}; expected (28, 28)",
                diagnosis.hidden_weights_image(image, thetaOne, unit))
            correlation = np.corrcoef(image.ravel(), expected.ravel())[0, 1]
            assert correlation > 0.999, _diagnosed(
                f"Image {unit} does not show hidden unit {unit}'s 784 weights as a 28x28 picture "
                "(leave out the bias in column 0; reshape(28, 28) without transposing; one unit per image, in order)",
                diagnosis.hidden_weights_image(image, thetaOne, unit))


def convolution_cases():
    """The (image, kernel) pairs check_convolution tries, in order: the Square with both edge
    filters, then random non-square and square images with random integer kernels."""
    rng = np.random.default_rng(7)
    cases = [(convolution.square_image(), convolution.FILTER_ONE),
             (convolution.square_image(), convolution.FILTER_TWO)]
    return cases + [(rng.uniform(0, 1, shape), rng.integers(-3, 4, (3, 3)).astype(float))
                    for shape in [(5, 7), (8, 8), (9, 4)]]


def check_convolution(convolve2d):
    """Zero-padded, same-size cross-correlation (no kernel flip) on several images and kernels."""
    for image, kernel in convolution_cases():
        expected = convolution.correlate_same(image, kernel)
        got = np.asarray(_call(convolve2d, "convolve2d", image, kernel), dtype=float)
        assert got.shape == image.shape, _diagnosed(
            f"convolve2d should return an image of the same shape as its input {image.shape} "
            f"(zero-pad by one pixel on every side), got {got.shape}", diagnosis.convolution_(got, image, kernel))
        difference = np.abs(got - expected)
        row, col = (int(i) for i in np.unravel_index(np.argmax(difference), got.shape))
        assert np.allclose(got, expected, rtol=1e-5, atol=1e-5), _diagnosed(  # float32 answers are fine
            f"convolve2d differs from the expected edge map on a {image.shape[0]}x{image.shape[1]} image "
            f"(largest difference {difference[row, col]:.3g} at pixel ({row}, {col}), row and column counted "
            "from 0). Multiply the kernel with the window centred on each pixel without flipping it, and pad "
            "with zeros.", diagnosis.convolution_(got, image, kernel))
