"""Recognise the catalogued mistakes (mistakes.py) from a student's outputs: the network's (cost,
gradient, sigmoid gradient, missing bias columns); the pictures' are in diagnosis_pictures.py.

Each recogniser computes, with the trusted reference's building blocks, what the student's
answer would be under each known mistake, on the same inputs the check used, and returns the id
of the mistake whose prediction matches the student's answer (or None). They run only after a
check has failed, so a right answer is never diagnosed.
"""
from collections.abc import Iterable

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import expit

from backprop_lab.reference import network

MATCH = 1e-5  # relative difference under which a prediction counts as the student's answer


def matches(got: ArrayLike, predicted: ArrayLike) -> bool:
    got, predicted = np.asarray(got, dtype=float), np.asarray(predicted, dtype=float)
    if got.shape != predicted.shape:
        return False
    return bool(np.linalg.norm(got - predicted) <= MATCH * max(float(np.linalg.norm(predicted)), 1e-12))


def first_match(got: ArrayLike, correct: ArrayLike,
                candidates: Iterable[tuple[str, Iterable[ArrayLike]]]) -> str | None:
    """The first mistake whose prediction matches got and differs from the right answer."""
    for mistake_id, predictions in candidates:
        for predicted in predictions:
            if not matches(predicted, correct) and matches(got, predicted):
                return mistake_id
    return None


def _penalty(theta1, theta2, lambda_, m, term=np.square, rows=slice(None), columns=slice(1, None)):
    """lambda / (2m) times the sum of term(weights) over the given rows and columns of both matrices."""
    return lambda_ / (2 * m) * sum(np.sum(term(theta[rows, columns])) for theta in (theta1, theta2))


def _column_order(thetas, sizes):
    """nnThetas read column by column (MATLAB's layout) -> the parameters, packed row by row: what a
    consistent column-order port computes with."""
    shape1, shape2 = network.layer_shapes(*sizes)
    split = shape1[0] * shape1[1]
    return network.pack(np.reshape(thetas[:split], shape1, order="F"), np.reshape(thetas[split:], shape2, order="F"))


def _to_column_order(flat, sizes):
    """A row-by-row packed vector -> the same matrices packed column by column."""
    first, second = network.unpack(flat, *sizes)
    return np.concatenate([first.ravel(order="F"), second.ravel(order="F")])


def cost(got: float, thetas: NDArray[np.float64], X: NDArray[np.float64], Y: NDArray[np.float64], lambda_: float,
         sizes: tuple[int, int, int]) -> str | None:
    theta1, theta2 = network.unpack(thetas, *sizes)
    m, n_classes = Y.shape
    _, _, a3 = network.forward_layers(theta1, theta2, X)
    cross_entropy = network.cross_entropy(a3, Y, 1e-12)
    only_y_log_a = -np.sum(Y * np.log(a3 + 1e-12)) / m
    weights = np.sum(theta1[:, 1:] ** 2) + np.sum(theta2[:, 1:] ** 2)
    biases = np.sum(theta1[:, 0] ** 2) + np.sum(theta2[:, 0] ** 2)
    penalty = network.l2_penalty(theta1, theta2, lambda_, m)
    return first_match(got, cross_entropy + penalty, [
        ("cost-forgot-one-over-m", [m * cross_entropy + penalty, m * (cross_entropy + penalty),
                                    m * cross_entropy + lambda_ / 2 * weights]),
        ("cost-regularised-biases", [cross_entropy + lambda_ / (2 * m) * (weights + biases)]),
        ("cost-lambda-over-m", [cross_entropy + lambda_ / m * weights]),
        ("cost-only-y-log-a", [only_y_log_a + penalty]),
        ("cost-mean-over-every-entry", [cross_entropy / n_classes + penalty,
                                        (cross_entropy + penalty) / n_classes]),
        ("cost-no-regularisation", [cross_entropy]),
        ("cost-penalty-not-squared", [cross_entropy + _penalty(theta1, theta2, lambda_, m, term)
                                      for term in (lambda w: w, np.abs)]),
        ("cost-regularises-one-matrix", [cross_entropy + lambda_ / (2 * m) * np.sum(theta[:, 1:] ** 2)
                                         for theta in (theta1, theta2)]),
        ("regularisation-skips-first-row", [cross_entropy + _penalty(theta1, theta2, lambda_, m, rows=slice(1, None),
                                                                     columns=slice(None))]),
        ("parameters-column-order", [network.cost(_column_order(thetas, sizes), X, Y, lambda_, *sizes)]),
    ])


# The slope a backward pass multiplies the hidden errors by, under each known mistake, from (z2, a2).
HIDDEN_SLOPES = {
    "z2": lambda z2, a2: a2 * (1 - a2),                            # sigma'(z2): right
    "a2": lambda z2, a2: expit(a2) * (1 - expit(a2)),              # sigma' of the activations
    "classic-typo": lambda z2, a2: a2 * expit(1 - z2),             # sigma(z) sigma(1 - z)
    "without-sigmoid": lambda z2, a2: z2 * (1 - z2),               # a (1 - a) taken at z
    "sigma-only": lambda z2, a2: a2,                               # one factor of the product
    "one-minus-sigma": lambda z2, a2: 1 - a2,
    "none": lambda z2, a2: np.ones_like(a2),                       # no slope at all
}


def _gradient_sums(theta1, theta2, X, Y, output_delta="cross-entropy", hidden_slope="z2", theta2_columns="weights"):
    """(grad1, grad2) summed over the examples, for a backward pass with the given variation."""
    z2, a2, a3 = network.forward_layers(theta1, theta2, X)
    delta3 = a3 - Y
    if output_delta == "squared-error":
        delta3 = delta3 * a3 * (1 - a3)
    back = theta2[:, 1:] if theta2_columns == "weights" else theta2[:, :-1]
    delta2 = (delta3 @ back) * HIDDEN_SLOPES[hidden_slope](z2, a2)
    A1 = np.column_stack([np.ones(len(X)), X])
    A2 = np.column_stack([np.ones(len(X)), a2])
    return delta2.T @ A1, delta3.T @ A2


def _bias_row_kept(theta1, theta2, X, Y):
    """The gradient of Theta1 with an extra first row: the hidden deltas of a bias unit, summed.

    The classic ex4 port stacks a column of ones onto z2, so the hidden errors delta3 @ Theta2 keep
    their column 0 (the bias unit's, slope sigma'(1)); forgetting to drop it before multiplying by
    the inputs gives one extra row. -> [sums with sigma'(1), sums with a zero row]"""
    z2, a2, a3 = network.forward_layers(theta1, theta2, X)
    A1 = np.column_stack([np.ones(len(X)), X])
    bias_errors = (a3 - Y) @ theta2[:, :1] * (expit(1.0) * (1 - expit(1.0)))
    return [(bias_errors.T @ A1), np.zeros((1, A1.shape[1]))]


def gradient(got: NDArray[np.float64], thetas: NDArray[np.float64], X: NDArray[np.float64], Y: NDArray[np.float64],
             lambda_: float, sizes: tuple[int, int, int]) -> str | None:
    theta1, theta2 = network.unpack(thetas, *sizes)
    m = X.shape[0]
    sum1, sum2 = _gradient_sums(theta1, theta2, X, Y)

    def weights_only(theta, rows=slice(None), columns=slice(1, None)):
        regularised = np.zeros(theta.shape)
        regularised[rows, columns] = lambda_ / m * theta[rows, columns]
        return regularised

    def rows_but_first(theta):  # the penalty of theta[1:, :]: row 0 left out instead of column 0
        return weights_only(theta, rows=slice(1, None), columns=slice(None))

    reg1, reg2 = weights_only(theta1), weights_only(theta2)

    def variant(factor=1 / m, reg=1.0, sums=(sum1, sum2), regs=None):
        regs = regs or (reg1, reg2)
        return network.pack(factor * sums[0] + reg * regs[0], factor * sums[1] + reg * regs[1])

    def backward(**variation):
        return variant(sums=_gradient_sums(theta1, theta2, X, Y, **variation))

    def slopes(*names):
        return [backward(hidden_slope=name) for name in names]

    correct = variant()
    grad1, grad2 = network.unpack(correct, *sizes)
    return first_match(got, correct, [
        ("gradient-forgot-one-over-m", [variant(factor=1), variant(factor=1, reg=m)]),
        ("gradient-regularised-biases", [variant(regs=(lambda_ / m * theta1, lambda_ / m * theta2))]),
        ("gradient-lambda-over-2m", [variant(reg=0.5)]),
        ("gradient-mse-output-delta", [backward(output_delta="squared-error")]),
        ("gradient-sigmoid-gradient-of-activation", slopes("a2")),
        ("sigmoid-gradient-classic-typo", slopes("classic-typo")),
        ("sigmoid-gradient-without-sigmoid", slopes("without-sigmoid")),
        ("sigmoid-gradient-one-factor", slopes("sigma-only", "one-minus-sigma")),
        ("gradient-hidden-delta-without-slope", slopes("none")),
        ("gradient-theta2-wrong-columns", [backward(theta2_columns="last-dropped")]),
        ("gradient-wrong-sign", [-correct, variant(factor=-1 / m)]),
        ("gradient-ravel-order", [np.concatenate([grad1.ravel(order="F"), grad2.ravel(order="F")]),
                                  network.pack(grad2, grad1)]),
        ("parameters-column-order", [_to_column_order(network.gradient(_column_order(thetas, sizes), X, Y, lambda_,
                                                                       *sizes), sizes)]),
        ("gradient-bias-columns-missing", [network.pack(grad1[:, 1:], grad2[:, 1:]),  # shorter than thetas
                                           network.pack(grad1[:, 1:], grad2), network.pack(grad1, grad2[:, 1:])]),
        ("gradient-hidden-delta-bias-kept", [network.pack(np.vstack([row / m, grad1]), grad2)
                                             for row in _bias_row_kept(theta1, theta2, X, Y)]),
        ("gradient-regularises-one-matrix", [variant(regs=(reg1, 0 * reg2)), variant(regs=(0 * reg1, reg2))]),
        ("gradient-penalty-squared", [variant(regs=(reg1 * theta1, reg2 * theta2)),              # lambda / m theta^2
                                      variant(regs=(reg1 * theta1 / 2, reg2 * theta2 / 2))]),   # lambda / (2m) theta^2
        ("gradient-divided-by-m-twice", [variant(factor=1 / m ** 2), variant(factor=1 / m ** 2, reg=1 / m)]),
        ("gradient-penalty-over-m-squared", [variant(reg=1 / m)]),
        ("regularisation-skips-first-row", [variant(regs=(rows_but_first(theta1), rows_but_first(theta2)))]),
    ])


def sigmoid_gradient(got: NDArray[np.float64], z: NDArray[np.float64]) -> str | None:
    """The catalogued mistake mySigmoidGradient's values at z match, or None."""
    s = expit(z)
    return first_match(got, s * (1 - s), [
        ("sigmoid-gradient-classic-typo", [s * expit(1 - z)]),
        ("sigmoid-gradient-without-sigmoid", [z * (1 - z)]),
        ("sigmoid-gradient-one-factor", [s, 1 - s]),
    ])


def missing_bias_columns(length: int, sizes: tuple[int, int, int]) -> str | None:
    """Which bias columns a gradient of this length leaves out, in words, or None when its length
    is not that of the gradient without some of them. sizes: (input_size, hidden_size, n_classes)"""
    _, hidden_size, n_classes = sizes
    missing = network.n_parameters(*sizes) - length
    if missing == hidden_size + n_classes:
        return (f"The bias columns are missing: it is {missing} numbers short, the gradients of column 0 of Theta1 "
                f"({hidden_size}, one per hidden unit) and of Theta2 ({n_classes}, one per class).")
    if missing in (hidden_size, n_classes):
        which = ("Theta1 or Theta2" if hidden_size == n_classes
                 else "Theta1 (one per hidden unit)" if missing == hidden_size else "Theta2 (one per class)")
        return f"A bias column is missing: it is {missing} numbers short, the gradient of column 0 of {which}."
    return None
