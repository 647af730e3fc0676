"""Hidden checks of the graded parts: each calls a student's function on inputs it chooses and
compares the plain results with the trusted reference (network.py, convolution.py).

A check raises AssertionError with a message a student can act on, and returns None when
the answer is right. When a failing answer matches a catalogued mistake (mistakes.py,
recognised by diagnosis.py) the message names it, explains it and gives a hint. Student code runs with numpy's floating-point warnings silenced, so a
correct answer never fails a cell by writing a RuntimeWarning to stderr.
"""
import contextlib
import functools
import re
import warnings
from dataclasses import dataclass

import numpy as np

from backprop_lab import convolution, diagnosis, mistakes, network
from backprop_lab.answers import Along, FigureImages, KernelFault, StudentError

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


MISSING_NAME = re.compile(r"^NameError: name '([A-Za-z_][A-Za-z0-9_]*)' is not defined")


class MissingName(AssertionError):
    """A graded call raised NameError: the function uses a name that did not exist when it was called.

    The check does not know the notebook; the grader (executor.py) does, and asks for the message
    that says where the name is defined: "later", "above", "nowhere", or None (not known).
    """

    def __init__(self, function_name, error_text, missing):
        self.function_name, self.error_text, self.missing = function_name, error_text, missing
        super().__init__(self.message())

    def message(self, defined=None):
        said = (f"{self.function_name} raised {self.error_text}: {self.missing} did not exist when "
                f"{self.function_name} was called.")
        where = {
            "later": f"{self.missing} is defined further down the notebook, so it does not exist yet when this "
                     "part is graded: the cells run from top to bottom, as with Restart & Run All. A function "
                     "can use only what the cells above it define.",
            "above": f"A cell above defines {self.missing}, but it did not exist when this part was graded (a cell "
                     "that stops with an error before defining it, or a del). Run the notebook top to bottom "
                     "(Restart & Run All) and fix the first cell that fails.",
            "nowhere": f"No cell of the notebook defines {self.missing} (by def, assignment or import): check its "
                       "spelling, or define it in a cell above.",
        }.get(defined, f"{self.missing} is defined later in the notebook or not at all: run the notebook top to "
                       "bottom (Restart & Run All) and define everything a function uses above it.")
        return f"{said} {where}"


def _raised(name, error_text):
    """The failure for a student's function that raised: error_text is "TypeError: ..."."""
    missing = MISSING_NAME.match(error_text)
    if missing:
        return MissingName(name, error_text, missing.group(1))
    return AssertionError(Finding(f"{name} raised {error_text}", where=f"{name} raises {error_text.split(':')[0]}"))


def _call(function, name, *args, **kwargs):
    """Call the student's function on copies; fail if it changes them or raises."""
    copies = [np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in args]
    try:
        with _quiet():
            result = function(*copies, **kwargs)
    except KernelFault as fault:
        raise AssertionError(f"{name} did not finish: {fault}") from None
    except StudentError as error:  # raised in the graded kernel: "TypeError: ..."
        raise _raised(name, str(error)) from None
    except Exception as error:  # the student's own error, reported as such
        raise _raised(name, f"{type(error).__name__}: {error}") from None
    for position, (original, copy) in enumerate(zip(args, copies), start=1):
        if isinstance(original, np.ndarray) and not np.array_equal(original, copy, equal_nan=True):
            # What to do instead is the catalogue's explanation and hint: said once, there.
            raise AssertionError(_diagnosed(
                f"{name} changed the array it was given as argument {position} (shape {original.shape}).",
                "modifies-input"))
    return result


class Finding(str):
    """A check's message that carries its facts as data: the catalogued mistake it names, and for
    a failure no mistake explains, where its error is largest (the class report groups by them)."""

    def __new__(cls, message, mistake=None, where=None):
        finding = super().__new__(cls, message)
        finding.mistake, finding.where = mistake, where
        return finding


def _diagnosed(message, mistake_id, where=None):
    """The check's message, followed by the catalogued mistake it recognised (if any)."""
    return Finding(f"{message}\n{mistakes.message(mistake_id)}" if mistake_id else message, mistake_id,
                   None if mistake_id else where)


def _agrees(got, expected):
    """Is the student's result the reference's (a one-number array counts as the number)?"""
    try:
        got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    except (TypeError, ValueError):
        return False
    if expected.ndim == 0 and got.size == 1:
        got = got.reshape(())
    return diagnosis._close(got, expected)


def _right_on(function, name, reference, lambda_, sizes, seed):
    """Is the function right on a random problem of this shape? (False when it raises)"""
    thetas, X, Y = _problem(*sizes, seed=seed)
    keywords = {} if sizes == FULL_NETWORK else _sizes_keywords(*sizes[:3])
    try:
        got = _call(function, name, thetas, X, Y, lambda_, **keywords)
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
        thetas, X, Y = _problem(*FULL_NETWORK, seed=300)
        dataset = _load_training_data()
        try:
            got = _call(function, name, thetas, X, Y, lambda_)
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
        raise AssertionError(_diagnosed(message, mistake_id, where)) from None


def _as_array(value, name):
    """What a student's function returned, as a float array; what is not numbers fails."""
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError) as error:
        raise AssertionError(f"{name} should return numbers, got {type(value).__name__} ({error})") from None


def _as_float(value, name):
    array = _as_array(value, name)
    if array.size != 1:
        raise AssertionError(f"{name} should return one number (the cost), got an array of shape {array.shape}")
    return float(array.reshape(()))


def _as_gradient(value, name, thetas, X, Y, lambda_, sizes):
    """The student's gradient as a flat float array; a wrong shape fails, saying which bias columns
    a too-short one leaves out and naming the catalogued mistake it matches."""
    array = _as_array(value, name)
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


def _wrong_cost_term(nnCostFunction, thetas, X, Y, lambda_, keywords, sizes):
    """Which term of a wrong cost is off: the penalty when the same call with lambda_ = 0 is right."""
    if lambda_ == 0:
        return "the cross-entropy term"
    try:
        unregularised = _as_float(_call(nnCostFunction, "nnCostFunction", thetas, X, Y, 0.0, **keywords), "")
    except AssertionError:
        return "the cross-entropy term"
    expected = network.cost(thetas, X, Y, 0.0, *sizes[:3])
    return ("the regularisation term" if abs(unregularised - expected) < COST_TOLERANCE * abs(expected)
            else "the cross-entropy term")


def check_cost(nnCostFunction, regularised):
    """nnCostFunction equals the trusted cost on several networks (lambda = 0, or lambda > 0)."""
    lambdas = (1.0, 3.0) if regularised else (0.0,)
    for seed, sizes in enumerate(SMALL_NETWORKS + [FULL_NETWORK]):
        input_size, hidden_size, n_classes, m = sizes
        thetas, X, Y = _problem(*sizes, seed=seed)
        keywords = {} if sizes == FULL_NETWORK else _sizes_keywords(input_size, hidden_size, n_classes)
        for lambda_ in lambdas:
            expected = network.cost(thetas, X, Y, lambda_, input_size, hidden_size, n_classes)
            with _sizes_diagnosed(nnCostFunction, "nnCostFunction", network.cost, lambda_, sizes):
                got = _as_float(_call(nnCostFunction, "nnCostFunction", thetas, X, Y, lambda_, **keywords),
                                "nnCostFunction")
            error = abs(got - expected) / abs(expected)
            assert error < COST_TOLERANCE, _diagnosed(
                f"nnCostFunction is off by a relative {error:.2g} on a {input_size}-{hidden_size}-{n_classes} "
                f"network with m = {m} samples and lambda_ = {lambda_:g} (it returned {got:.6f}).",
                diagnosis.cost(got, thetas, X, Y, lambda_, sizes[:3]),
                where=_wrong_cost_term(nnCostFunction, thetas, X, Y, lambda_, keywords, sizes))


def check_sigmoid_gradient(mySigmoidGradient):
    """mySigmoidGradient(z) = sigma(z) (1 - sigma(z)) elementwise, for scalars and arrays."""
    z = np.array([[-4.0, -1.5, -0.3], [0.0, 0.7, 5.0]])
    got = _as_array(_call(mySigmoidGradient, "mySigmoidGradient", z), "mySigmoidGradient")
    assert got.shape == z.shape, f"mySigmoidGradient should keep the shape {z.shape}, got {got.shape}"
    expected = network.sigmoid_gradient(z)
    assert np.allclose(got, expected, rtol=1e-5, atol=0), _diagnosed(
        "mySigmoidGradient(z) should be sigma(z) * (1 - sigma(z)), taken at z; "
        f"at z = {z.ravel().tolist()} it returned {np.round(got.ravel(), 4).tolist()}",
        diagnosis.sigmoid_gradient(got, z))
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
            with _sizes_diagnosed(nnGradientFunction, name, network.gradient, lambda_, sizes):
                got = _as_gradient(
                    _call(nnGradientFunction, name, thetas, X, Y, lambda_,
                          **_sizes_keywords(input_size, hidden_size, n_classes)),
                    name, thetas, X, Y, lambda_, sizes[:3])
            error = network.relative_error(got, numerical)
            largest = _where_largest(got - numerical, input_size, hidden_size, n_classes)
            assert error < GRADIENT_TOLERANCE, _diagnosed(
                f"{name} differs from the numerical gradient by a relative error of {error:.2g} "
                f"(tolerance {GRADIENT_TOLERANCE:g}) on a {input_size}-{hidden_size}-{n_classes} network "
                f"with m = {m} and lambda_ = {lambda_:g}; the largest difference is in the {largest}.",
                diagnosis.gradient(got, thetas, X, Y, lambda_, sizes[:3]), where=f"largest in the {largest}")

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
            diagnosis.gradient(got, thetas, X, Y, lambda_, FULL_NETWORK[:3]), where="only at 784-25-10")


@functools.lru_cache(maxsize=1)
def _load_training_data():
    """The course's data set, read once per grader process (the checks only read it)."""
    from backprop_lab import data
    return data.load_dataset()


class _TrustedPair:
    """The trusted cost and gradient with the notebook's signatures, for a re-run of the training
    cell. fmin_cg asks for both at most points, so one cost_and_gradient serves the pair there."""

    def __init__(self):
        self._last = None  # (key, parameters, X, y, (cost, gradient))

    def _both(self, nnThetas, X, y, lambda_, sizes, small_value):
        nnThetas = np.asarray(nnThetas, dtype=float)
        key = (repr(lambda_), repr(sizes), repr(small_value))
        last = self._last
        if last and last[0] == key and last[2] is X and last[3] is y and np.array_equal(last[1], nnThetas):
            return last[4]
        both = network.cost_and_gradient(nnThetas, X, y, lambda_, *sizes, small_value)
        self._last = (key, nnThetas.copy(), X, y, both)
        return both

    def cost(self, nnThetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10,
             smallValueToRemoveInfinity=1e-12):
        return self._both(nnThetas, X, y, lambda_, (inputLayerSize, hiddenLayerSize, classLabels),
                          smallValueToRemoveInfinity)[0]

    def gradient(self, nnThetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10,
                 smallValueToRemoveInfinity=1e-12):
        return self._both(nnThetas, X, y, lambda_, (inputLayerSize, hiddenLayerSize, classLabels),
                          smallValueToRemoveInfinity)[1]

    def relayed(self):
        """The pair for kernel.rerun: each answer carries the other's for the same point."""
        def cost(*args, **kwargs):
            return Along(self.cost(*args, **kwargs), {"nnGradientFunction": self.gradient(*args, **kwargs)})

        def gradient(*args, **kwargs):
            return Along(self.gradient(*args, **kwargs), {"nnCostFunction": self.cost(*args, **kwargs)})
        return {"nnCostFunction": cost, "nnGradientFunction": gradient}


def _disagreements(nnCostFunction, nnGradientFunction):
    """{"cost": ..., "gradient": ...}: how each of the student's functions differs from the trusted
    one at 784-25-10 with lambda = 1 (what training uses), in words, or None where it agrees (and
    for a gradient that is not given)."""
    thetas, X, Y = _problem(*FULL_NETWORK, seed=400)
    found = {"cost": None, "gradient": None}
    try:
        cost = _as_float(_call(nnCostFunction, "nnCostFunction", thetas, X, Y, TRAINING_LAMBDA), "nnCostFunction")
        expected = network.cost(thetas, X, Y, TRAINING_LAMBDA)
        error = abs(cost - expected) / abs(expected)
        found["cost"] = f"a relative {error:.2g}" if not error < COST_TOLERANCE else None
    except AssertionError as failure:
        found["cost"] = f"an error ({failure})"
    if nnGradientFunction is not None:
        try:
            got = np.asarray(_call(nnGradientFunction, "nnGradientFunction", thetas, X, Y, TRAINING_LAMBDA),
                             dtype=float)
            expected = network.gradient(thetas, X, Y, TRAINING_LAMBDA)
            if got.shape != expected.shape:
                found["gradient"] = f"its shape ({got.shape} instead of {expected.shape})"
            else:
                error = network.relative_error(got, expected)
                found["gradient"] = f"a relative {error:.2g}" if not error < GRADIENT_TOLERANCE else None
        except AssertionError as failure:
            found["gradient"] = f"an error ({failure})"
    return found


def _which_to_fix(found, gradient_given):
    """What _disagreements found, in words: the part to fix first."""
    input_size, hidden_size, n_classes, m = FULL_NETWORK
    where = f"on a {input_size}-{hidden_size}-{n_classes} network with m = {m} and lambda_ = {TRAINING_LAMBDA:g}"
    cost_wrong, gradient_wrong = found["cost"], found["gradient"]
    if cost_wrong and gradient_wrong:
        return (f"Both differ from the trusted ones {where} (the cost by {cost_wrong}, the gradient by "
                f"{gradient_wrong}): fix nnCostFunction first (the cost parts say how), then nnGradientFunction.")
    if cost_wrong:
        return (f"nnCostFunction differs from the trusted cost by {cost_wrong} {where}: that is the part to fix "
                "(the cost parts say how).")
    if gradient_wrong:
        return (f"nnCostFunction agrees with the trusted cost {where}, and nnGradientFunction differs from its "
                f"gradient by {gradient_wrong}: that is the part to fix (the gradient parts say how).")
    if not gradient_given:
        return (f"nnCostFunction agrees with the trusted cost {where}, so it is the gradient you pass as fprime "
                "(nnGradientFunction) that does not match it: the gradient parts say how.")
    return (f"nnCostFunction and nnGradientFunction both agree with the trusted ones {where}: check that fmin_cg "
            "gets fprime=nnGradientFunction and the same args as the cost.")


def check_training(trainedNeuralNetwork, nnCostFunction, nnGradientFunction=None, rerun=None):
    """fmin_cg's full output: lambda = 1, 60 iterations, parameters that classify digits well.

    A mistake is charged once. The reported cost is compared with the student's own
    nnCostFunction, and when training fails while the student's cost or gradient is wrong, the
    training code is judged on its own: rerun (the grader's) runs the training cell again with the
    trusted cost and gradient in place of the student's (called back in the grader, never put in
    the kernel), and the part passes when that run does. -> a note for a pass that needed the
    re-run, else None
    """
    try:
        _judge_training(trainedNeuralNetwork, nnCostFunction, nnGradientFunction)
        return None
    except AssertionError as failure:
        found = _disagreements(nnCostFunction, nnGradientFunction)
        if rerun is None or not (found["cost"] or found["gradient"]):
            if isinstance(failure, _LineSearchFailed):
                raise AssertionError(f"{failure} {_which_to_fix(found, nnGradientFunction is not None)}") from None
            raise
    trusted = _TrustedPair()
    try:
        data = _load_training_data()  # the grader holds it: the re-run's training set need not cross back
        retrained = rerun(trusted.relayed(), known=(data["XTrain"], data["yTrain"]))
    except StudentError as error:
        raise AssertionError(
            "Your training failed, and so did your training cell when the grader ran it again with a correct "
            f"nnCostFunction and nnGradientFunction in place of yours: {error}") from None
    try:
        _judge_training(retrained, trusted.cost, trusted.gradient)
    except AssertionError as second:
        raise AssertionError(
            "Your training cell, run again by the grader with a correct nnCostFunction and nnGradientFunction in "
            f"place of yours, still fails: {second}") from None
    return ("Your training code is right: run again with a correct nnCostFunction and nnGradientFunction in place "
            "of yours, it trains the network as asked, so this part keeps its points. Your own run did not train "
            f"it: {_which_to_fix(found, nnGradientFunction is not None)}")


@dataclass(frozen=True)
class Unavailable:
    """A value the student's notebook did not produce (the cell that binds it failed)."""
    name: str
    error: str


class _LineSearchFailed(AssertionError):
    """fmin_cg stopped early because its line search failed: the cost and the gradient disagree."""


def _judge_training(trainedNeuralNetwork, nnCostFunction, nnGradientFunction):
    assert not isinstance(trainedNeuralNetwork, Unavailable), (
        f"{trainedNeuralNetwork.name} is not defined: the training cell failed ({trainedNeuralNetwork.error})")
    assert isinstance(trainedNeuralNetwork, (tuple, list)) and len(trainedNeuralNetwork) == 6, (
        "trainedNeuralNetwork should be what fmin_cg returns with full_output=1 and retall=1: "
        "(xopt, fopt, func_calls, grad_calls, warnflag, allvecs)")
    xopt, fopt, _, _, warnflag, allvecs = trainedNeuralNetwork
    xopt = np.asarray(xopt, dtype=float)
    assert xopt.shape == (network.n_parameters(),), (
        f"trainedNeuralNetwork[0] should hold all {network.n_parameters()} trained parameters, got shape {xopt.shape}")
    iterations = len(allvecs) - 1
    if iterations < TRAINING_ITERATIONS and warnflag != 0:
        if warnflag == 2:
            raise _LineSearchFailed(
                f"fmin_cg stopped after {iterations} of {TRAINING_ITERATIONS} iterations: the optimiser could not "
                "follow your gradient (fmin_cg's line search failed, warnflag 2), so your cost and gradient "
                "disagree; run the gradient check (checkGradients).")
        if warnflag == 1:  # stopped at its maxiter
            raise AssertionError(_diagnosed(
                f"fmin_cg stopped after {iterations} iterations, the most it was allowed: train with maxiter=60",
                "training-too-few-iterations"))
        raise AssertionError(
            f"fmin_cg stopped after {iterations} of {TRAINING_ITERATIONS} iterations with warnflag {warnflag} "
            "(3: the cost or the gradient became NaN or infinite): run the gradient check (checkGradients) and "
            "look for a log of 0 or an overflow.")
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
        assert len(images) == hidden_size, _diagnosed(
            f"For {hidden_size} hidden units plotHiddenWeights drew {len(images)} images; expected one per unit",
            diagnosis.hidden_weights(images, thetaOne), where="another number of images")
        for unit, image in enumerate(images):
            expected = thetaOne[unit, 1:].reshape(28, 28)
            assert image.shape == (28, 28), _diagnosed(
                f"Image {unit} has shape {image.shape}; expected (28, 28)", diagnosis.hidden_weights(images, thetaOne))
            correlation = np.corrcoef(image.ravel(), expected.ravel())[0, 1]
            assert correlation > 0.999, _diagnosed(
                f"Image {unit} does not show hidden unit {unit}'s 784 weights as a 28x28 picture "
                "(leave out the bias in column 0; reshape(28, 28) without transposing; one unit per image, in order)",
                diagnosis.hidden_weights(images, thetaOne), where="an image that is not its unit's weights")


def convolution_cases():
    """The (image, kernel) pairs check_convolution tries, in order: the Square with both edge
    filters, then random non-square and square images with random integer kernels."""
    rng = np.random.default_rng(7)
    cases = [(convolution.square_image(), convolution.FILTER_ONE),
             (convolution.square_image(), convolution.FILTER_TWO)]
    return cases + [(rng.uniform(0, 1, shape), rng.integers(-3, 4, (3, 3)).astype(float))
                    for shape in [(5, 7), (8, 8), (9, 4)]]


def _convolution_mistake(convolve2d):
    """The catalogued mistake that explains convolve2d's outputs on every case, or None."""
    outputs = []
    for image, kernel in convolution_cases():
        try:
            outputs.append((_as_array(_call(convolve2d, "convolve2d", image, kernel), "convolve2d"), image, kernel))
        except AssertionError:
            outputs.append((None, image, kernel))
    return diagnosis.convolution_mistake(outputs)


def check_convolution(convolve2d):
    """Zero-padded, same-size cross-correlation (no kernel flip) on several images and kernels."""
    for image, kernel in convolution_cases():
        expected = convolution.correlate_same(image, kernel)
        got = _as_array(_call(convolve2d, "convolve2d", image, kernel), "convolve2d")
        assert got.shape == image.shape, _diagnosed(
            f"convolve2d should return an image of the same shape as its input {image.shape} "
            f"(zero-pad by one pixel on every side), got {got.shape}", _convolution_mistake(convolve2d),
            where="an output of another shape")
        difference = np.abs(got - expected)
        row, col = (int(i) for i in np.unravel_index(np.argmax(difference), got.shape))
        assert np.allclose(got, expected, rtol=1e-5, atol=1e-5), _diagnosed(  # float32 answers are fine
            f"convolve2d differs from the expected edge map on a {image.shape[0]}x{image.shape[1]} image "
            f"(largest difference {difference[row, col]:.3g} at pixel ({row}, {col}), row and column counted "
            "from 0). Multiply the kernel with the window centred on each pixel without flipping it, and pad "
            "with zeros.", _convolution_mistake(convolve2d),
            where="largest at a border pixel" if row in (0, got.shape[0] - 1) or col in (0, got.shape[1] - 1)
            else "largest at an inner pixel")
