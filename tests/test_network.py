"""The trusted reference network: the oracle every hidden check leans on must itself be right."""
import numpy as np
import pytest
from scipy.special import expit

from backprop_lab.reference import network


def _problem(sizes=(4, 3, 5), m=6, seed=0):
    rng = np.random.default_rng(seed)
    thetas = rng.uniform(-1, 1, network.n_parameters(*sizes))
    X = rng.uniform(0, 1, (m, sizes[0]))
    Y = network.one_hot(rng.integers(0, sizes[2], m), sizes[2])
    return thetas, X, Y


def test_default_network_has_19885_parameters():
    """Does the flat vector of the 784-25-10 network hold 25*785 + 10*26 = 19,885 numbers?"""
    assert network.n_parameters() == 25 * 785 + 10 * 26 == 19885
    theta1, theta2 = network.unpack(np.arange(19885.0))
    assert theta1.shape == (25, 785) and theta2.shape == (10, 26)
    assert theta1[0, 0] == 0 and theta2[0, 0] == 25 * 785  # row-major, Theta1 first


def test_cost_matches_a_plain_loop():
    """Is the vectorised cost the per-example, per-output cross-entropy plus the bias-free penalty?"""
    thetas, X, Y = _problem()
    theta1, theta2 = network.unpack(thetas, 4, 3, 5)
    total = 0.0
    for x, y in zip(X, Y):
        hidden = 1 / (1 + np.exp(-(theta1 @ np.r_[1.0, x])))
        output = 1 / (1 + np.exp(-(theta2 @ np.r_[1.0, hidden])))
        total -= sum(yk * np.log(ak) + (1 - yk) * np.log(1 - ak) for yk, ak in zip(y, output))
    penalty = 2.0 / (2 * len(X)) * (np.sum(theta1[:, 1:] ** 2) + np.sum(theta2[:, 1:] ** 2))
    assert network.cost(thetas, X, Y, 2.0, 4, 3, 5) == pytest.approx(total / len(X) + penalty, rel=1e-10)


@pytest.mark.parametrize("lambda_", [0.0, 1.5])
def test_gradient_matches_central_differences(lambda_):
    """Does the backprop gradient equal central differences of the cost, every parameter?"""
    thetas, X, Y = _problem()
    numerical = network.numerical_gradient(lambda t: network.cost(t, X, Y, lambda_, 4, 3, 5), thetas)
    assert network.relative_error(network.gradient(thetas, X, Y, lambda_, 4, 3, 5), numerical) < 1e-8


def _plain_cost_and_gradient(thetas, X, Y, lambda_, sizes):
    """The textbook formulas, examples in rows and a column of ones stacked onto X and a2."""
    theta1, theta2 = network.unpack(thetas, *sizes)
    m = len(X)
    a1 = np.hstack([np.ones((m, 1)), X])
    a2 = np.hstack([np.ones((m, 1)), expit(a1 @ theta1.T)])
    a3 = expit(a2 @ theta2.T)
    J = -np.sum(Y * np.log(a3 + 1e-12) + (1 - Y) * np.log(1 - a3 + 1e-12)) / m
    J += lambda_ / (2 * m) * (np.sum(theta1[:, 1:] ** 2) + np.sum(theta2[:, 1:] ** 2))
    delta3 = a3 - Y
    delta2 = (delta3 @ theta2[:, 1:]) * a2[:, 1:] * (1 - a2[:, 1:])
    grad1, grad2 = delta2.T @ a1 / m, delta3.T @ a2 / m
    grad1[:, 1:] += lambda_ / m * theta1[:, 1:]
    grad2[:, 1:] += lambda_ / m * theta2[:, 1:]
    z2 = X @ theta1[:, 1:].T + theta1[:, 0]
    return J, np.concatenate([grad1.ravel(), grad2.ravel()]), (z2, a2[:, 1:], a3)


@pytest.mark.parametrize("sizes, m", [((4, 3, 5), 6), ((784, 25, 10), 40), ((3, 1, 2), 7),
                                      ((5, 4, 3), 1), ((1, 1, 1), 1), ((6, 2, 4), 9)])
@pytest.mark.parametrize("labels", ["one-hot", "soft"])
def test_examples_in_columns_agree_with_the_plain_formulas(sizes, m, labels):
    """Does the fast layout (examples in columns) give the textbook cost, gradient and forward pass
    to 1e-12, on any shape (m = 1, a single hidden unit) and for labels that are not one-hot?"""
    rng = np.random.default_rng(sum(sizes) + m)
    thetas = rng.uniform(-1, 1, network.n_parameters(*sizes))
    X = rng.uniform(0, 1, (m, sizes[0]))
    if labels == "one-hot":
        Y = network.one_hot(rng.integers(0, sizes[2], m), sizes[2])
    else:
        Y = rng.uniform(0, 1, (m, sizes[2]))
    J_plain, grad_plain, forward_plain = _plain_cost_and_gradient(thetas, X, Y, 0.7, sizes)
    J, grad = network.cost_and_gradient(thetas, X, Y, 0.7, *sizes)
    assert J == pytest.approx(J_plain, rel=1e-12)
    assert network.cost(thetas, X, Y, 0.7, *sizes) == pytest.approx(J_plain, rel=1e-12)
    assert np.linalg.norm(grad - grad_plain) <= 1e-12 * np.linalg.norm(grad_plain)
    assert np.array_equal(network.gradient(thetas, X, Y, 0.7, *sizes), grad)
    for got, expected in zip(network.forward_layers(*network.unpack(thetas, *sizes), X), forward_plain):
        assert got.shape == expected.shape
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(network.predict_proba(thetas, X, *sizes), forward_plain[2], rtol=1e-12)


@pytest.mark.parametrize("order", ["C", "F"])
def test_cost_and_gradient_leave_their_inputs_alone(order):
    """Are X, Y and the parameters untouched, and the answers the same, whatever their memory order?"""
    thetas, X, Y = _problem()
    X, Y = np.array(X, order=order), np.array(Y, order=order)
    before = thetas.copy(), X.copy(), Y.copy()
    J, grad = network.cost_and_gradient(thetas, X, Y, 1.0, 4, 3, 5)
    network.cost(thetas, X, Y, 1.0, 4, 3, 5)
    for array, copy in zip((thetas, X, Y), before):
        assert np.array_equal(array, copy)
    J_c, grad_c = network.cost_and_gradient(thetas, np.ascontiguousarray(X), np.ascontiguousarray(Y),
                                            1.0, 4, 3, 5)
    assert J == pytest.approx(J_c, rel=1e-14)
    np.testing.assert_allclose(grad, grad_c, rtol=1e-13, atol=1e-16)


def test_gradient_leaves_biases_unregularised():
    """Does lambda change only the weight columns of the gradient, by lambda/m * Theta?"""
    thetas, X, Y = _problem()
    difference = network.gradient(thetas, X, Y, 3.0, 4, 3, 5) - network.gradient(thetas, X, Y, 0.0, 4, 3, 5)
    d1, d2 = network.unpack(difference, 4, 3, 5)
    t1, t2 = network.unpack(thetas, 4, 3, 5)
    assert np.all(d1[:, 0] == 0) and np.all(d2[:, 0] == 0)
    np.testing.assert_allclose(d1[:, 1:], 3.0 / len(X) * t1[:, 1:])
    np.testing.assert_allclose(d2[:, 1:], 3.0 / len(X) * t2[:, 1:])


def test_numerical_gradient_never_modifies_its_input():
    """Does the numerical gradient leave every parameter where it was (the classic aliasing bug)?"""
    thetas, X, Y = _problem()
    before = thetas.copy()
    network.numerical_gradient(lambda t: network.cost(t, X, Y, 0.0, 4, 3, 5), thetas)
    assert np.array_equal(thetas, before)


def test_directional_derivative_agrees_with_gradient_at_full_size():
    """Along random directions, is the cost's slope the gradient's dot product (784-25-10)?"""
    thetas, X, Y = _problem((784, 25, 10), m=30, seed=3)
    g = network.gradient(thetas, X, Y, 1.0)
    rng = np.random.default_rng(4)
    for _ in range(3):
        d = rng.standard_normal(thetas.size)
        slope = network.directional_derivative(lambda t: network.cost(t, X, Y, 1.0), thetas, d)
        assert slope == pytest.approx(g @ d, rel=1e-6)


def test_sigmoid_gradient_is_taken_at_z():
    """Is sigma'(z) = sigma(z)(1 - sigma(z)), 0.25 at 0, and not the classic sigma(z) sigma(1 - z)?"""
    z = np.linspace(-4, 4, 9)
    s = 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(network.sigmoid_gradient(z), s * (1 - s))
    assert network.sigmoid_gradient(0.0) == 0.25
    assert not np.allclose(network.sigmoid_gradient(z), s * network.sigmoid(1 - z))


def test_relative_error_of_equal_and_opposite_vectors():
    """Is the relative error 0 for equal vectors and infinite for opposite ones?"""
    a = np.array([1.0, -2.0, 3.0])
    assert network.relative_error(a, a) == 0.0
    assert network.relative_error(a, -a) == np.inf
    assert network.relative_error(a, 2 * a) == pytest.approx(1 / 3)


def test_unpack_refuses_a_wrong_length():
    """Does a parameter vector of the wrong length get a clear error instead of a silent reshape?"""
    with pytest.raises(ValueError, match="19885"):
        network.unpack(np.zeros(19884))
