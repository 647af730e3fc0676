"""The checks' diagnoses, in-process: fast mutation tests on the samples' functions.

Every sample makes one catalogued mistake (its `# Diagnosis:` line). Here its functions run
in this process, next to the instructor's answers for the cells it does not change, and the
checks of the parts it loses must name that mistake. (test_grading.py checks the same through
nbgrader, the sandbox and the feedback; training needs the notebook, so it is checked there.)
"""
import matplotlib.pyplot as plt
import numpy as np
import pytest
from scipy.special import expit

from backprop_lab import checks, convolution, data, diagnosis, mistakes, network, paths, submissions

SAMPLES = submissions.all_samples()
WRONG = [s for s in SAMPLES if s.name.startswith("wrong-")]
CORRECT = [s for s in SAMPLES if s.name.startswith("correct-")]
CHECKS = {
    "cost_unregularised": lambda ns: checks.check_cost(ns["nnCostFunction"], regularised=False),
    "cost_regularised": lambda ns: checks.check_cost(ns["nnCostFunction"], regularised=True),
    "sigmoid_gradient": lambda ns: checks.check_sigmoid_gradient(ns["mySigmoidGradient"]),
    "gradient": lambda ns: checks.check_gradient(ns["unregularisedGradient"], regularised=False),
    "gradient_regularised": lambda ns: checks.check_gradient(ns["nnGradientFunction"], regularised=True),
    "convolution": lambda ns: checks.check_convolution(ns["convolve2d"]),
    "hidden_weights_plot": lambda ns: checks.check_hidden_weights_plot(ns["plotHiddenWeights"]),
}
ORDER = ["mySigmoidGradient", "nnCostFunction", "nnGradientFunction", "nnGradientFunctionRegularised",
         "plotHiddenWeights", "convolve2d"]


@pytest.fixture(scope="module")
def solutions(course):
    import nbformat
    answers = {}
    for path in (course / "source").glob("*/*.ipynb"):
        answers.update(submissions.solution_sources(nbformat.read(path, 4)))
    return answers


def _namespace(sample, solutions):
    """The sample's functions, defined as in the notebook: its cells, the instructor's for the rest."""
    dataset = data.load_dataset()
    namespace = {"np": np, "plt": plt, "mySigmoid": expit, "XTrain": dataset["XTrain"], "yTrain": dataset["yTrain"]}
    for grade_id in ORDER:
        exec(sample.cells.get(grade_id, solutions[grade_id]), namespace)
        if grade_id == "nnGradientFunction":
            namespace["unregularisedGradient"] = namespace["nnGradientFunction"]
    return namespace


def _failure(part, namespace):
    try:
        CHECKS[part](namespace)
    except AssertionError as failure:
        return str(failure)
    return None


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
        assert diagnosis.convolution_(got, image, kernel) == sample.diagnosis, image.shape


def test_convolution_outputs_no_mistake_explains_get_no_name():
    """A transposed-shape output that is not the transposed edge map, or one wrong pixel: no guess."""
    image, kernel = checks.convolution_cases()[2]
    rows, cols = image.shape
    garbage = np.random.default_rng(0).uniform(-1, 1, (cols, rows))
    assert diagnosis.convolution_(garbage, image, kernel) is None
    one_pixel_off = convolution.correlate_same(image, kernel)
    one_pixel_off[2, 3] += 1
    assert diagnosis.convolution_(one_pixel_off, image, kernel) is None


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
