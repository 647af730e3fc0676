"""The trusted two-layer network: the oracle that hidden checks, data builds and benchmarks use.

Conventions (the course's own):
- parameters travel as one flat vector ``[Theta1.ravel(), Theta2.ravel()]`` (row-major);
- ``Theta1`` has shape ``(hidden_size, input_size + 1)``, ``Theta2`` ``(n_classes, hidden_size + 1)``;
- column 0 of each matrix holds the biases;
- ``X`` has shape ``(m, input_size)`` without a bias column, ``Y`` is one-hot ``(m, n_classes)``.
"""
import numpy as np
from scipy.special import expit

EPSILON_INIT = 0.12  # half-width of the uniform initialisation the course uses


def sigmoid(z):
    """Logistic function, elementwise, without overflow warnings."""
    return expit(z)


def sigmoid_gradient(z):
    """sigma'(z) = sigma(z) * (1 - sigma(z)), taken at the weighted sum z (not at an activation)."""
    s = expit(z)
    return s * (1.0 - s)


def layer_shapes(input_size=784, hidden_size=25, n_classes=10):
    """Shapes of Theta1 and Theta2."""
    return (hidden_size, input_size + 1), (n_classes, hidden_size + 1)


def n_parameters(input_size=784, hidden_size=25, n_classes=10):
    """Length of the flat parameter vector (19,885 at the default sizes)."""
    (h, i), (c, h1) = layer_shapes(input_size, hidden_size, n_classes)
    return h * i + c * h1


def unpack(thetas, input_size=784, hidden_size=25, n_classes=10):
    """Flat vector -> (Theta1, Theta2), as read-only views of ``thetas``."""
    shape1, shape2 = layer_shapes(input_size, hidden_size, n_classes)
    thetas = np.asarray(thetas, dtype=float)
    expected = shape1[0] * shape1[1] + shape2[0] * shape2[1]
    if thetas.shape != (expected,):
        raise ValueError(f"expected a flat vector of {expected} parameters, got shape {thetas.shape}")
    split = shape1[0] * shape1[1]
    theta1 = thetas[:split].reshape(shape1)
    theta2 = thetas[split:].reshape(shape2)
    theta1.flags.writeable = False
    theta2.flags.writeable = False
    return theta1, theta2


def pack(theta1, theta2):
    """(Theta1, Theta2) -> flat vector (a new array)."""
    return np.concatenate([np.ravel(theta1), np.ravel(theta2)])


def one_hot(labels, n_classes=10):
    """Integer labels (m,) -> one-hot matrix (m, n_classes) of floats."""
    labels = np.asarray(labels, dtype=int)
    Y = np.zeros((labels.size, n_classes))
    Y[np.arange(labels.size), labels] = 1.0
    return Y


def random_thetas(input_size=784, hidden_size=25, n_classes=10, seed=42, epsilon=EPSILON_INIT):
    """Uniform(-epsilon, epsilon) parameters that break the symmetry between hidden units."""
    rng = np.random.default_rng(seed)
    shape1, shape2 = layer_shapes(input_size, hidden_size, n_classes)
    return pack(rng.uniform(-epsilon, epsilon, size=shape1), rng.uniform(-epsilon, epsilon, size=shape2))


def _forward(theta1, theta2, X):
    """Hidden weighted sums z2 (m, h), hidden activations a2 (m, h), outputs a3 (m, c).

    Biases are added as a row vector instead of stacking a column of ones onto X:
    that copy of X would cost as much as the matrix product itself.
    """
    z2 = X @ theta1[:, 1:].T
    z2 += theta1[:, 0]
    a2 = expit(z2)
    z3 = a2 @ theta2[:, 1:].T
    z3 += theta2[:, 0]
    return z2, a2, expit(z3)


def predict_proba(thetas, X, input_size=784, hidden_size=25, n_classes=10):
    """Output activations (m, n_classes) of the network for inputs X (m, input_size)."""
    theta1, theta2 = unpack(thetas, input_size, hidden_size, n_classes)
    return _forward(theta1, theta2, np.asarray(X, dtype=float))[2]


def predict(thetas, X, input_size=784, hidden_size=25, n_classes=10):
    """Predicted class (m,) = index of the largest output activation."""
    return np.argmax(predict_proba(thetas, X, input_size, hidden_size, n_classes), axis=1)


def accuracy(thetas, X, Y, input_size=784, hidden_size=25, n_classes=10):
    """Fraction of rows of X whose predicted class is the one-hot label in Y."""
    return float(np.mean(predict(thetas, X, input_size, hidden_size, n_classes) == np.argmax(Y, axis=1)))


def _cross_entropy(a3, Y, small_value):
    m = Y.shape[0]
    return -(np.sum(Y * np.log(a3 + small_value)) + np.sum((1.0 - Y) * np.log(1.0 - a3 + small_value))) / m


def _l2_penalty(theta1, theta2, lambda_, m):
    """lambda / (2 m) * sum of squared weights, biases (column 0) excluded."""
    return lambda_ / (2.0 * m) * (np.sum(theta1[:, 1:] ** 2) + np.sum(theta2[:, 1:] ** 2))


def cost(thetas, X, Y, lambda_=0.0, input_size=784, hidden_size=25, n_classes=10, small_value=1e-12):
    """Cross-entropy averaged over the m samples, plus the L2 penalty that skips biases. -> float"""
    theta1, theta2 = unpack(thetas, input_size, hidden_size, n_classes)
    X = np.asarray(X, dtype=float)
    Y = np.asarray(Y, dtype=float)
    a3 = _forward(theta1, theta2, X)[2]
    return float(_cross_entropy(a3, Y, small_value) + _l2_penalty(theta1, theta2, lambda_, X.shape[0]))


def cost_and_gradient(thetas, X, Y, lambda_=0.0, input_size=784, hidden_size=25, n_classes=10,
                      small_value=1e-12):
    """(cost, flat gradient) from one forward and one backward pass.

    The gradient is that of the exact cross-entropy (``small_value`` only guards the logs).
    """
    theta1, theta2 = unpack(thetas, input_size, hidden_size, n_classes)
    X = np.asarray(X, dtype=float)
    Y = np.asarray(Y, dtype=float)
    m = X.shape[0]
    z2, a2, a3 = _forward(theta1, theta2, X)
    J = _cross_entropy(a3, Y, small_value) + _l2_penalty(theta1, theta2, lambda_, m)

    delta3 = (a3 - Y) / m                                  # (m, c): cross-entropy cancels sigma'
    delta2 = (delta3 @ theta2[:, 1:]) * a2 * (1.0 - a2)    # (m, h): sigma'(z2) = a2 (1 - a2)

    grad1 = np.empty(theta1.shape)
    grad1[:, 0] = delta2.sum(axis=0)
    grad1[:, 1:] = delta2.T @ X
    grad2 = np.empty(theta2.shape)
    grad2[:, 0] = delta3.sum(axis=0)
    grad2[:, 1:] = delta3.T @ a2
    if lambda_:
        grad1[:, 1:] += (lambda_ / m) * theta1[:, 1:]
        grad2[:, 1:] += (lambda_ / m) * theta2[:, 1:]
    return float(J), pack(grad1, grad2)


def gradient(thetas, X, Y, lambda_=0.0, input_size=784, hidden_size=25, n_classes=10, small_value=1e-12):
    """Flat gradient of :func:`cost`, same length as ``thetas``."""
    return cost_and_gradient(thetas, X, Y, lambda_, input_size, hidden_size, n_classes, small_value)[1]


def numerical_gradient(f, thetas, epsilon=1e-5, indices=None):
    """Central differences (f(t + e) - f(t - e)) / 2e, one parameter at a time.

    ``thetas`` is never modified: each probe works on its own copy. ``indices`` limits the
    probes to some parameters (the rest of the result is NaN).
    """
    base = np.array(thetas, dtype=float)
    result = np.full(base.shape, np.nan)
    for index in range(base.size) if indices is None else indices:
        probe = base.copy()
        probe[index] = base[index] + epsilon
        plus = f(probe)
        probe[index] = base[index] - epsilon
        minus = f(probe)
        result[index] = (plus - minus) / (2.0 * epsilon)
    return result


def directional_derivative(f, thetas, direction, epsilon=1e-5):
    """Central-difference slope of f along ``direction`` (checks a gradient g by g @ direction)."""
    base = np.asarray(thetas, dtype=float)
    return (f(base + epsilon * direction) - f(base - epsilon * direction)) / (2.0 * epsilon)


def relative_error(a, b):
    """||a - b|| / ||a + b||: about 1e-10 or less when two float64 gradients agree."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    denominator = np.linalg.norm(a + b)
    if denominator == 0.0:
        return 0.0 if np.linalg.norm(a - b) == 0.0 else np.inf
    return float(np.linalg.norm(a - b) / denominator)
