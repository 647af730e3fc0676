"""The lessons' numbers: every number the notebooks' text states is computed here, from the data,
the trusted network, the convolution reference or the CNN itself, and looked up in notebooks/*.py.

The text is searched for phrases built from the computed values, with whitespace normalised (the
markdown wraps lines anywhere); a changed number in the lesson or in the code behind it fails.
"""
import inspect
import math
import os
import re

import jupytext
import numpy as np
import pytest
import scipy.signal
from scipy.optimize import fmin_cg

from backprop_lab import paths
from backprop_lab.reference import convolution, data, network

MINUS = "\u2212"


def _cells(name):
    return jupytext.read(paths.NOTEBOOKS / f"{name}.py", fmt="py:percent").cells


def _flat(text):
    return re.sub(r"\s+", " ", text)


def _markdown(name, instructor_only=False):
    """The notebook's markdown, one string: the student-facing cells, or the instructor-only ones."""
    return _flat(" ".join(c.source for c in _cells(name) if c.cell_type == "markdown"
                          and (c.metadata.get("instructor") == "only") == instructor_only))


def _code(name):
    return "\n".join(c.source for c in _cells(name) if c.cell_type == "code")


def _minus(text):
    return text.replace("-", MINUS)


def _assert_says(text, phrase):
    assert phrase in text, f"the lesson should say {phrase!r}"


# --------------------------------------------------------------------------- 01: initialisation

def test_initial_range_and_where_it_comes_from():
    """Does the text state sqrt(6) / sqrt(n_in + n_out) right for the seed course's 400 pixels and for
    both of our layers, and is 0.12, what the notebook draws from, that rule rounded for 400 + 25?"""
    text = _markdown("01_backprop")
    n_pixels, hidden, classes = 784, 25, 10
    assert network.n_parameters(n_pixels, hidden, classes) == network.n_parameters()
    seed_pixels = 20 * 20
    _assert_says(text, f"20 × 20 = {seed_pixels} pixels")
    for n_in, n_out in ((seed_pixels, hidden), (n_pixels, hidden), (hidden, classes)):
        epsilon = math.sqrt(6) / math.sqrt(n_in + n_out)
        _assert_says(text, f"$\\sqrt{{6}} / \\sqrt{{{n_in} + {n_out}}} = {epsilon:.3f}$")
    seed_epsilon = round(math.sqrt(6) / math.sqrt(seed_pixels + hidden), 2)
    assert seed_epsilon == network.EPSILON_INIT
    _assert_says(text, f"$\\varepsilon_{{\\text{{init}}}} = {seed_epsilon:g}$")
    code = _code("01_backprop")
    assert code.count(f"uniform(-{seed_epsilon:g}, {seed_epsilon:g}") >= 2, "the notebook draws from ±0.12"
    _assert_says(text, f"$\\sigma'(0) = {network.sigmoid_gradient(0.0):g}$")


# --------------------------------------------------------------------------- 01: symmetry

def test_symmetry_demonstration_starts_where_it_proves_something():
    """At the constant the notebook starts from, are the hidden rows of the (trusted) gradient
    identical and not all zero, while at zero the whole hidden gradient is exactly zero?"""
    text, code = _markdown("01_backprop"), _code("01_backprop")
    match = re.search(r"constantThetas = np\.full\(25 \* 785 \+ 10 \* 26, ([0-9.]+)\)", code)
    assert match, "the symmetry cell starts from np.full(..., constant)"
    constant = float(match.group(1))
    _assert_says(text, f"same value, {constant:g}")
    assert "assert np.any(hiddenRows != 0)" in code and "assert identical" in code
    dataset = data.load_dataset()
    X, Y = dataset["XTrain"], dataset["yTrain"]
    theta1_gradient, _ = network.unpack(network.gradient(np.full(network.n_parameters(), constant), X, Y))
    assert np.allclose(theta1_gradient, theta1_gradient[0], rtol=1e-9, atol=1e-15)
    assert np.any(theta1_gradient != 0)
    at_zero, _ = network.unpack(network.gradient(np.zeros(network.n_parameters()), X, Y))
    assert np.all(at_zero == 0), "the lesson says the whole hidden gradient is exactly 0 at zero"


# --------------------------------------------------------------------------- 01: the trained file

def _trained_iterations():
    try:
        return data.trained_iterations()
    except KeyError:
        pytest.fail(f"{paths.DATA / paths.TRAINED_FILE} records no iterations: it predates them; rebuild "
                    "it with `.venv/bin/python -m backprop_lab data --force`")


def test_trained_file_is_described_as_it_was_built():
    """Does the text give the file's real iteration counts, fmin_cg's tolerance, its keys and that
    each holds one flat vector of every parameter?"""
    text = _markdown("01_backprop")
    ran = _trained_iterations()
    maxiter = inspect.signature(data.build_trained_thetas).parameters["iterations"].default
    assert sorted(ran) == sorted(data.LAMBDA_KEYS)
    _assert_says(text, f"for up to {maxiter} iterations")
    # lambda = 0 converged (warnflag 0: gradient norm below gtol); the others hit maxiter (warnflag 1).
    assert ran[0][1] == 0 and ran[0][0] < maxiter
    _assert_says(text, f"with $\\lambda = 0$ it stops after {ran[0][0]}, because the norm of its gradient has fallen below")
    gtol = inspect.signature(fmin_cg).parameters["gtol"].default
    _assert_says(text, f"fmin_cg's tolerance ($10^{{{round(math.log10(gtol))}}}$)")
    others = [lambda_ for lambda_ in ran if lambda_ != 0]
    assert all(ran[lambda_] == (maxiter, 1) for lambda_ in others)
    _assert_says(text, f"the other {['', 'one', 'two', 'three'][len(others)]} run all {maxiter}")
    _assert_says(text, ", ".join(f"`{key}`" for key in data.LAMBDA_KEYS.values()))
    with np.load(paths.DATA / paths.TRAINED_FILE) as npz:
        for key in data.LAMBDA_KEYS.values():
            assert npz[key].shape == (network.n_parameters(),)
    _assert_says(text, f"one flat vector of {network.n_parameters():,} parameters laid out like `nnThetas`, not a list")


def test_answer_about_regularisation_matches_the_trained_networks():
    """Is every claim of the instructors' answer (lambda = 0 reads every training digit, lambda = 1
    reads more test digits and is best on them, lambda = 100 worst on both) true of the file?"""
    answer = _markdown("01_backprop", instructor_only=True)
    dataset = data.load_dataset()
    with np.load(paths.DATA / paths.TRAINED_FILE) as npz:
        train = {lambda_: network.accuracy(npz[key], dataset["XTrain"], dataset["yTrain"])
                 for lambda_, key in data.LAMBDA_KEYS.items()}
        test = {lambda_: network.accuracy(npz[key], dataset["XTest"], dataset["yTest"])
                for lambda_, key in data.LAMBDA_KEYS.items()}
    _assert_says(answer, f"reads every one of the {len(dataset['XTrain']):,} training digits")
    assert train[0] == 1.0
    assert test[1] > test[0] and max(test, key=test.get) == 1
    _assert_says(answer, "$\\lambda = 1$ does best on the test set")
    assert min(train, key=train.get) == min(test, key=test.get) == 100
    _assert_says(answer, "at $\\lambda = 100$ the weights are held so small that the network underfits, "
                         "and it is the worst of the four on both sets")


# --------------------------------------------------------------------------- 02: convolution

def test_scipy_convolve2d_has_the_opposite_sign_on_the_square():
    """At the pixel the text names, is ours 3 and scipy.signal.convolve2d's -3, and does
    scipy.signal.correlate2d give ours everywhere, as the text says?"""
    text = _markdown("02_convolution")
    image, kernel = convolution.square_image(), convolution.FILTER_ONE
    ours = convolution.correlate_same(image, kernel)
    flipped = scipy.signal.convolve2d(image, kernel, mode="same")
    np.testing.assert_array_equal(scipy.signal.correlate2d(image, kernel, mode="same"), ours)
    np.testing.assert_array_equal(flipped, -ours)
    row, col = 8, 3
    assert image[row, col] == 0 and image[row, col + 1] == 1, "just left of the square"
    _assert_says(text, f"at pixel ({row}, {col}), just left of the square, our `convolve2d` gives {ours[row, col]:g}")
    _assert_says(text, f'`scipy.signal.convolve2d(squareImage, filterOne, mode="same")` gives '
                       f"{_minus(f'{flipped[row, col]:g}')}")
    _assert_says(text, '`scipy.signal.correlate2d(image, kernel, mode="same")`')


def test_answer_about_edges_and_corners_matches_the_edge_map():
    """Are the values the instructors' answer gives (3 and -3 along the edges, 2 and 1 near the
    corners) those of filterOne's edge map of the Square?"""
    answer = _markdown("02_convolution", instructor_only=True)
    image = convolution.square_image()
    edges = convolution.correlate_same(image, convolution.FILTER_ONE)
    rows, cols = np.nonzero(image)
    top, bottom, left, right = rows.min(), rows.max(), cols.min(), cols.max()
    middle = (top + bottom) // 2
    full = edges[middle, left - 1]
    assert full == edges[middle, left] == -edges[middle, right] == -edges[middle, right + 1]
    _assert_says(answer, f"{' + '.join(['1'] * int(full))} = {full:g}, bright")
    _assert_says(answer, f"{_minus(f'{-full:g}')}: dark")
    level, beyond = edges[top, left - 1], edges[top - 1, left - 1]
    assert (level, beyond) == (edges[bottom, left - 1], edges[bottom + 1, left - 1])
    assert (-level, -beyond) == (edges[top, right + 1], edges[top - 1, right + 1])
    _assert_says(answer, f"reaches {['', 'one', 'two'][int(level)]} of its rows ({level:g}, or {_minus(f'{-level:g}')} on the right)")
    _assert_says(answer, f"only {['', 'one'][int(beyond)]} ({beyond:g}, or {_minus(f'{-beyond:g}')})")
    _assert_says(answer, f"all three rows count: {full:g}")


# --------------------------------------------------------------------------- 03: the CNN

@pytest.fixture(scope="module")
def cnn_model():
    """The model exactly as notebooks/03_cnn_peek.py builds it (its first code cell and its model cell)."""
    pytest.importorskip("torch")
    os.environ.setdefault("KERAS_BACKEND", "torch")
    pytest.importorskip("keras")
    code_cells = [c.source for c in _cells("03_cnn_peek") if c.cell_type == "code"]
    model_cell = next(source for source in code_cells if "keras.Sequential" in source)
    namespace = {}
    exec(compile(code_cells[0], "03_cnn_peek: imports", "exec"), namespace)
    exec(compile(model_cell, "03_cnn_peek: model", "exec"), namespace)
    return namespace["model"]


def test_cnn_parameter_counts(cnn_model):
    """Are 160 (first layer), 19,625 (a dense layer of 25 units over the pixels), 12,810 (the whole
    CNN) and 19,885 (our dense network) what the model and the network have?"""
    text = _markdown("03_cnn_peek")
    first = cnn_model.layers[0]
    n_kernels, (kh, kw) = first.filters, first.kernel_size
    assert first.count_params() == n_kernels * kh * kw + n_kernels
    _assert_says(text, f"{n_kernels} kernels of {kh} × {kw} weights and {n_kernels} biases: {first.count_params()} parameters")
    pixels, hidden = 28 * 28, network.layer_shapes()[0][0]
    assert network.layer_shapes()[0] == (hidden, pixels + 1)
    dense = pixels * hidden + hidden
    _assert_says(text, f"{pixels} × {hidden} + {hidden} = {dense:,}")
    _assert_says(text, f"CNN has {cnn_model.count_params():,} parameters, fewer than our dense network's "
                       f"{network.n_parameters():,}")
    assert cnn_model.count_params() < network.n_parameters()
    _assert_says(text, f"({first.count_params()} against {dense:,} in the first layer)")


def test_answer_about_shapes_matches_the_model(cnn_model):
    """Does the instructors' answer list every layer's output shape, in order, as Keras computes it?"""
    answer = _markdown("03_cnn_peek", instructor_only=True)
    shapes = [tuple(layer.output.shape[1:]) for layer in cnn_model.layers]
    named = [", ".join(map(str, shape)) if len(shape) > 1 else str(shape[0]) for shape in shapes]
    position = 0
    for index, (layer, shape, text) in enumerate(zip(cnn_model.layers, shapes, named)):
        if type(layer).__name__ == "Dropout":
            assert shape == shapes[index - 1], "the answer says dropout keeps the shape"
            continue
        phrase = f"({text})" if len(shape) > 1 else f"{text} "
        found = answer.find(phrase, position)
        assert found >= 0, f"the answer should give {phrase!r} after position {position}: {answer}"
        position = found + len(phrase)


# --------------------------------------------------------------------------- 01: sizes

def test_parameter_shapes_and_count():
    """Are the shapes of Theta1 and Theta2 and the length of nnThetas the text gives the network's?"""
    text = _markdown("01_backprop")
    (h, n1), (k, h1) = network.layer_shapes()
    _assert_says(text, f"$\\Theta^{{(1)}}$ has shape {h} × {n1} ({n1 - 1} weights plus a bias for each hidden unit)")
    _assert_says(text, f"$\\Theta^{{(2)}}$ has shape {k} × {h1} ({h1 - 1} weights plus a bias for each output unit)")
    total = network.n_parameters()
    assert h * n1 + k * h1 == total
    _assert_says(text, f"${h} \\cdot {n1} + {k} \\cdot {h1} = {total:,}".replace(",", "{,}") + "$ numbers")
