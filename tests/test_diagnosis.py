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

from backprop_lab import checks, data, mistakes, network, paths, submissions

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
