"""The class view counts every failed part: the catalogued mistakes the checks name, and the
failures no mistake explains, grouped by where their error is largest; all of it as data the
grader writes into the autograded cells' metadata, never parsed back from the message."""
import nbformat
import numpy as np

from backprop_lab.reference import network
from backprop_lab.sandbox import executor
from backprop_lab.results import gradebook, report


class _InProcessKernel:
    def __init__(self, namespace):
        self.namespace = namespace

    def resolve(self, name):
        return self.namespace[name]


def _gradient_test():
    return executor.parse_hidden_tests("gradient", "### BEGIN HIDDEN TESTS\n"
                                       "checks.check_gradient(nnGradientFunction, regularised=False)\n"
                                       "### END HIDDEN TESTS\n")


def _gradient(thetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10):
    return network.gradient(thetas, X, y, lambda_, inputLayerSize, hiddenLayerSize, classLabels)


def test_an_unnamed_failure_says_where_its_error_is_largest():
    def theta2_weights_off(thetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10):
        grad1, grad2 = network.unpack(_gradient(thetas, X, y, lambda_, inputLayerSize, hiddenLayerSize,
                                                classLabels), inputLayerSize, hiddenLayerSize, classLabels)
        grad2 = grad2.copy()
        grad2[:, 1:] += 0.3 * np.sign(grad2[:, 1:] + 1e-9)
        return network.pack(grad1, grad2)
    verdict = executor.judge(_gradient_test(), _InProcessKernel({"nnGradientFunction": theta2_weights_off}))
    assert verdict.failure and verdict.mistake is None and verdict.where == "largest in the Theta2 weights"
    assert verdict.facts() == {"passed": False, "mistake": None, "where": "largest in the Theta2 weights"}


def test_a_named_failure_carries_its_mistake_id():
    def summed(thetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10):
        return len(X) * _gradient(thetas, X, y, lambda_, inputLayerSize, hiddenLayerSize, classLabels)
    verdict = executor.judge(_gradient_test(), _InProcessKernel({"nnGradientFunction": summed}))
    assert verdict.mistake == "gradient-forgot-one-over-m" and verdict.where is None
    assert executor.judge(_gradient_test(), _InProcessKernel({"nnGradientFunction": _gradient})).facts()["passed"]


def _autograded(course, student, facts):
    cells = [nbformat.v4.new_code_cell("", metadata={"nbgrader": {"grade": True, "grade_id": grade_id},
                                                     executor.VERDICT_KEY: fact})
             for grade_id, fact in facts.items()]
    path = course / "autograded" / student / "01_backprop" / "01_backprop.ipynb"
    path.parent.mkdir(parents=True)
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)


def test_the_class_view_reads_the_facts_and_groups_the_unrecognised(tmp_path):
    """Message text plays no part: the counts come from the metadata only."""
    where = {"passed": False, "mistake": None, "where": "largest in the Theta2 weights"}
    _autograded(tmp_path, "ada", {"gradient": where, "cost_regularised": {"passed": False, "mistake":
                                                                         "cost-lambda-over-m", "where": None}})
    _autograded(tmp_path, "bob", {"gradient": where, "cost_regularised": {"passed": True}})
    found = gradebook.diagnoses(tmp_path)
    assert found == {("ada", "01_backprop"): {"gradient": "unrecognised (largest in the Theta2 weights)",
                                              "cost_regularised": "cost-lambda-over-m"},
                     ("bob", "01_backprop"): {"gradient": "unrecognised (largest in the Theta2 weights)"}}
    rows = report.mistake_stats(found)
    assert [(row.id, len(row.students)) for row in rows] == [
        ("unrecognised (largest in the Theta2 weights)", 2), ("cost-lambda-over-m", 1)]
    assert "candidate for the catalogue" in rows[0].title
    summary = gradebook.format_mistakes(found).splitlines()
    assert "2  unrecognised (largest in the Theta2 weights)" in summary[1]
