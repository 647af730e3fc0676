"""The checks' diagnoses, in-process: fast mutation tests on the samples' functions.

Every sample makes one catalogued mistake (its `# Diagnosis:` line). Here its functions run
in this process, next to the instructor's answers for the cells it does not change, and the
checks of the parts it loses must name that mistake. (test_grading.py checks the same through
nbgrader, the sandbox and the feedback; training needs the notebook, so it is checked there.)
"""
import matplotlib.pyplot as plt
import numpy as np
import pytest

from backprop_lab import paths
from backprop_lab.authoring import submissions
from backprop_lab.judging import checks, diagnosis, diagnosis_pictures, mistakes
from backprop_lab.reference import convolution, data, network
from backprop_lab.authoring.mutants import outcomes, parts

SAMPLES = submissions.all_samples()
WRONG = [s for s in SAMPLES if s.name.startswith("wrong-")]
CORRECT = [s for s in SAMPLES if s.name.startswith("correct-")]
CHECKS = parts.CHECKS  # graded part -> (the function's name, the hidden check), as the grader calls them


@pytest.fixture(scope="module")
def solutions(course):
    import nbformat
    answers = {}
    for path in (course / "source").glob("*/*.ipynb"):
        answers.update(submissions.solution_sources(nbformat.read(path, 4)))
    return answers


def _namespace(sample, solutions):
    """The sample's functions, defined as in the notebook: its cells, the instructor's for the rest."""
    return parts.namespace(sample.cells, solutions, data.load_dataset())


def _failure(part, namespace):
    message = outcomes.failure(part, namespace)
    return None if message is None else str(message)


@pytest.mark.parametrize("sample", WRONG, ids=lambda s: s.name)
def test_each_mistake_is_named_by_the_checks_of_its_parts(sample, solutions):
    mistake = mistakes.BY_ID[sample.diagnosis]
    namespace = _namespace(sample, solutions)
    parts = sample.loses & set(mistake.parts) & set(CHECKS)
    if not parts:
        pytest.skip("judged only on the trained notebook (test_grading.py)")
    for part in parts:
        message = _failure(part, namespace)
        assert message is not None, f"{part} passed"
        assert mistake.message() in message, message


@pytest.mark.parametrize("sample", WRONG, ids=lambda s: s.name)
def test_each_sample_loses_exactly_its_parts_in_process(sample, solutions):
    """Do the in-process checks fail exactly the parts the sample's Loses line lists (training aside)?
    (A part whose functions the sample leaves as the instructor's passes.)"""
    namespace = _namespace(sample, solutions)
    lost = {part for part in parts.graded_parts(sample.cells) if _failure(part, namespace) is not None}
    assert lost == sample.loses & set(CHECKS)


@pytest.mark.parametrize("sample", CORRECT, ids=lambda s: s.name)
def test_right_answers_are_never_diagnosed(sample, solutions):
    namespace = _namespace(sample, solutions)
    for part in CHECKS:
        assert _failure(part, namespace) is None, part


def test_an_unknown_mistake_gets_an_honest_generic_message():
    """A gradient wrong in no catalogued way: the relative error and where it is largest, no guess."""
    def noisy_gradient(thetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10):
        exact = network.gradient(thetas, X, y, lambda_, inputLayerSize, hiddenLayerSize, classLabels)
        theta1_size = hiddenLayerSize * (inputLayerSize + 1)
        exact[theta1_size:theta1_size + classLabels] *= 1.5  # Theta2's biases off by half
        return exact
    with pytest.raises(AssertionError) as failure:
        checks.check_gradient(noisy_gradient, regularised=False)
    message = str(failure.value)
    assert "relative error" in message and "largest difference is in the Theta2 biases" in message
    assert "Likely mistake" not in message


@pytest.mark.parametrize("sample", [s for s in SAMPLES if "convolve2d" in s.cells], ids=lambda s: s.name)
def test_convolution_mistakes_are_named_only_when_their_prediction_fits(sample, solutions):
    """On every image the check tries, is a wrong convolution sample named by its own mistake and
    no other, and a correct one by none?"""
    convolve2d = _namespace(sample, solutions)["convolve2d"]
    for image, kernel in checks.convolution_cases():
        got = np.asarray(convolve2d(image.copy(), kernel.copy()), dtype=float)
        expected = convolution.correlate_same(image, kernel)
        if got.shape == expected.shape and np.allclose(got, expected, rtol=1e-5, atol=1e-5):
            continue  # right on this image (the off-by-one border can be right by chance)
        assert sample.diagnosis, f"{sample.name} is wrong on a {image.shape} image"
        assert diagnosis_pictures.convolution_(got, image, kernel) == sample.diagnosis, image.shape


def test_convolution_outputs_no_mistake_explains_get_no_name():
    """A transposed-shape output that is not the transposed edge map, or one wrong pixel: no guess."""
    image, kernel = checks.convolution_cases()[2]
    rows, cols = image.shape
    garbage = np.random.default_rng(0).uniform(-1, 1, (cols, rows))
    assert diagnosis_pictures.convolution_(garbage, image, kernel) is None
    one_pixel_off = convolution.correlate_same(image, kernel)
    one_pixel_off[2, 3] += 1
    assert diagnosis_pictures.convolution_(one_pixel_off, image, kernel) is None


def test_a_convolution_is_named_only_by_a_mistake_that_explains_every_image():
    """An edge map of zeros is what a matrix product gives on the Square with filterOne (every row of
    the filter sums to 0), but not on the other images: is it left unnamed, while the real matrix
    product is named?"""
    def zeros(image, kernel):
        return np.zeros(np.shape(image))

    def matrix_product(image, kernel):
        padded = np.pad(image, 1)
        return np.array([[np.sum(padded[r:r + 3, c:c + 3] @ kernel) for c in range(image.shape[1])]
                         for r in range(image.shape[0])])
    for convolve2d, named in [(zeros, None), (matrix_product, "convolution-matrix-product")]:
        with pytest.raises(AssertionError) as failure:
            checks.check_convolution(convolve2d)
        assert getattr(failure.value.args[0], "mistake", None) == named


def _plot(units_drawn):
    """A plotHiddenWeights that draws the units units_drawn(n) picks, in that order."""
    def plotHiddenWeights(thetaOne):
        figure, axes = plt.subplots(5, 5)
        for ax, unit in zip(axes.flat, units_drawn(len(thetaOne))):
            ax.imshow(thetaOne[unit, 1:].reshape(28, 28))
        return figure
    return plotHiddenWeights


@pytest.mark.parametrize("units_drawn, named", [
    (lambda n: [], None),                                           # nothing drawn: no mistake explains it
    (lambda n: range(1), None),                                     # one unit only
    (lambda n: range(n - 1), "plot-units-missing"),                 # the last unit missing
    (lambda n: reversed(range(n)), "plot-units-out-of-order"),
    (lambda n: [1, 0] + list(range(2, n)), None),                   # two units swapped: no known order
], ids=["none", "one", "last-missing", "reversed", "two-swapped"])
def test_a_weight_plot_is_named_only_by_a_mistake_that_predicts_every_picture(units_drawn, named):
    """Is a plot named only when a mistake predicts which unit each of its pictures shows?"""
    with pytest.raises(AssertionError) as failure:
        checks.check_hidden_weights_plot(_plot(units_drawn))
    assert getattr(failure.value.args[0], "mistake", None) == named


def test_pixel_positions_are_plain_integers():
    """Does the convolution check name the most wrong pixel as (row, col) integers, not np.int64(...)?"""
    def wrong_at_one_pixel(image, kernel):
        output = convolution.correlate_same(image, kernel)
        output[2, 3] += 5
        return output
    with pytest.raises(AssertionError) as failure:
        checks.check_convolution(wrong_at_one_pixel)
    message = str(failure.value)
    assert "at pixel (2, 3)" in message and "np." not in message and "Likely mistake" not in message


def _without_bias_columns(thetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10):
    grad1, grad2 = network.unpack(network.gradient(thetas, X, y, lambda_, inputLayerSize, hiddenLayerSize,
                                                   classLabels), inputLayerSize, hiddenLayerSize, classLabels)
    return network.pack(grad1[:, 1:], grad2[:, 1:])


@pytest.mark.parametrize("sizes", [shape[:3] for shape in checks.SMALL_NETWORKS + [checks.FULL_NETWORK]])
def test_missing_bias_columns_are_recognised_by_length(sizes):
    """Is a gradient hidden + classes numbers short said to miss the bias columns, at every checked
    shape (35 short at 784-25-10), one short by one column said to miss that one, and others not?"""
    _, hidden_size, n_classes = sizes
    full = network.n_parameters(*sizes)
    both = diagnosis.missing_bias_columns(full - hidden_size - n_classes, sizes)
    assert both.startswith("The bias columns are missing") and f"{hidden_size + n_classes} numbers short" in both
    assert "Theta1" in diagnosis.missing_bias_columns(full - hidden_size, sizes)
    assert diagnosis.missing_bias_columns(full - hidden_size - n_classes - 1, sizes) is None
    assert diagnosis.missing_bias_columns(full, sizes) is None


def test_a_gradient_without_bias_columns_is_told_so():
    """Does the gradient check say the bias columns are missing, and name the mistake, when the
    returned gradient is the right one without them? And only say it when the values differ?"""
    input_size, hidden_size, n_classes, _ = checks.SMALL_NETWORKS[0]
    with pytest.raises(AssertionError) as failure:
        checks.check_gradient(_without_bias_columns, regularised=True)
    message = str(failure.value)
    short = hidden_size + n_classes
    assert f"got shape ({network.n_parameters(input_size, hidden_size, n_classes) - short},)" in message
    assert f"The bias columns are missing: it is {short} numbers short" in message
    assert mistakes.message("gradient-bias-columns-missing") in message

    def truncated(thetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10):
        gradient = network.gradient(thetas, X, y, lambda_, inputLayerSize, hiddenLayerSize, classLabels)
        return gradient[:-(hiddenLayerSize + classLabels)]  # as short, but the wrong numbers left out
    with pytest.raises(AssertionError) as failure:
        checks.check_gradient(truncated, regularised=False)
    assert "The bias columns are missing" in str(failure.value) and "Likely mistake" not in str(failure.value)


@pytest.mark.parametrize("check", [lambda f: checks.check_cost(f, regularised=False),
                                   lambda f: checks.check_gradient(f, regularised=True)], ids=["cost", "gradient"])
def test_modifies_input_advice_is_given_once(check):
    """Is a function that writes into its nnThetas told so once: the fact from the check, then the
    catalogue's explanation and hint, with no advice said twice?"""
    def scribbles(thetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10):
        thetas[:hiddenLayerSize] = 0
        return network.gradient(thetas, X, y, lambda_, inputLayerSize, hiddenLayerSize, classLabels)
    with pytest.raises(AssertionError) as failure:
        check(scribbles)
    fact, named = str(failure.value).split("\n")
    assert "changed the array it was given as argument 1" in fact
    assert named == mistakes.message("modifies-input")
    assert "cop" not in fact.lower() and "view" not in fact.lower()
    assert str(failure.value).count(mistakes.BY_ID["modifies-input"].hint) == 1


def test_every_catalogue_entry_is_complete():
    """Has every mistake an id, the graded parts it costs, a title, an explanation and a hint?"""
    assert len(mistakes.CATALOGUE) >= 15 and len(mistakes.BY_ID) == len(mistakes.CATALOGUE)
    known_parts = set(CHECKS) | {"trained_network"}
    for mistake in mistakes.CATALOGUE:
        assert mistake.parts and set(mistake.parts) <= known_parts, mistake.id
        assert mistake.title and mistake.explanation.endswith(".") and mistake.hint.endswith(".")


def test_readme_example_is_what_the_check_says(solutions):
    """Is the README's example message the one the gradient check gives that sample, word for word?"""
    readme = (paths.COURSE_DIR / "README.md").read_text()
    example = readme.split("(`samples/wrong-gradient-forgot-one-over-m.py`):")[1].split("```")[1]
    sample = next(s for s in WRONG if s.name == "wrong-gradient-forgot-one-over-m")
    said = _failure("gradient", _namespace(sample, solutions))
    assert " ".join(example.split()) == " ".join(said.split())


def _trusted_cost(thetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10):
    return network.cost(thetas, X, y, lambda_, inputLayerSize, hiddenLayerSize, classLabels)


def _trusted_gradient(thetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10):
    return network.gradient(thetas, X, y, lambda_, inputLayerSize, hiddenLayerSize, classLabels)


def _stopped_training(warnflag, iterations):
    """What fmin_cg returns (full_output=1, retall=1) when it stops after `iterations` with this warnflag."""
    thetas = np.zeros(network.n_parameters())
    return thetas, 7.0, 40, 40, warnflag, [thetas] * (iterations + 1)


def _training_failure(result, cost=_trusted_cost, gradient=None):
    with pytest.raises(AssertionError) as failure:
        checks.check_training(result, cost, gradient)
    return str(failure.value)


def test_a_failed_line_search_is_not_called_too_few_iterations():
    """Is fmin_cg stopped by a failed line search (warnflag 2) after 18 of the 60 iterations it was
    given told that the optimiser could not follow the gradient, with no too-few-iterations name,
    and pointed to the gradient when the cost agrees with the trusted one?"""
    message = _training_failure(_stopped_training(warnflag=2, iterations=18))
    assert "the optimiser could not follow your gradient (fmin_cg's line search failed, warnflag 2)" in message
    assert "run the gradient check (checkGradients)" in message and "after 18 of 60 iterations" in message
    assert "training-too-few-iterations" not in message and "maxiter" not in message
    assert "nnCostFunction agrees with the trusted cost" in message and "fprime (nnGradientFunction)" in message


def test_a_failed_line_search_points_to_the_part_that_is_wrong():
    """Given a cost twice too large, does the message point to the cost; given the right cost and a
    wrong gradient, to the gradient; given both right, to how fmin_cg was called?"""
    result = _stopped_training(warnflag=2, iterations=3)
    doubled = _training_failure(result, cost=lambda *args, **kwargs: 2 * _trusted_cost(*args, **kwargs))
    assert "nnCostFunction differs from the trusted cost by a relative 1" in doubled and "cost parts" in doubled
    halved = _training_failure(result, gradient=lambda *args, **kwargs: _trusted_gradient(*args, **kwargs) / 2)
    assert "nnGradientFunction differs from its gradient by a relative" in halved and "gradient parts" in halved
    assert "nnCostFunction agrees" in halved
    both_right = _training_failure(result, gradient=_trusted_gradient)
    assert "both agree with the trusted ones" in both_right and "fprime=nnGradientFunction" in both_right


def test_too_few_iterations_is_named_only_when_maxiter_stopped_it():
    """Is a training that stopped at its own maxiter of 10 (warnflag 1) named too-few-iterations,
    and one that stopped on NaN (warnflag 3) told so without that name?"""
    assert mistakes.message("training-too-few-iterations") in _training_failure(_stopped_training(1, 10))
    nan = _training_failure(_stopped_training(3, 10))
    assert "warnflag 3" in nan and "Likely mistake" not in nan


def _squeezed_regularisation(thetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10):
    """Right on every shape but one hidden unit: np.squeeze turns Theta2's (classes, 1) weights into
    a vector there, which no longer fits back into its column."""
    grad1, grad2 = (g.copy() for g in network.unpack(
        network.gradient(thetas, X, y, 0, inputLayerSize, hiddenLayerSize, classLabels),
        inputLayerSize, hiddenLayerSize, classLabels))
    theta1, theta2 = network.unpack(thetas, inputLayerSize, hiddenLayerSize, classLabels)
    grad1[:, 1:] += lambda_ / len(X) * theta1[:, 1:]
    grad2[:, 1:] += lambda_ / len(X) * np.squeeze(theta2[:, 1:])
    return network.pack(grad1, grad2)


def test_a_function_failing_on_one_shape_is_told_which_not_hard_coded_sizes():
    """A gradient that raises only with a single hidden unit: is it told the shape it failed on and
    the shapes it is right on, and not that its sizes are typed in?"""
    with pytest.raises(AssertionError) as failure:
        checks.check_gradient(_squeezed_regularisation, regularised=True)
    message = str(failure.value)
    assert "raised ValueError" in message
    assert "It failed on the 5-1-3 network (5 inputs, 1 hidden unit, 3 classes, m = 4 examples, lambda_ = 1)" in message
    assert "it is right on the 3-5-3, 4-3-2, 2-4-6, 784-25-10 networks" in message
    assert "hard-coded-sizes" not in message and "Likely mistake" not in message


def test_typed_in_sizes_are_named_only_when_they_explain_every_shape():
    """Is hard-coded-sizes named for a function right at 784-25-10 only, and not for one right at
    784-25-10 and on one small shape?"""
    def typed_in(thetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10):
        return _trusted_gradient(thetas, X, y, lambda_)  # 784-25-10 whatever it is given
    with pytest.raises(AssertionError) as failure:
        checks.check_gradient(typed_in, regularised=False)
    assert mistakes.message("hard-coded-sizes") in str(failure.value)

    def right_on_one_small_shape(thetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10):
        if hiddenLayerSize not in (25, 5):
            raise ValueError("only 5 or 25 hidden units")
        return _trusted_gradient(thetas, X, y, lambda_, inputLayerSize, hiddenLayerSize, classLabels)
    with pytest.raises(AssertionError) as failure:
        checks.check_gradient(right_on_one_small_shape, regularised=False)
    message = str(failure.value)
    assert "Likely mistake" not in message and "It failed on the 4-3-2 network" in message
    assert "it is right on the 3-5-3, 784-25-10 networks" in message


def _cost_calling_sigmoid_gradient(thetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10):
    slope = mySigmoidGradient(X)  # noqa: F821  (defined only further down the notebook)
    return _trusted_cost(thetas, X, y, lambda_, inputLayerSize, hiddenLayerSize, classLabels) + 0 * slope.sum()


def test_a_missing_name_is_named_with_what_to_do():
    """Does a cost that calls a function the notebook has not defined say which name was missing and
    that it is defined later or not at all, with no sizes diagnosis on top?"""
    with pytest.raises(checks.MissingName) as failure:
        checks.check_cost(_cost_calling_sigmoid_gradient, regularised=False)
    message = str(failure.value)
    assert message.startswith("nnCostFunction raised NameError: name 'mySigmoidGradient' is not defined")
    assert "mySigmoidGradient is defined later in the notebook or not at all" in message
    assert "Restart & Run All" in message and "Likely mistake" not in message and "It failed on" not in message


class _InProcessKernel:
    """Stands in for the graded kernel: resolves names in a namespace."""

    def __init__(self, namespace):
        self.namespace = namespace

    def resolve(self, name):
        return self.namespace[name]


@pytest.mark.parametrize("above, below, said", [
    (set(), {"mySigmoidGradient"}, "mySigmoidGradient is defined further down the notebook"),
    ({"mySigmoidGradient"}, set(), "A cell above defines mySigmoidGradient, but it did not exist"),
    (set(), set(), "No cell of the notebook defines mySigmoidGradient"),
])
def test_the_grader_says_where_a_missing_name_is_defined(above, below, said):
    """Given the names the notebook's cells define above and below the test cell, does the grader's
    verdict say whether the missing name comes later, above (a cell that failed), or nowhere?"""
    from backprop_lab.sandbox import executor
    test = executor.parse_hidden_tests("cost_unregularised", "### BEGIN HIDDEN TESTS\n"
                                       "checks.check_cost(nnCostFunction, regularised=False)\n### END HIDDEN TESTS\n")
    verdict = executor.judge(test, _InProcessKernel({"nnCostFunction": _cost_calling_sigmoid_gradient}), above,
                             below).failure
    assert verdict.startswith("nnCostFunction raised NameError: name 'mySigmoidGradient' is not defined")
    assert said in verdict


def test_the_names_a_cell_defines():
    """Are a cell's top-level bindings found (def, import, assignment, loop, with) but not a function's
    locals, and a star import marked?"""
    from backprop_lab.sandbox import executor
    cell = ("%matplotlib inline\nimport numpy as np\nfrom scipy.special import *\ndef mySigmoidGradient(z):\n"
            "    inner = 1\n    return z\nfor row in range(2):\n    total = row\nsquares = [k * k for k in range(3)]\n")
    assert executor.defined_names(cell) == {"np", "*", "mySigmoidGradient", "row", "total", "squares"}
    assert executor.defined_names("def broken(:") == set()
