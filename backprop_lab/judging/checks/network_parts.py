"""The checks of the network's functions: the cost, the sigmoid gradient and the gradient, each
tried on several network shapes. A failure on a small shape is diagnosed by sizes: typed-in sizes,
the notebook's training set read instead of the arguments, or the shapes it fails on.
"""
import contextlib
from collections.abc import Callable

import numpy as np

from backprop_lab.judging import diagnosis
from backprop_lab.reference import network
from backprop_lab.judging.checks.calling import (COST_TOLERANCE, FULL_NETWORK, GRADIENT_TOLERANCE, NUMERICAL_EPSILON,
                                         RANDOM_DIRECTIONS, SMALL_NETWORKS, MissingName, as_array, as_float, call,
                                         diagnosed, load_training_data, problem)


def _sizes_keywords(input_size, hidden_size, n_classes):
    return dict(inputLayerSize=input_size, hiddenLayerSize=hidden_size, classLabels=n_classes)


def _agrees(got, expected):
    """Is the student's result the reference's (a one-number array counts as the number)?"""
    try:
        got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    except (TypeError, ValueError):
        return False
    if expected.ndim == 0 and got.size == 1:
        got = got.reshape(())
    return diagnosis.matches(got, expected)


def _right_on(function, name, reference, lambda_, sizes, seed):
    """Is the function right on a random problem of this shape? (False when it raises)"""
    thetas, X, Y = problem(*sizes, seed=seed)
    keywords = {} if sizes == FULL_NETWORK else _sizes_keywords(*sizes[:3])
    try:
        got = call(function, name, thetas, X, Y, lambda_, **keywords)
    except AssertionError:
        return False
    return _agrees(got, reference(thetas, X, Y, lambda_, *sizes[:3]))


def _shape(sizes):
    return "-".join(str(size) for size in sizes[:3])


def _shape_note(failed, lambda_, right):
    """Where a function fails and where it is right, in words, for a failure no mistake explains."""
    input_size, hidden_size, n_classes, m = failed
    units = "1 hidden unit" if hidden_size == 1 else f"{hidden_size} hidden units"
    note = (f"It failed on the {_shape(failed)} network ({input_size} inputs, {units}, {n_classes} classes, "
            f"m = {m} examples, lambda_ = {lambda_:g})")
    fine = [_shape(sizes) for sizes, ok in right.items() if ok]
    if not fine:
        return note + " and on every other shape the checks try, 784-25-10 included."
    return (note + f"; it is right on the {', '.join(fine)} networks, so look for what depends on the sizes in a "
            "way only this shape shows" + (" (with a single hidden unit, a matrix of the hidden layer has a single "
                                           "row or column)." if hidden_size == 1 else "."))


def _diagnose_sizes(function, name, reference, lambda_, failed):
    """After a failure (an error, a wrong shape) on the small network `failed`: -> (mistake id or None, note or None)

    Sizes typed in (784, 25 or 10) explain the failure only if the function is right at 784-25-10
    and wrong on every other shape; reading the notebook's training set explains it only if the
    function returns, at full size, the reference on XTrain, yTrain. Otherwise the note says on
    which shapes it fails and on which it is right."""
    right = {sizes: sizes != failed and _right_on(function, name, reference, lambda_, sizes, seed=300 + seed)
             for seed, sizes in enumerate(SMALL_NETWORKS + [FULL_NETWORK])}
    if right[FULL_NETWORK] and not any(right[sizes] for sizes in SMALL_NETWORKS):
        return "hard-coded-sizes", None
    if not right[FULL_NETWORK]:
        thetas, X, Y = problem(*FULL_NETWORK, seed=300)
        dataset = load_training_data()
        try:
            got = call(function, name, thetas, X, Y, lambda_)
            if _agrees(got, reference(thetas, dataset["XTrain"], dataset["yTrain"], lambda_)):
                return "uses-global-training-set", None
        except AssertionError:
            pass
    return None, _shape_note(failed, lambda_, right)


@contextlib.contextmanager
def _sizes_diagnosed(function, name, reference, lambda_, sizes):
    """Add the sizes diagnosis, or where it fails, to a failure (an error, a wrong shape) on a small network."""
    try:
        yield
    except MissingName:
        raise  # not a matter of sizes: the grader says where the name is defined
    except AssertionError as failure:
        found = failure.args[0] if failure.args else None
        if sizes == FULL_NETWORK or getattr(found, "mistake", None):
            raise
        mistake_id, note = _diagnose_sizes(function, name, reference, lambda_, sizes)
        message = str(failure)
        if note:
            message += (" " if message.endswith(".") else ". ") + note
        where = getattr(found, "where", None) or f"wrong on the {_shape(sizes)} network"
        raise AssertionError(diagnosed(message, mistake_id, where)) from None


def _as_gradient(value, name, thetas, X, Y, lambda_, sizes):
    """The student's gradient as a flat float array; a wrong shape fails, saying which bias columns
    a too-short one leaves out and naming the catalogued mistake it matches."""
    array = as_array(value, name)
    if array.shape != thetas.shape:
        missing = diagnosis.missing_bias_columns(array.size, sizes) if array.ndim == 1 else None
        advice = missing or "Ravel both gradient matrices and join them: Theta1 first."
        raise AssertionError(diagnosed(
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


def _wrong_cost_term(nnCostFunction, thetas, X, Y, lambda_, keywords, sizes):
    """Which term of a wrong cost is off: the penalty when the same call with lambda_ = 0 is right."""
    if lambda_ == 0:
        return "the cross-entropy term"
    try:
        unregularised = as_float(call(nnCostFunction, "nnCostFunction", thetas, X, Y, 0.0, **keywords), "")
    except AssertionError:
        return "the cross-entropy term"
    expected = network.cost(thetas, X, Y, 0.0, *sizes[:3])
    return ("the regularisation term" if abs(unregularised - expected) < COST_TOLERANCE * abs(expected)
            else "the cross-entropy term")


def check_cost(nnCostFunction: Callable[..., object], regularised: bool) -> None:
    """nnCostFunction equals the trusted cost on several networks (lambda = 0, or lambda > 0)."""
    lambdas = (1.0, 3.0) if regularised else (0.0,)
    for seed, sizes in enumerate(SMALL_NETWORKS + [FULL_NETWORK]):
        input_size, hidden_size, n_classes, m = sizes
        thetas, X, Y = problem(*sizes, seed=seed)
        keywords = {} if sizes == FULL_NETWORK else _sizes_keywords(input_size, hidden_size, n_classes)
        for lambda_ in lambdas:
            expected = network.cost(thetas, X, Y, lambda_, input_size, hidden_size, n_classes)
            with _sizes_diagnosed(nnCostFunction, "nnCostFunction", network.cost, lambda_, sizes):
                got = as_float(call(nnCostFunction, "nnCostFunction", thetas, X, Y, lambda_, **keywords),
                                "nnCostFunction")
            error = abs(got - expected) / abs(expected)
            assert error < COST_TOLERANCE, diagnosed(
                f"nnCostFunction is off by a relative {error:.2g} on a {input_size}-{hidden_size}-{n_classes} "
                f"network with m = {m} samples and lambda_ = {lambda_:g} (it returned {got:.6f}).",
                diagnosis.cost(got, thetas, X, Y, lambda_, sizes[:3]),
                where=_wrong_cost_term(nnCostFunction, thetas, X, Y, lambda_, keywords, sizes))


def check_sigmoid_gradient(mySigmoidGradient: Callable[..., object]) -> None:
    """mySigmoidGradient(z) = sigma(z) (1 - sigma(z)) elementwise, for scalars and arrays."""
    z = np.array([[-4.0, -1.5, -0.3], [0.0, 0.7, 5.0]])
    got = as_array(call(mySigmoidGradient, "mySigmoidGradient", z), "mySigmoidGradient")
    assert got.shape == z.shape, f"mySigmoidGradient should keep the shape {z.shape}, got {got.shape}"
    expected = network.sigmoid_gradient(z)
    assert np.allclose(got, expected, rtol=1e-5, atol=0), diagnosed(
        "mySigmoidGradient(z) should be sigma(z) * (1 - sigma(z)), taken at z; "
        f"at z = {z.ravel().tolist()} it returned {np.round(got.ravel(), 4).tolist()}",
        diagnosis.sigmoid_gradient(got, z))
    scalar = as_float(call(mySigmoidGradient, "mySigmoidGradient", 0.0), "mySigmoidGradient(0)")
    assert abs(scalar - 0.25) < 1e-9, f"mySigmoidGradient(0) should be 0.25, got {scalar}"


def check_gradient(nnGradientFunction: Callable[..., object], regularised: bool) -> None:
    """nnGradientFunction matches central differences of the trusted cost, every parameter of
    several small networks, and random directions at full size."""
    lambdas = (1.0, 3.0) if regularised else (0.0,)
    name = "nnGradientFunction"
    for seed, sizes in enumerate(SMALL_NETWORKS):
        input_size, hidden_size, n_classes, m = sizes
        thetas, X, Y = problem(*sizes, seed=100 + seed)
        for lambda_ in lambdas:
            def trusted_cost(t):
                return network.cost(t, X, Y, lambda_, input_size, hidden_size, n_classes)
            numerical = network.numerical_gradient(trusted_cost, thetas, NUMERICAL_EPSILON)
            with _sizes_diagnosed(nnGradientFunction, name, network.gradient, lambda_, sizes):
                got = _as_gradient(
                    call(nnGradientFunction, name, thetas, X, Y, lambda_,
                          **_sizes_keywords(input_size, hidden_size, n_classes)),
                    name, thetas, X, Y, lambda_, sizes[:3])
            error = network.relative_error(got, numerical)
            largest = _where_largest(got - numerical, input_size, hidden_size, n_classes)
            assert error < GRADIENT_TOLERANCE, diagnosed(
                f"{name} differs from the numerical gradient by a relative error of {error:.2g} "
                f"(tolerance {GRADIENT_TOLERANCE:g}) on a {input_size}-{hidden_size}-{n_classes} network "
                f"with m = {m} and lambda_ = {lambda_:g}; the largest difference is in the {largest}.",
                diagnosis.gradient(got, thetas, X, Y, lambda_, sizes[:3]), where=f"largest in the {largest}")

    input_size, hidden_size, n_classes, m = FULL_NETWORK
    thetas, X, Y = problem(*FULL_NETWORK, seed=200)
    directions = np.random.default_rng(201).standard_normal((RANDOM_DIRECTIONS, thetas.size))
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    for lambda_ in lambdas:
        got = _as_gradient(call(nnGradientFunction, name, thetas, X, Y, lambda_), name, thetas, X, Y, lambda_,
                           FULL_NETWORK[:3])
        slopes = np.array([network.directional_derivative(
            lambda t: network.cost(t, X, Y, lambda_), thetas, d, NUMERICAL_EPSILON) for d in directions])
        error = network.relative_error(directions @ got, slopes)
        assert error < GRADIENT_TOLERANCE, diagnosed(
            f"At the default sizes (784-25-10, m = {m}, lambda_ = {lambda_:g}) {name} disagrees with the "
            f"cost's slope along {RANDOM_DIRECTIONS} random directions (relative error {error:.2g}).",
            diagnosis.gradient(got, thetas, X, Y, lambda_, FULL_NETWORK[:3]), where="only at 784-25-10")
