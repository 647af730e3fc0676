"""Recognise the catalogued mistakes (mistakes.py) from a student's outputs.

Each recogniser computes, with the trusted reference's building blocks, what the student's
answer would be under each known mistake, on the same inputs the check used, and returns the id
of the mistake whose prediction matches the student's answer (or None). They run only after a
check has failed, so a right answer is never diagnosed.
"""
import numpy as np
from scipy.special import expit

from backprop_lab import convolution, network

MATCH = 1e-5  # relative difference under which a prediction counts as the student's answer


def _close(got, predicted):
    got, predicted = np.asarray(got, dtype=float), np.asarray(predicted, dtype=float)
    if got.shape != predicted.shape:
        return False
    return np.linalg.norm(got - predicted) <= MATCH * max(np.linalg.norm(predicted), 1e-12)


def _first_match(got, correct, candidates):
    """The first mistake whose prediction matches got and differs from the right answer."""
    for mistake_id, predictions in candidates:
        for predicted in predictions:
            if not _close(predicted, correct) and _close(got, predicted):
                return mistake_id
    return None


def cost(got, thetas, X, Y, lambda_, sizes):
    theta1, theta2 = network.unpack(thetas, *sizes)
    m, n_classes = Y.shape
    _, _, a3 = network._forward(theta1, theta2, X)
    cross_entropy = network._cross_entropy(a3, Y, 1e-12)
    only_y_log_a = -np.sum(Y * np.log(a3 + 1e-12)) / m
    weights = np.sum(theta1[:, 1:] ** 2) + np.sum(theta2[:, 1:] ** 2)
    biases = np.sum(theta1[:, 0] ** 2) + np.sum(theta2[:, 0] ** 2)
    penalty = network._l2_penalty(theta1, theta2, lambda_, m)
    return _first_match(got, cross_entropy + penalty, [
        ("cost-forgot-one-over-m", [m * cross_entropy + penalty, m * (cross_entropy + penalty),
                                    m * cross_entropy + lambda_ / 2 * weights]),
        ("cost-regularised-biases", [cross_entropy + lambda_ / (2 * m) * (weights + biases)]),
        ("cost-lambda-over-m", [cross_entropy + lambda_ / m * weights]),
        ("cost-only-y-log-a", [only_y_log_a + penalty]),
        ("cost-mean-over-every-entry", [cross_entropy / n_classes + penalty,
                                        (cross_entropy + penalty) / n_classes]),
        ("cost-no-regularisation", [cross_entropy]),
    ])


def _gradient_sums(theta1, theta2, X, Y, output_delta="cross-entropy", hidden_slope="z2", theta2_columns="weights"):
    """(grad1, grad2) summed over the examples, for a backward pass with the given variation."""
    z2, a2, a3 = network._forward(theta1, theta2, X)
    delta3 = a3 - Y
    if output_delta == "squared-error":
        delta3 = delta3 * a3 * (1 - a3)
    slope = {"z2": a2 * (1 - a2),                                  # sigma'(z2)
             "a2": expit(a2) * (1 - expit(a2)),                    # sigma' of the activations
             "classic-typo": a2 * expit(1 - z2)}[hidden_slope]     # sigma(z) sigma(1 - z)
    back = theta2[:, 1:] if theta2_columns == "weights" else theta2[:, :-1]
    delta2 = (delta3 @ back) * slope
    A1 = np.column_stack([np.ones(len(X)), X])
    A2 = np.column_stack([np.ones(len(X)), a2])
    return delta2.T @ A1, delta3.T @ A2


def gradient(got, thetas, X, Y, lambda_, sizes):
    theta1, theta2 = network.unpack(thetas, *sizes)
    m = X.shape[0]
    sum1, sum2 = _gradient_sums(theta1, theta2, X, Y)

    def weights_only(theta):
        regularised = lambda_ / m * theta
        regularised[:, 0] = 0
        return regularised

    reg1, reg2 = weights_only(theta1), weights_only(theta2)

    def variant(factor=1 / m, reg=1.0, sums=(sum1, sum2), regs=None):
        regs = regs or (reg1, reg2)
        return network.pack(factor * sums[0] + reg * regs[0], factor * sums[1] + reg * regs[1])

    def backward(**variation):
        return variant(sums=_gradient_sums(theta1, theta2, X, Y, **variation))

    correct = variant()
    grad1, grad2 = network.unpack(correct, *sizes)
    return _first_match(got, correct, [
        ("gradient-forgot-one-over-m", [variant(factor=1), variant(factor=1, reg=m)]),
        ("gradient-regularised-biases", [variant(regs=(lambda_ / m * theta1, lambda_ / m * theta2))]),
        ("gradient-lambda-over-2m", [variant(reg=0.5)]),
        ("gradient-mse-output-delta", [backward(output_delta="squared-error")]),
        ("gradient-sigmoid-gradient-of-activation", [backward(hidden_slope="a2")]),
        ("sigmoid-gradient-classic-typo", [backward(hidden_slope="classic-typo")]),
        ("gradient-theta2-wrong-columns", [backward(theta2_columns="last-dropped")]),
        ("gradient-wrong-sign", [-correct, variant(factor=-1 / m)]),
        ("gradient-ravel-order", [np.concatenate([grad1.ravel(order="F"), grad2.ravel(order="F")])]),
        ("gradient-bias-columns-missing", [network.pack(grad1[:, 1:], grad2[:, 1:]),  # shorter than thetas
                                           network.pack(grad1[:, 1:], grad2), network.pack(grad1, grad2[:, 1:])]),
        ("gradient-regularises-one-matrix", [variant(regs=(reg1, 0 * reg2)), variant(regs=(0 * reg1, reg2))]),
        ("gradient-penalty-squared", [variant(regs=(reg1 * theta1, reg2 * theta2)),              # lambda / m theta^2
                                      variant(regs=(reg1 * theta1 / 2, reg2 * theta2 / 2))]),   # lambda / (2m) theta^2
    ])


def missing_bias_columns(length, sizes):
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


def convolution_(got, image, kernel):
    got = np.asarray(got, dtype=float)
    expected = convolution.correlate_same(image, kernel)
    rows, cols = image.shape
    if got.shape == (rows - 2, cols - 2) and _close(got, expected[1:-1, 1:-1]):
        return "convolution-no-padding"
    if got.shape == (cols, rows) and rows != cols:
        return _first_match(got, expected, [
            ("convolution-rows-columns-swapped", [expected.T, convolution.correlate_same(image.T, kernel)])])
    if got.shape != image.shape:
        return None
    border_only = expected.copy()
    border_only[1:-1, 1:-1] = 0
    shifted = np.zeros_like(expected)  # windows padded[r - 1:r + 2, c - 1:c + 2], r and c from 1 (0 cannot slice)
    shifted[1:, 1:] = expected[:-1, :-1]
    padded_with_ones = np.pad(np.asarray(image, dtype=float), 1, constant_values=1.0)
    with_ones = np.array([[np.sum(padded_with_ones[r:r + 3, c:c + 3] * kernel) for c in range(cols)]
                          for r in range(rows)])
    return _first_match(got, expected, [
        ("convolution-flipped-kernel", [convolution.correlate_same(image, np.flip(kernel))]),
        ("convolution-rows-columns-swapped", [expected.T, convolution.correlate_same(image.T, kernel).T]),
        ("convolution-off-by-one", [expected - border_only]),
        ("convolution-padded-with-ones", [with_ones]),
        ("convolution-shifted-window", [shifted]),
    ])


def hidden_weights_image(image, theta_one, unit):
    expected = theta_one[unit, 1:].reshape(28, 28)
    image = np.asarray(image, dtype=float)
    if image.shape != (28, 28):
        return "plot-bias-included" if image.size in (785, 784) else None
    if abs(np.corrcoef(image.ravel(), expected.T.ravel())[0, 1]) > 0.999:
        return "plot-transposed"
    if abs(np.corrcoef(image.ravel(), theta_one[unit, :-1])[0, 1]) > 0.999:
        return "plot-bias-included"
    return None
