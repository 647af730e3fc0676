"""The training part judged on the training: a mistake in the cost or the gradient is charged to
their parts only, and a re-run of the student's training cell with the trusted functions, called
back in the grader, decides the training points."""
import numpy as np
import pytest
from scipy.optimize import fmin_cg

from backprop_lab.judging import answers, checks
from backprop_lab.reference import data, network
from backprop_lab.sandbox import kernel


def _cost(thetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10):
    return network.cost(thetas, X, y, lambda_, inputLayerSize, hiddenLayerSize, classLabels)


def _gradient(thetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10):
    return network.gradient(thetas, X, y, lambda_, inputLayerSize, hiddenLayerSize, classLabels)


def _cost_forgot_one_over_m(thetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10):
    return len(X) * _cost(thetas, X, y, lambda_, inputLayerSize, hiddenLayerSize, classLabels)


def _stopped_by_line_search():
    thetas = network.random_thetas()
    return thetas, 7.0, 40, 40, 2, [thetas] * 19


class TrainingCell:
    """Stands in for the grader's re-run: the notebook's training call with the functions given
    (each answers with an answers.Along, whose value is what the relay in the kernel returns)."""

    def __init__(self, lambda_=1, maxiter=60):
        self.lambda_, self.maxiter, self.runs = lambda_, maxiter, 0

    def __call__(self, trusted, known=()):
        self.runs += 1
        dataset = data.load_dataset()
        cost, gradient = (lambda *args, name=name: trusted[name](*args).value
                          for name in ("nnCostFunction", "nnGradientFunction"))
        return fmin_cg(cost, network.random_thetas(), fprime=gradient,
                       args=(dataset["XTrain"], dataset["yTrain"], self.lambda_), maxiter=self.maxiter,
                       full_output=1, retall=1, disp=0)


def test_a_cost_mistake_costs_no_training_points_when_the_training_code_is_right():
    """A forgotten 1/m in the cost stops the student's fmin_cg early; run again with the trusted
    functions, the same training code trains well: the part passes and says what to fix instead."""
    cell = TrainingCell()
    note = checks.check_training(_stopped_by_line_search(), _cost_forgot_one_over_m, _gradient, rerun=cell)
    assert cell.runs == 1
    assert "keeps its points" in note and "nnCostFunction differs from the trusted cost" in note


@pytest.mark.parametrize("cell, said", [(TrainingCell(lambda_=0), "lambda_ = 0"),
                                        (TrainingCell(maxiter=20), "train with maxiter=60")])
def test_wrong_training_code_is_charged_on_the_rerun(cell, said):
    """The cost is wrong and so is the training call (lambda 0, or 20 iterations): the re-run fails
    too, and the message says it was run with a correct cost and gradient."""
    with pytest.raises(AssertionError, match="run again by the grader with a correct nnCostFunction") as failure:
        checks.check_training(_stopped_by_line_search(), _cost_forgot_one_over_m, _gradient, rerun=cell)
    assert said in str(failure.value)


def test_right_functions_are_judged_on_their_own_run():
    """With the student's cost and gradient right, a failed training is the training code's: no re-run."""
    cell = TrainingCell()
    with pytest.raises(AssertionError, match="could not follow your gradient"):
        checks.check_training(_stopped_by_line_search(), _cost, _gradient, rerun=cell)
    assert cell.runs == 0


def test_a_training_cell_that_crashed_is_run_again():
    """A gradient of the wrong length makes fmin_cg raise, so trainedNeuralNetwork never exists;
    the re-run still judges the training code."""
    def short_gradient(*args):
        return _gradient(*args)[:-10]
    missing = checks.Unavailable("trainedNeuralNetwork", "NameError: name 'trainedNeuralNetwork' is not defined")
    note = checks.check_training(missing, _cost, short_gradient, rerun=TrainingCell())
    assert "nnGradientFunction differs from its gradient by its shape ((19875,) instead of (19885,))" in note
    with pytest.raises(AssertionError, match="trainedNeuralNetwork is not defined: the training cell failed"):
        checks.check_training(missing, _cost, short_gradient)


@pytest.fixture
def sandboxed(tmp_path):
    graded = kernel.GradingKernel(tmp_path, sandboxed=True, timeout=60)
    yield graded
    graded.shutdown()


def test_a_rerun_calls_the_grader_and_gives_the_notebook_back(sandboxed):
    """Does the re-run call the trusted function here, send a big argument once and name it by a
    handle afterwards, restore the student's names, and leave nothing that reaches the grader?"""
    sandboxed.run_cell("import numpy as np\nX = np.ones((1000, 200))\ndef f(x, X):\n    return 0.0\nresult = 'mine'")
    seen = []

    def trusted_f(x, X):
        seen.append(X)
        return float(np.sum(x) + np.sum(X))

    got = sandboxed.rerun("result = [f(np.full(3, k), X) for k in range(4)]\nkept = f", {"f": trusted_f}, "result")
    assert got == [200000.0 + 3 * k for k in range(4)]
    assert all(array is seen[0] for array in seen)  # sent once, then by handle
    after = sandboxed.run_cell("print(f(np.ones(3), X), result)\ntry:\n    kept(np.ones(3), X)\n"
                               "except Exception as error:\n    print(type(error).__name__)")
    text = "".join(output.get("text", "") for output in after.outputs)
    assert text.startswith("0.0 mine\n") and "StdinNotImplementedError" in text


def test_a_rerun_that_does_not_bind_the_result_says_why(sandboxed):
    sandboxed.run_cell("def f(x):\n    return 1.0")
    with pytest.raises(kernel.StudentError, match="ZeroDivisionError"):
        sandboxed.rerun("1 / 0\nresult = f(2)", {"f": lambda x: 2.0}, "result")


def test_the_training_set_crosses_once_and_comes_back_only_when_changed(sandboxed):
    """A large argument is stored in the kernel once; each call gets a fresh copy of it, and a
    function that writes into it is still seen to (modifies-input)."""
    sandboxed.run_cell("def total(X):\n    return float(X.sum())\n"
                       "def scribble(X):\n    X[0, 0] = 5.0\n    return 0.0")
    X = np.ones((1000, 200))
    total, scribble = sandboxed.resolve("total"), sandboxed.resolve("scribble")
    assert total(X) == total(X) == 200000.0 and len(sandboxed._stored) == 1
    scribble(X)
    assert X[0, 0] == 5.0
    assert total(np.ones((1000, 200))) == 200000.0 and len(sandboxed._stored) == 1


def test_a_probe_the_notebook_removed_is_defined_again(sandboxed):
    """The probe stays defined between requests (a short cell each); a notebook that deletes it
    still gets asked."""
    sandboxed.run_cell("def f(x):\n    return x + 1")
    f = sandboxed.resolve("f")
    assert f(1) == 2
    sandboxed.run_cell("del _backprop_lab_probe")
    assert f(2) == 3


def test_an_answer_sent_along_saves_a_round_trip(sandboxed):
    """An optimiser asks for the cost and then the gradient at the same point: the grader answers
    both at once, and the relay asks again only for another point."""
    sandboxed.run_cell("import numpy as np\nX = np.ones((1000, 200))\ndef cost(t, X):\n    return 0.0\n"
                       "def grad(t, X):\n    return t")
    asked = []

    def trusted_cost(t, X):
        asked.append("cost")
        return answers.Along(float(t.sum()), {"grad": 2 * t})

    def trusted_grad(t, X):
        asked.append("grad")
        return 3 * t
    got = sandboxed.rerun("t = np.ones(3)\nresult = [cost(t, X), grad(t, X), grad(t + 1, X)]",
                          {"cost": trusted_cost, "grad": trusted_grad}, "result")
    assert asked == ["cost", "grad"]
    assert got[0] == 3.0 and list(got[1]) == [2.0] * 3 and list(got[2]) == [6.0] * 3


def test_a_rerun_names_the_training_set_the_grader_holds_instead_of_sending_it(sandboxed):
    """The grader holds the training set: the relay names it by digest (the trusted function gets
    the grader's own copy), but an array with other numbers still travels whole."""
    sandboxed.run_cell("import numpy as np\ndef total(t, X):\n    return float(X.sum())\n"
                       "X = np.full((1000, 200), 2.0)\nY = X.copy()\nY[0, 0] = 3.0")
    held = np.full((1000, 200), 2.0)
    prompts = []
    answer = kernel.GradingKernel.execute

    def spying(self, code, timeout=None, on_message=None, store_history=True, on_input=None):
        def counted(prompt):
            prompts.append(len(prompt))
            return on_input(prompt)
        return answer(self, code, timeout, on_message, store_history, counted if on_input else None)

    seen = []
    kernel.GradingKernel.execute = spying
    try:
        got = sandboxed.rerun("result = [total(1.0, X), total(2.0, X), total(3.0, Y)]",
                              {"total": lambda t, X: seen.append(X) or float(X.sum())}, "result", known=[held])
    finally:
        kernel.GradingKernel.execute = answer
    assert got == [400000.0, 400000.0, 400001.0]
    assert seen[0] is seen[1] and seen[0] is not held and np.array_equal(seen[0], held)
    assert prompts[0] < 1000 < 1_000_000 < prompts[2]  # named by digest; Y's 1.6 MB sent whole


def test_a_stale_reply_is_not_taken_for_a_cells_reply(sandboxed):
    """A reply left unread on the shell channel (start-up can send kernel_info twice) must not be
    taken for the next cell's: the failing cell is still seen to fail, and the next one to pass."""
    sandboxed.kc.kernel_info()  # its reply is never read
    failed = sandboxed.run_cell("1 / 0")
    passed = sandboxed.run_cell("x = 1")
    assert failed.error == "ZeroDivisionError" and passed.error is None
