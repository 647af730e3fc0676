"""The trusted reference network: the oracle every hidden check leans on must itself be right."""
import numpy as np
import pytest

from backprop_lab import network


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
