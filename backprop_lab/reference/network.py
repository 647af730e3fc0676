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


def _sigmoid_in_place(z, bias):
    """sigma(z + bias), written over the float array z and returned (``bias`` broadcasts).

    1 / (1 + exp(-z - bias)) with numpy's vectorised exp: 2.5x faster than ``expit`` on the
    hidden layer, and within an ulp of it. exp overflows to inf below z + bias = -709, where
    1 / inf is the exact 0: only the warning is silenced.
    """
    np.subtract(-bias, z, out=z)
    with np.errstate(over="ignore"):
        np.exp(z, out=z)
    z += 1.0
    return np.reciprocal(z, out=z)


def _hidden_activations(theta1, X):
    """The hidden layer, one column per example, under a row of ones: [1; a2.T], (h + 1, m).

    ``Theta1 @ X.T`` rather than ``X @ Theta1.T``: the same numbers, but OpenBLAS fills a
    25 x 4000 output 1.6x faster than a 4000 x 25 one (bench/README.md). ``X.T`` is a view:
    X is never copied. The biases are added in the sigmoid's first pass.
    """
    a1 = np.empty((theta1.shape[0] + 1, X.shape[0]))
    a1[0] = 1.0
    np.matmul(theta1[:, 1:], X.T, out=a1[1:])                 # z2.T less the biases
    _sigmoid_in_place(a1[1:], theta1[:, :1])
    return a1


def _output_activations(theta2, a1):
    """a3.T (c, m) from [1; a2.T] (h + 1, m): the row of ones brings in Theta2's biases."""
    return _sigmoid_in_place(theta2 @ a1, 0.0)


def forward_layers(theta1, theta2, X):
    """Hidden weighted sums z2 (m, h), hidden activations a2 (m, h), outputs a3 (m, c).

    Computed one column per example, as ``cost_and_gradient`` does, and returned as
    transposed views: examples in rows, as everywhere in the course.
    """
    z2t = theta1[:, 1:] @ X.T
    z2t += theta1[:, :1]
    a1 = np.empty((z2t.shape[0] + 1, z2t.shape[1]))
    a1[0] = 1.0
    a1[1:] = z2t
    _sigmoid_in_place(a1[1:], 0.0)
    return z2t.T, a1[1:].T, _output_activations(theta2, a1).T


def predict_proba(thetas, X, input_size=784, hidden_size=25, n_classes=10):
    """Output activations (m, n_classes) of the network for inputs X (m, input_size)."""
    theta1, theta2 = unpack(thetas, input_size, hidden_size, n_classes)
    return _output_activations(theta2, _hidden_activations(theta1, np.asarray(X, dtype=float))).T


def predict(thetas, X, input_size=784, hidden_size=25, n_classes=10):
    """Predicted class (m,) = index of the largest output activation."""
    return np.argmax(predict_proba(thetas, X, input_size, hidden_size, n_classes), axis=1)


def accuracy(thetas, X, Y, input_size=784, hidden_size=25, n_classes=10):
    """Fraction of rows of X whose predicted class is the one-hot label in Y."""
    return float(np.mean(predict(thetas, X, input_size, hidden_size, n_classes) == np.argmax(Y, axis=1)))


def _cross_entropy_sum(a, Y, small_value):
    """-(Y log(a + s) + (1 - Y) log(1 - a + s)), summed over every entry of a and Y (2-D, one shape)."""
    logs = a + small_value
    np.log(logs, out=logs)
    with_y = np.einsum("ij,ij->", Y, logs)                 # no temporary, no BLAS threads
    np.subtract(1.0, a, out=logs)
    logs += small_value
    np.log(logs, out=logs)
    return -(with_y + np.einsum("ij,ij->", 1.0 - Y, logs))


def cross_entropy(a3, Y, small_value):
    """Cross-entropy of outputs a3 (m, c) against Y (m, c): summed over outputs, averaged over m."""
    return _cross_entropy_sum(a3, Y, small_value) / Y.shape[0]


def l2_penalty(theta1, theta2, lambda_, m):
    """lambda / (2 m) * sum of squared weights, biases (column 0) excluded."""
    w1, w2 = theta1[:, 1:], theta2[:, 1:]
    return lambda_ / (2.0 * m) * (np.einsum("ij,ij->", w1, w1) + np.einsum("ij,ij->", w2, w2))


def cost(thetas, X, Y, lambda_=0.0, input_size=784, hidden_size=25, n_classes=10, small_value=1e-12):
    """Cross-entropy averaged over the m samples, plus the L2 penalty that skips biases. -> float"""
    theta1, theta2 = unpack(thetas, input_size, hidden_size, n_classes)
    X = np.asarray(X, dtype=float)
    Y = np.asarray(Y, dtype=float)
    m = X.shape[0]
    a3t = _output_activations(theta2, _hidden_activations(theta1, X))
    J = _cross_entropy_sum(a3t, np.ascontiguousarray(Y.T), small_value) / m
    return float(J + l2_penalty(theta1, theta2, lambda_, m))


def cost_and_gradient(thetas, X, Y, lambda_=0.0, input_size=784, hidden_size=25, n_classes=10,
                      small_value=1e-12):
    """(cost, flat gradient) from one forward and one backward pass.

    The gradient is that of the exact cross-entropy (``small_value`` only guards the logs).
    Examples run in columns, so that both products with X take the layouts OpenBLAS runs
    fastest: ``Theta1 @ X.T`` forward, ``delta2.T @ X`` backward (bench/README.md). Arrays
    are reused once spent, and each step uses what the one before left in the cache: a
    product with X flushes it, and a cold array costs as much again to read as to use.
    """
    theta1, theta2 = unpack(thetas, input_size, hidden_size, n_classes)
    X = np.asarray(X, dtype=float)
    Y = np.asarray(Y, dtype=float)
    m = X.shape[0]
    penalty = l2_penalty(theta1, theta2, lambda_, m)
    a1 = _hidden_activations(theta1, X)                       # [1; a2.T]: (h + 1, m)
    a3t = _output_activations(theta2, a1)                     # a3.T: (c, m)
    Yt = Y.T.copy()                                           # ours: becomes 1 - Y below

    logs = a3t + small_value                                  # the cost, as _cross_entropy_sum
    np.log(logs, out=logs)
    with_y = np.einsum("ij,ij->", Yt, logs)
    np.subtract(1.0, a3t, out=logs)
    logs += small_value
    np.log(logs, out=logs)
    delta3t = np.subtract(a3t, Yt, out=a3t)                   # m delta3.T: cross-entropy cancels sigma'
    np.subtract(1.0, Yt, out=Yt)
    J = -(with_y + np.einsum("ij,ij->", Yt, logs)) / m + penalty

    grad2 = delta3t @ a1.T                                    # m Theta2_grad, biases from the ones
    grad2 /= m
    delta2t = (theta2[:, 1:].T / m) @ delta3t                 # delta2.T, before sigma'(z2): (h, m)
    a2t = a1[1:]
    delta2t *= a2t
    delta2t *= np.subtract(1.0, a2t, out=a2t)                 # sigma'(z2) = a2 (1 - a2); a1 is spent
    bias1 = delta2t.sum(axis=1)

    grad = np.empty(theta1.size + theta2.size)
    grad1 = grad[:theta1.size].reshape(theta1.shape)          # a view: filled in place, no pack
    np.matmul(delta2t, X, out=grad1[:, 1:])
    if lambda_:
        grad += (lambda_ / m) * np.asarray(thetas, dtype=float)   # biases: overwritten below
        grad2[:, 1:] += (lambda_ / m) * theta2[:, 1:]
    grad1[:, 0] = bias1
    grad[theta1.size:] = grad2.ravel()
    return float(J), grad


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
