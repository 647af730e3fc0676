"""The visible tests, which students run before they submit: are their known answers right, do
they see the mistakes a wrong answer makes, and does the README's table say what students see?"""
import numpy as np
import nbformat
import pytest

from backprop_lab import paths
from backprop_lab.authoring import submissions, visible
from backprop_lab.reference import convolution, data, network


def _visible_part(source):
    return source.split("### BEGIN HIDDEN TESTS")[0]


def _test_cells(assignment):
    notebook = nbformat.read(paths.SOURCE / assignment / f"{assignment}.ipynb", as_version=4)
    return notebook, {cell.metadata["nbgrader"]["grade_id"]: _visible_part(cell.source) for cell in notebook.cells
                      if cell.metadata.get("nbgrader", {}).get("grade") and not cell.metadata["nbgrader"]["solution"]}


def _as_notebook_functions(cost=network.cost, gradient=network.gradient, sigmoid_gradient=network.sigmoid_gradient):
    """The trusted functions under the notebook's names and signatures."""
    def nnCostFunction(nnThetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10,
                       smallValueToRemoveInfinity=1e-12):
        return cost(nnThetas, X, y, lambda_, inputLayerSize, hiddenLayerSize, classLabels)

    def nnGradientFunction(nnThetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10,
                           smallValueToRemoveInfinity=1e-12):
        return gradient(nnThetas, X, y, lambda_, inputLayerSize, hiddenLayerSize, classLabels)

    return {"nnCostFunction": nnCostFunction, "nnGradientFunction": nnGradientFunction,
            "mySigmoidGradient": sigmoid_gradient}


@pytest.fixture(scope="module")
def digits():
    dataset = data.load_dataset()
    return {"np": np, "XTrain": dataset["XTrain"], "yTrain": dataset["yTrain"]}


NETWORK_TESTS = ["cost_unregularised", "cost_regularised", "sigmoid_gradient", "gradient", "gradient_regularised"]


@pytest.mark.parametrize("grade_id", NETWORK_TESTS)
def test_the_trusted_network_passes_the_visible_tests(grade_id, digits):
    """Do the known answers in the visible tests agree with the trusted network (network.py)?"""
    _, cells = _test_cells("01_backprop")
    exec(cells[grade_id], {**digits, **_as_notebook_functions()})


# Wrong versions of the trusted network, and the visible test each must fail.
def _scaled(gradient, factor):
    return lambda *args: factor * gradient(*args)


def _flipped_columns(gradient):
    def wrong(thetas, X, y, lambda_, *sizes):
        theta1, theta2 = network.unpack(gradient(thetas, X, y, lambda_, *sizes), *sizes)
        return network.pack(theta1, theta2[:, ::-1])
    return wrong


def _transposed_cost(thetas, X, y, lambda_, input_size, hidden_size, n_classes):
    """Unpacks Theta1 column by column (MATLAB order)."""
    split = hidden_size * (input_size + 1)
    theta1 = np.reshape(thetas[:split], (hidden_size, input_size + 1), order="F")
    return network.cost(network.pack(theta1, thetas[split:].reshape(n_classes, hidden_size + 1)), X, y, lambda_,
                        input_size, hidden_size, n_classes)


WRONG = {
    "gradient scaled by 0.999": (dict(gradient=_scaled(network.gradient, 0.999)), "gradient"),
    "Theta2's columns reversed": (dict(gradient=_flipped_columns(network.gradient)), "gradient"),
    "Theta1 unpacked column by column": (dict(cost=_transposed_cost), "cost_unregularised"),
    "sigma' taken at the activation": (dict(sigmoid_gradient=lambda z: network.sigmoid(network.sigmoid(z))
                                            * (1 - network.sigmoid(network.sigmoid(z)))), "sigmoid_gradient"),
}


@pytest.mark.parametrize("mistake", sorted(WRONG))
def test_a_wrong_network_fails_its_visible_test(mistake, digits):
    """Can the visible tests fail: does each planted mistake fail the test of its part?"""
    functions, grade_id = WRONG[mistake]
    _, cells = _test_cells("01_backprop")
    with pytest.raises(AssertionError):
        exec(cells[grade_id], {**digits, **_as_notebook_functions(**functions)})


def _convolution_namespace(convolve2d):
    """02_convolution's cells up to its test, run with convolve2d given."""
    notebook, cells = _test_cells("02_convolution")
    namespace = {"convolve2d": convolve2d}
    for cell in notebook.cells:
        grading = cell.metadata.get("nbgrader", {})
        if grading.get("grade"):
            break
        if cell.cell_type == "code" and not grading.get("solution"):
            exec(cell.source, namespace)
    return namespace, cells["convolution"]


def test_the_trusted_convolution_passes_the_visible_test():
    """Does the known 4 x 5 edge map in the visible test agree with the trusted convolution?"""
    namespace, test = _convolution_namespace(convolution.correlate_same)
    exec(test, namespace)


@pytest.mark.parametrize("wrong", ["flipped kernel", "padded with ones", "last row and column skipped"])
def test_a_wrong_convolution_fails_the_visible_test(wrong):
    """Does the visible convolution test fail a flipped kernel, a border of ones, a skipped last row and column?"""
    def convolve(image, kernel):
        image, kernel = np.asarray(image, float), np.asarray(kernel, float)
        if wrong == "flipped kernel":
            return convolution.correlate_same(image, kernel[::-1, ::-1])
        if wrong == "padded with ones":
            padded = np.pad(image, 1, constant_values=1.0)
            return convolution.correlate_same(padded, kernel)[1:-1, 1:-1]
        edges = convolution.correlate_same(image, kernel)
        edges[-1, :] = edges[:, -1] = 0
        return edges
    namespace, test = _convolution_namespace(convolve)
    with pytest.raises(AssertionError):
        exec(test, namespace)


@pytest.mark.slow
def test_students_see_every_wrong_answer_before_submitting():
    """Run every sample through the release notebooks with the visible tests only, as a student with
    the kit would: does every cost, sigma', gradient and convolution mistake show an error (but those
    HIDDEN_ONLY names), no correct answer show one, and the README's table say so?"""
    seen_all = visible.see_all(workers=2)
    samples = {sample.name: sample for sample in submissions.all_samples()}
    for seen in seen_all:
        sample = samples[seen.sample]
        if not sample.loses:
            assert not seen.sees_an_error, f"{seen.sample} is correct but sees {seen.failed_tests} {seen.errors}"
        elif sample.loses & visible.TARGET_PARTS and seen.sample not in visible.HIDDEN_ONLY:
            assert seen.sees_an_error, f"{seen.sample} loses {set(sample.loses)} but sees no error before submitting"
        elif not seen.sees_an_error:  # outside the target: the README must say why
            assert sample.loses <= set(visible.OUTSIDE_TARGET), f"{seen.sample}: no reason recorded for {sample.loses}"
    start, end = visible.README_MARKERS
    readme = (paths.COURSE_DIR / "README.md").read_text()
    assert readme.split(start)[1].split(end)[0].strip() == visible.table(seen_all).strip(), \
        "the README's table is out of date: python -m backprop_lab visible"
