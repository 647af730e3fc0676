"""Generated mutants of the reference answers, graded in-process by the checks the grader uses.

Do the hidden checks catch every wrong answer, and is every mistake they name really that mistake?
An AST mutator makes small changes to the answers of the graded parts (the cost, sigma', the
gradient, the regularised gradient, the weight plot and the convolution), each in its own mutant:
swapped operands, another operator, a dropped term or factor, changed constants, off-by-one and
dropped slice bounds, swapped indices and arguments, a wrong axis, an added or dropped transpose,
column (order='F') ravels and reshapes, a dropped call or statement, a dropped copy, and names
confused with those of the other layer. Calls that only dress a figure (titles, axes) and keyword
values such as figsize are left alone. The seeds are the instructor's answers (notebooks/) and
CLASSIC, the same answers written the way most students write them (columns of ones, a penalty on a
copy with its bias column zeroed). Every mutant runs in a forked process of its own, two at a time,
killed after its timeout (a mutant that loops forever cannot hang the run), through the checks of
every part that calls the mutated function (a sigma' mutant also through both gradient checks).

For each mutant:
- **changed**: its outputs on the checks' own inputs (recorded by running the checks on the
  reference) differ from its seed's: the values by more than a relative 1e-9, or it raises where
  the seed does not, or it changes an argument. The weight plot's output is its images as
  imshow shows them (each scaled to its own range), in order. The others are equivalent.
- **lost points**: a check of one of its parts failed. A mutant stopped at its timeout, or whose
  process died, counts as changed and lost (the grader's kernel would time out on it too).
- **named**: a failing check named a catalogued mistake ("Likely mistake (ID)").
- **named wrongly**: the named mistake does not explain its outputs. A mistake's predictions are
  what its implementations return on the same inputs: its sample in samples/, and every mutant made
  by a catalogue operator that declares that mistake (FORMS: an edit of an answer that *is* the
  mistake, for mistakes with several forms, such as regularising only Theta1 or only Theta2). A
  name is right when, on every input of the part that named it, the mutant's outputs equal one
  prediction (relative 1e-6; raising counts as the same outcome as raising); modifies-input, a fact
  the check observes, is right when the mutant changed an argument. The judge never asks
  diagnosis.py, whose recognisers it judges.

Correct rewrites must keep full marks: the correct samples, CLASSIC, and generated rewrites that
keep the meaning (commuted sums and products, method calls, x * x for x ** 2, transposed products,
concatenate for append, the sigmoid written out, float32 inputs).

`python -m backprop_lab mutants` prints the figures and writes them into the README between its
markers; tests/test_mutants.py holds the course to them.
"""
import ast
import copy
import multiprocessing
import multiprocessing.connection
import re
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np

from backprop_lab import checks, data, mistakes, paths, submissions

EQUIVALENT = 1e-9   # relative difference under which two outputs are the same (rounding)
PREDICTED = 1e-6    # relative difference under which an output is a mistake's prediction
TIMEOUT = 30.0      # seconds a mutant may take, its checks included
README_MARKERS = ("<!-- mutants:start -->", "<!-- mutants:end -->")


@dataclass(frozen=True)
class Part:
    """An answer cell and the graded parts whose checks call what it defines."""
    cell: str
    label: str
    graded: tuple


PARTS = (
    Part("nnCostFunction", "cost", ("cost_unregularised", "cost_regularised")),
    Part("mySigmoidGradient", "σ′", ("sigmoid_gradient", "gradient", "gradient_regularised")),
    Part("nnGradientFunction", "gradient", ("gradient",)),
    Part("nnGradientFunctionRegularised", "regularised gradient", ("gradient_regularised",)),
    Part("plotHiddenWeights", "weight plot", ("hidden_weights_plot",)),
    Part("convolve2d", "convolution", ("convolution",)),
)
BY_CELL = {part.cell: part for part in PARTS}

# graded part -> (the namespace name of the function its check calls, the check)
CHECKS = {
    "cost_unregularised": ("nnCostFunction", lambda f: checks.check_cost(f, regularised=False)),
    "cost_regularised": ("nnCostFunction", lambda f: checks.check_cost(f, regularised=True)),
    "sigmoid_gradient": ("mySigmoidGradient", checks.check_sigmoid_gradient),
    "gradient": ("unregularisedGradient", lambda f: checks.check_gradient(f, regularised=False)),
    "gradient_regularised": ("nnGradientFunction", lambda f: checks.check_gradient(f, regularised=True)),
    "hidden_weights_plot": ("plotHiddenWeights", checks.check_hidden_weights_plot),
    "convolution": ("convolve2d", checks.check_convolution),
}

# The answers as students commonly write them: a second seed, and a correct rewrite.
CLASSIC = {
    "nnCostFunction": '''
def nnCostFunction(nnThetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10,
                   smallValueToRemoveInfinity=1e-12):
    m = X.shape[0]
    split = hiddenLayerSize * (inputLayerSize + 1)
    thetaOne = nnThetas[:split].reshape(hiddenLayerSize, inputLayerSize + 1)
    thetaTwo = nnThetas[split:].reshape(classLabels, hiddenLayerSize + 1)
    a1 = np.c_[np.ones((m, 1)), X]
    a2 = np.c_[np.ones((m, 1)), mySigmoid(a1 @ thetaOne.T)]
    a3 = mySigmoid(a2 @ thetaTwo.T)
    J = np.sum(-y * np.log(a3 + smallValueToRemoveInfinity)
               - (1 - y) * np.log(1 - a3 + smallValueToRemoveInfinity)) / m
    J += lambda_ / (2 * m) * (np.sum(thetaOne[:, 1:] ** 2) + np.sum(thetaTwo[:, 1:] ** 2))
    return J
''',
    "mySigmoidGradient": '''
def mySigmoidGradient(z):
    return np.exp(-z) / (1 + np.exp(-z)) ** 2
''',
    "nnGradientFunction": '''
def nnGradientFunction(nnThetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10,
                       smallValueToRemoveInfinity=1e-12):
    m = X.shape[0]
    split = hiddenLayerSize * (inputLayerSize + 1)
    thetaOne = nnThetas[:split].reshape(hiddenLayerSize, inputLayerSize + 1)
    thetaTwo = nnThetas[split:].reshape(classLabels, hiddenLayerSize + 1)
    a1 = np.c_[np.ones((m, 1)), X]
    z2 = a1 @ thetaOne.T
    a2 = np.c_[np.ones((m, 1)), mySigmoid(z2)]
    a3 = mySigmoid(a2 @ thetaTwo.T)
    delta3 = a3 - y
    delta2 = (delta3 @ thetaTwo)[:, 1:] * mySigmoidGradient(z2)
    gradOne = delta2.T @ a1 / m
    gradTwo = delta3.T @ a2 / m
    return np.concatenate([gradOne.ravel(), gradTwo.ravel()])
''',
    "plotHiddenWeights": '''
def plotHiddenWeights(thetaOne):
    units = len(thetaOne)
    side = int(np.ceil(np.sqrt(units)))
    fig, axes = plt.subplots(side, side)
    for unit in range(units):
        ax = axes[unit // side, unit % side]
        ax.imshow(thetaOne[unit, 1:].reshape(28, 28), cmap="gray")
        ax.axis("off")
    return fig
''',
    "convolve2d": '''
def convolve2d(image, kernel):
    rows, cols = image.shape
    padded = np.zeros((rows + 2, cols + 2))
    padded[1:-1, 1:-1] = image
    output = np.zeros((rows, cols))
    for row in range(rows):
        for col in range(cols):
            output[row, col] = np.sum(padded[row:row + 3, col:col + 3] * kernel)
    return output
''',
}

# The regularised gradient, classic: the penalty on a copy of each matrix with its bias column zeroed.
CLASSIC["nnGradientFunctionRegularised"] = CLASSIC["nnGradientFunction"].replace("""
    gradOne = delta2.T @ a1 / m
    gradTwo = delta3.T @ a2 / m
""", """
    regOne = thetaOne.copy()
    regOne[:, 0] = 0
    regTwo = thetaTwo.copy()
    regTwo[:, 0] = 0
    gradOne = delta2.T @ a1 / m + lambda_ / m * regOne
    gradTwo = delta3.T @ a2 / m + lambda_ / m * regTwo
""")

# Catalogue operators: edits of a reference answer that make exactly one catalogued mistake, in one
# of its forms; their mutants declare it (see the module docstring). (id, cell, [(old, new), ...])
COST, SIGMA, GRAD, REG, PLOT, CONV = (part.cell for part in PARTS)
_J_OVER_M = ("smallValueToRemoveInfinity)) / m", "smallValueToRemoveInfinity))")
_PENALTIES = [f" + lambda_ / m * theta{n}Matrix[:, 1:]" for n in ("One", "Two")]
_DATA = ["np.c_[deltaHL.sum(axis=0), deltaHL.T @ X", "np.c_[deltaOL.sum(axis=0), deltaOL.T @ activationsHL"]
_RAVELS = "np.append(np.ravel(gradThetaOne), np.ravel(gradThetaTwo))"
FORMS = [
    ("cost-forgot-one-over-m", COST, [_J_OVER_M]),
    ("cost-regularised-biases", COST, [("Matrix[:, 1:] ** 2", "Matrix ** 2")]),
    ("cost-lambda-over-m", COST, [("lambda_ / (2 * m)", "lambda_ / m")]),
    ("cost-only-y-log-a", COST, [("+ (1 - y) * np.log(1 - activationsOL + smallValueToRemoveInfinity)", "")]),
    ("cost-mean-over-every-entry", COST, [("-np.sum(y", "-np.mean(y"), _J_OVER_M]),
    ("cost-no-regularisation", COST, [("float(J + lambda_ / (2 * m) * penalty)", "float(J)")]),
    ("cost-penalty-not-squared", COST, [("Matrix[:, 1:] ** 2", "Matrix[:, 1:]")]),
    ("cost-penalty-not-squared", COST, [(f"(theta{n}Matrix[:, 1:] ** 2)", f"(np.abs(theta{n}Matrix[:, 1:]))")
                                        for n in ("One", "Two")]),
    ("regularisation-skips-first-row", COST, [("Matrix[:, 1:] ** 2", "Matrix[1:, :] ** 2")]),
    ("cost-regularises-one-matrix", COST, [(" + np.sum(thetaTwoMatrix[:, 1:] ** 2)", "")]),
    ("cost-regularises-one-matrix", COST, [("np.sum(thetaOneMatrix[:, 1:] ** 2) + ", "")]),
    ("sigmoid-gradient-classic-typo", SIGMA, [("(1 - sigmoidOfZ)", "mySigmoid(1 - z)")]),
    ("sigmoid-gradient-without-sigmoid", SIGMA, [("mySigmoid(z)", "z")]),
    ("sigmoid-gradient-one-factor", SIGMA, [("sigmoidOfZ * (1 - sigmoidOfZ)", "1 - sigmoidOfZ")]),
    ("sigmoid-gradient-one-factor", SIGMA, [("sigmoidOfZ * (1 - sigmoidOfZ)", "sigmoidOfZ")]),
]
for _cell in (GRAD, REG):
    FORMS += [
        ("gradient-forgot-one-over-m", _cell, [("(activationsOL - y) / m", "(activationsOL - y)")]),
        ("gradient-mse-output-delta", _cell, [("(activationsOL - y) / m",
                                               "(activationsOL - y) * activationsOL * (1 - activationsOL) / m")]),
        ("gradient-sigmoid-gradient-of-activation", _cell, [("Gradient(weightedSumHL)", "Gradient(activationsHL)")]),
        ("gradient-theta2-wrong-columns", _cell, [("deltaOL @ thetaTwoMatrix[:, 1:]",
                                                   "deltaOL @ thetaTwoMatrix[:, :-1]")]),
        ("gradient-wrong-sign", _cell, [("(activationsOL - y)", "(y - activationsOL)")]),
        ("gradient-ravel-order", _cell, [("np.ravel(gradThetaOne), np.ravel(gradThetaTwo)",
                                          "np.ravel(gradThetaOne, order='F'), np.ravel(gradThetaTwo, order='F')")]),
        ("gradient-ravel-order", _cell, [(_RAVELS, "np.append(np.ravel(gradThetaTwo), np.ravel(gradThetaOne))")]),
        ("gradient-hidden-delta-without-slope", _cell, [(" * mySigmoidGradient(weightedSumHL)", "")]),
        ("gradient-divided-by-m-twice", _cell, [(_RAVELS, _RAVELS + " / m")]),
    ]
FORMS += [
    ("gradient-hidden-delta-bias-kept", GRAD, [(
        "(deltaOL @ thetaTwoMatrix[:, 1:]) * mySigmoidGradient(weightedSumHL)",
        "(deltaOL @ thetaTwoMatrix) * mySigmoidGradient(np.c_[np.ones(len(X)), weightedSumHL])")]),
    ("gradient-regularised-biases", REG, [(data + penalty + "]", data + "]" + penalty.replace("[:, 1:]", ""))
                                          for data, penalty in zip(_DATA, _PENALTIES)]),
    ("regularisation-skips-first-row", REG, [
        (_PENALTIES[0] + "]", "]\n    gradThetaOne[1:, :] += lambda_ / m * thetaOneMatrix[1:, :]"),
        (_PENALTIES[1] + "]", "]\n    gradThetaTwo[1:, :] += lambda_ / m * thetaTwoMatrix[1:, :]")]),
    ("gradient-lambda-over-2m", REG, [("lambda_ / m", "lambda_ / (2 * m)")]),
    ("gradient-regularises-one-matrix", REG, [(_PENALTIES[0], "")]),
    ("gradient-regularises-one-matrix", REG, [(_PENALTIES[1], "")]),
    ("gradient-penalty-squared", REG, [("Matrix[:, 1:]]", "Matrix[:, 1:] ** 2]")]),
    ("gradient-penalty-over-m-squared", REG, [("lambda_ / m", "lambda_ / m ** 2")]),
    ("gradient-penalty-over-m-squared", REG, [(penalty, penalty + " / m") for penalty in _PENALTIES]),
    ("convolution-flipped-kernel", CONV, [("window * kernel", "window * kernel[::-1, ::-1]")]),
    ("convolution-off-by-one", CONV, [(f"range(output.shape[{axis}])", f"range(1, output.shape[{axis}] - 1)")
                                      for axis in (0, 1)]),
    ("convolution-rows-columns-swapped", CONV, [("output[row, col]", "output[col, row]")]),
    ("convolution-rows-columns-swapped", CONV, [("[row:row + kernel.shape[0], col:col + kernel.shape[1]]",
                                                 "[col:col + kernel.shape[1], row:row + kernel.shape[0]]")]),
    ("convolution-padded-with-ones", CONV, [("padding)\n", "padding, constant_values=1)\n")]),
    ("convolution-matrix-product", CONV, [("np.sum(window * kernel)", "np.sum(window @ kernel)")]),
    ("convolution-matrix-product", CONV, [("np.sum(window * kernel)", "np.sum(np.dot(window, kernel))")]),
    ("convolution-absolute-value", CONV, [("np.sum(window * kernel)", "np.sum(np.abs(window * kernel))")]),
    ("convolution-absolute-value", CONV, [("np.sum(window * kernel)", "abs(np.sum(window * kernel))")]),
] + [("convolution-edge-padding", CONV, [("padding)\n", f"padding, mode={mode!r})\n")])
     for mode in ("edge", "reflect", "symmetric")] + [
    ("plot-bias-included", PLOT, [("thetaOne[:, 1:]", "thetaOne[:, :-1]")]),
    ("plot-transposed", PLOT, [(".reshape(28, 28)", ".reshape(28, 28).T")]),
    ("plot-transposed", PLOT, [(".reshape(28, 28)", ".reshape(28, 28, order='F')")]),
    ("plot-units-out-of-order", PLOT, [("np.ravel(axes)", "np.ravel(axes, order='F')")]),
    ("plot-units-out-of-order", PLOT, [("weightsOnly[unit]", "weightsOnly[-1 - unit]")]),
    ("plot-units-missing", PLOT, [("int(np.ceil(np.sqrt(", "int((np.sqrt(")]),
    ("plot-units-missing", PLOT, [("unit < len(weightsOnly)", "unit < len(weightsOnly) - 1")]),
]


def reference_answers(notebooks_dir=paths.NOTEBOOKS):
    """grade_id -> the instructor's answer (solution markers removed), read from notebooks/*.py."""
    import jupytext
    answers = {}
    for path in sorted(Path(notebooks_dir).glob("*.py")):
        for cell in jupytext.read(path, fmt="py:percent").cells:
            if cell.metadata.get("nbgrader") == "solution":
                answers[cell.metadata["grade_id"]] = submissions.SOLUTION_MARKERS.sub("", cell.source)
    return answers


def namespace(cells, answers, dataset=None):
    """The functions as a notebook defines them: `cells` (grade_id -> source), the answers for the
    rest, in notebook order; the unregularised gradient stays as unregularisedGradient."""
    import matplotlib.pyplot as plt
    from scipy.special import expit
    defined = {"np": np, "plt": plt, "mySigmoid": expit}
    if dataset is not None:
        defined.update(XTrain=dataset["XTrain"], yTrain=dataset["yTrain"])
    for part in sorted(PARTS, key=lambda p: NOTEBOOK_ORDER.index(p.cell)):
        try:
            exec(cells.get(part.cell, answers[part.cell]), defined)
        except Exception:  # as in a notebook whose cell fails: the function stays undefined
            pass
        if part.cell == "nnGradientFunction":
            defined["unregularisedGradient"] = defined.get("nnGradientFunction")
    return defined


NOTEBOOK_ORDER = ["mySigmoidGradient", "nnCostFunction", "nnGradientFunction", "nnGradientFunctionRegularised",
                  "plotHiddenWeights", "convolve2d"]


def failure(graded, defined):
    """What the check of a graded part says about the namespace's function, or None when it passes."""
    name, check = CHECKS[graded]
    try:
        if defined.get(name) is None:
            raise AssertionError(f"{name} is not defined")
        check(defined[name])
    except AssertionError as failed:
        return failed.args[0] if failed.args and isinstance(failed.args[0], str) else str(failed)
    return None


def named_mistake(message):
    """The catalogued mistake a check's message names (the id it carries, else the one it shows), or None."""
    if getattr(message, "mistake", None):
        return message.mistake
    found = re.search(r"Likely mistake \(([a-z0-9-]+)\)", message or "")
    return found.group(1) if found and found.group(1) in mistakes.BY_ID else None


# What the checks can observe of one call.

class Outcome(NamedTuple):
    kind: str                 # "value", "raised", or "odd" (not numbers)
    arrays: tuple = ()
    modified: bool = False    # the function changed an argument


def _as_shown(image):
    """An image scaled to [0, 1] as imshow shows it by default (its own min and max)."""
    image = np.asarray(image, dtype=float)
    low, high = np.nanmin(image, initial=np.inf), np.nanmax(image, initial=-np.inf)
    return (image - low) / (high - low) if high > low else np.zeros_like(image)


def _outcome(graded, result, modified):
    try:
        if graded == "hidden_weights_plot":
            import matplotlib.pyplot as plt
            arrays = tuple(_as_shown(image) for image in checks._figure_images(result, "plotHiddenWeights"))
            plt.close("all")
        else:
            arrays = (np.array(result, dtype=float),)
    except (AssertionError, TypeError, ValueError):
        return Outcome("odd", modified=modified)
    return Outcome("value", arrays, modified)


def _close(got, expected, tolerance):
    if got.shape != expected.shape:
        return False
    finite = np.isfinite(expected)
    if not np.array_equal(finite, np.isfinite(got)) or not np.array_equal(got[~finite], expected[~finite],
                                                                          equal_nan=True):
        return False
    difference = np.linalg.norm(got[finite] - expected[finite])
    return difference <= tolerance * np.linalg.norm(expected[finite]) or difference == 0


def same(got, expected, tolerance, modified_counts=True):
    """Are two lists of outcomes (one per input) the same within a relative tolerance?"""
    def one(a, b):
        if a.kind != b.kind or (modified_counts and a.modified != b.modified):
            return False
        return a.kind != "value" or (len(a.arrays) == len(b.arrays) and all(
            _close(x, y, tolerance) for x, y in zip(a.arrays, b.arrays)))
    return len(got) == len(expected) and all(one(a, b) for a, b in zip(got, expected))


class _Observed:
    """A function under a check, keeping each call's inputs and what came out."""

    def __init__(self, function, graded):
        self.function, self.graded, self.calls = function, graded, []

    def __call__(self, *args, **kwargs):
        before = [np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in args]
        try:
            result = self.function(*args, **kwargs)
        except Exception:
            self.calls.append((before, kwargs, Outcome("raised")))
            raise
        modified = any(isinstance(a, np.ndarray) and not np.array_equal(a, b, equal_nan=True)
                       for a, b in zip(args, before))
        self.calls.append((before, kwargs, _outcome(self.graded, result, modified)))
        return result


def _same_call(call, inputs):
    (args, kwargs, _), (recorded_args, recorded_kwargs) = call, inputs
    return kwargs == recorded_kwargs and len(args) == len(recorded_args) and all(
        np.array_equal(a, b) for a, b in zip(args, recorded_args))


def record_inputs(answers):
    """graded part -> the inputs its check gives a right answer, [(args, kwargs)], in call order."""
    defined = namespace({}, answers)
    inputs = {}
    for graded, (name, check) in CHECKS.items():
        observed = _Observed(defined[name], graded)
        check(observed)
        inputs[graded] = [(args, kwargs) for args, kwargs, _ in observed.calls]
    return inputs


def grade(cells, graded_parts, answers, inputs, dataset=None):
    """Run the checks of graded_parts on a namespace with `cells`. -> (outcomes, failures)

    outcomes: graded part -> [Outcome] on each of its recorded inputs; failures: part -> message or None."""
    defined = namespace(cells, answers, dataset)
    outcomes, failures = {}, {}
    for graded in graded_parts:
        name, check = CHECKS[graded]
        function = defined.get(name)
        observed = _Observed(function, graded) if function is not None else None
        failures[graded] = failure(graded, {**defined, name: observed})
        seen = observed.calls if observed else []
        matched = 0
        while matched < min(len(seen), len(inputs[graded])) and _same_call(seen[matched], inputs[graded][matched]):
            matched += 1
        outcomes[graded] = [call[2] for call in seen[:matched]] + [
            _call_once(function, graded, args, kwargs) for args, kwargs in inputs[graded][matched:]]
    return outcomes, failures


def _call_once(function, graded, args, kwargs):
    if function is None:
        return Outcome("raised")
    observed = _Observed(function, graded)
    try:
        with checks._quiet():
            observed(*[np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in args], **kwargs)
    except Exception:
        pass
    return observed.calls[0][2]


# The mutator.

@dataclass
class Mutant:
    cell: str
    seed: str                  # "reference" or "classic"
    operator: str
    where: str                 # the change, for a person
    source: str
    declares: set = field(default_factory=set)   # catalogued mistakes this mutant is a form of


PRESENTATION_CALLS = {"set_title", "set_axis_off", "axis", "tight_layout", "suptitle", "set_xticks", "set_yticks"}
MUTABLE_KEYWORDS = {"axis", "order", "mode", "constant_values"}
CONFUSABLE = [("One", "Two"), ("HL", "OL"), ("row", "col"), ("weightedSum", "activations"), ("z2", "a2"),
              ("a1", "a2"), ("delta2", "delta3"), ("rows", "cols")]
SWAPPABLE = (ast.Sub, ast.Div, ast.MatMult, ast.Pow, ast.FloorDiv, ast.Mod)
OTHER_OPERATOR = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult, ast.MatMult: ast.Mult,
                  ast.Pow: ast.Mult, ast.FloorDiv: ast.Div, ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE,
                  ast.GtE: ast.Gt}
SWAPPED_CALLS = {"sum": "mean", "mean": "sum", "ceil": "floor", "mySigmoidGradient": "mySigmoid"}
DROPPABLE_METHODS = {"copy", "sum", "mean", "ravel", "flatten"}
# Calls never dropped: no one forgets them, and a grid of n x n plots for n units takes seconds to draw.
KEPT_CALLS = {"range", "enumerate", "len", "zeros", "sqrt"}


def _slots(module):
    """Every (parent, field, index) inside the module's function bodies, in a fixed pre-order."""
    found = []

    def visit(node):
        for name, value in ast.iter_fields(node):
            items = value if isinstance(value, list) else [value]
            for index, item in enumerate(items):
                if not isinstance(item, ast.AST) or isinstance(item, (ast.expr_context, ast.JoinedStr)):
                    continue
                if _presentation(item) or (isinstance(item, ast.keyword) and item.arg not in MUTABLE_KEYWORDS):
                    continue  # what only dresses the figure, and keywords such as figsize or dtype
                found.append((node, name, index if isinstance(value, list) else None))
                visit(item)

    for function in [node for node in module.body if isinstance(node, ast.FunctionDef)]:
        for index, statement in enumerate(function.body):
            if index == 0 and isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
                continue  # the docstring
            found.append((function, "body", index))
            visit(statement)
    return found


def _presentation(node):
    """A call (or statement of one) that only dresses the figure: never mutated."""
    call = node.value if isinstance(node, ast.Expr) else node
    return isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr in PRESENTATION_CALLS


def _get(slot):
    parent, name, index = slot
    value = getattr(parent, name)
    return value[index] if index is not None else value


def _set(slot, node):
    parent, name, index = slot
    if index is None:
        setattr(parent, name, node)
    else:
        getattr(parent, name)[index] = node


def _call_name(node):
    if isinstance(node, ast.Call):
        return node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
    return None


def _variants(node, slot, names):
    """(operator, replacement) for one node: the generic mutation operators."""
    parent = slot[0]
    c = copy.deepcopy
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, SWAPPABLE):
            yield "swap operands", ast.BinOp(c(node.right), node.op, c(node.left))
        if type(node.op) in OTHER_OPERATOR:
            yield "operator", ast.BinOp(c(node.left), OTHER_OPERATOR[type(node.op)](), c(node.right))
        if isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.MatMult)):
            yield "drop term", c(node.left)
        if isinstance(node.op, (ast.Add, ast.Mult)):
            yield "drop term", c(node.right)
        if isinstance(node.op, ast.Sub):
            yield "drop term", ast.UnaryOp(ast.USub(), c(node.right))
        if isinstance(node.op, ast.MatMult):
            yield "transpose", ast.BinOp(ast.Attribute(c(node.left), "T", ast.Load()), node.op, c(node.right))
            yield "transpose", ast.BinOp(c(node.left), node.op, ast.Attribute(c(node.right), "T", ast.Load()))
    elif isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in OTHER_OPERATOR:
        yield "operator", ast.Compare(c(node.left), [OTHER_OPERATOR[type(node.ops[0])]()], c(node.comparators))
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        yield "sign", c(node.operand)
    elif isinstance(node, ast.Constant) and type(node.value) in (int, float):
        value = node.value
        news = {value + 1, value - 1, 0} if isinstance(value, int) else {2 * value, value / 2, 0.0}
        for new in sorted(news - {value}):
            yield "constant", ast.Constant(new)
    elif isinstance(node, ast.Slice):
        for bound in ("lower", "upper"):
            value = getattr(node, bound)
            if value is not None:
                yield "slice bound", _with(node, **{bound: None})
                if not isinstance(value, ast.Constant):
                    for op in (ast.Add(), ast.Sub()):
                        yield "slice bound", _with(node, **{bound: ast.BinOp(c(value), op, ast.Constant(1))})
        if isinstance(node.lower, ast.Constant) and node.lower.value == 1 and node.upper is None:
            yield "slice bound", ast.Slice(None, ast.Constant(-1), None)
    elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
        if not (isinstance(node.value, ast.Attribute) and node.value.attr in ("c_", "r_")):  # np.c_ alone never ends
            yield "drop subscript", c(node.value)
    elif isinstance(node, ast.Tuple) and len(node.elts) == 2 and isinstance(node.ctx, ast.Load):
        yield "swap indices", ast.Tuple([c(node.elts[1]), c(node.elts[0])], ast.Load())
    elif isinstance(node, ast.keyword) and node.arg == "axis" and isinstance(node.value, ast.Constant):
        yield "axis", ast.keyword("axis", ast.Constant(1 - node.value.value))
    elif isinstance(node, ast.Attribute) and node.attr == "T":
        yield "transpose", c(node.value)
    elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
        for one, other in CONFUSABLE:
            for a, b in ((one, other), (other, one)):
                if a in node.id and node.id.replace(a, b) in names:
                    yield "confused name", ast.Name(node.id.replace(a, b), ast.Load())
    elif isinstance(node, ast.Call):
        yield from _call_variants(node)
    elif isinstance(node, ast.stmt) and isinstance(parent, (ast.FunctionDef, ast.For, ast.If)):
        if isinstance(node, ast.AugAssign) or isinstance(node, ast.Expr) or (
                isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Subscript)):
            yield "drop statement", ast.Pass()
    if isinstance(node, ast.If):
        yield "drop condition", ast.If(ast.Constant(True), c(node.body), c(node.orelse))


def _call_variants(node):
    c = copy.deepcopy
    name = _call_name(node)
    if name in ("ravel", "reshape", "flatten") and not any(k.arg == "order" for k in node.keywords):
        yield "column order", _with(node, keywords=c(node.keywords) + [ast.keyword("order", ast.Constant("F"))])
    if name in SWAPPED_CALLS:
        func = c(node.func)
        setattr(func, "attr" if isinstance(func, ast.Attribute) else "id", SWAPPED_CALLS[name])
        yield "other function", _with(node, func=func)
    if node.args and not node.keywords and name not in KEPT_CALLS:
        yield "drop call", c(node.args[0])
    if isinstance(node.func, ast.Attribute) and name in DROPPABLE_METHODS and not node.args:
        yield "drop call", c(node.func.value)
    if len(node.args) == 2 and name not in ("subplots", "range"):
        yield "swap arguments", _with(node, args=[c(node.args[1]), c(node.args[0])])


def _with(node, **fields):
    new = copy.deepcopy(node)
    for name, value in fields.items():
        setattr(new, name, value)
    return new


def _defined_names(module):
    names = set()
    for node in ast.walk(module):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return names


def _short(text, limit=70):
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def mutate(cell, source, seed):
    """Every generic mutant of one answer, deduplicated, none equal to it. -> [Mutant]"""
    module = ast.parse(source)
    original = ast.unparse(module)
    names = _defined_names(module)
    found = {}
    for position, slot in enumerate(_slots(module)):
        node = _get(slot)
        for operator, replacement in list(_variants(node, slot, names)):
            mutated = copy.deepcopy(module)
            target = _slots(mutated)[position]
            _set(target, ast.fix_missing_locations(replacement))
            try:
                text = ast.unparse(ast.fix_missing_locations(mutated))
                compile(text, cell, "exec")
            except (SyntaxError, ValueError, TypeError):
                continue
            if text != original and text not in found:
                line = getattr(node, "lineno", getattr(slot[0], "lineno", 0))
                where = f"line {line}: {_short(ast.unparse(node))} -> {_short(ast.unparse(replacement))}"
                found[text] = Mutant(cell, seed, operator, where, text)
    return list(found.values())


def catalogue_mutants(answers):
    """The FORMS, applied to the reference answers: mutants that declare their mistake."""
    made = []
    for mistake_id, cell, edits in FORMS:
        source = answers[cell]
        for old, new in edits:
            if old not in source:
                raise ValueError(f"FORMS: {mistake_id}: {old!r} is not in the answer {cell}; update the form")
            source = source.replace(old, new)
        made.append(Mutant(cell, "reference", f"catalogue: {mistake_id}", f"{mistake_id}: {edits[0][0].strip()} -> "
                           f"{edits[0][1].strip()}", ast.unparse(ast.parse(source)), {mistake_id}))
    return made


def all_mutants(answers):
    """Generic mutants of the reference and CLASSIC answers, and the catalogue's forms, merged where
    two are the same code (a generic mutant that is a catalogued form declares it too)."""
    merged = {}
    for mutant in [m for part in PARTS for seed, cells in (("reference", answers), ("classic", CLASSIC))
                   for m in mutate(part.cell, cells[part.cell], seed)] + catalogue_mutants(answers):
        key = (mutant.cell, mutant.source)
        if key in merged:
            merged[key].declares |= mutant.declares
        else:
            merged[key] = mutant
    return list(merged.values())


# Rewrites that keep the meaning.

class _Rewriter(ast.NodeTransformer):
    """One meaning-preserving rewrite, applied wherever it fits."""

    def __init__(self, kind):
        self.kind, self.applied = kind, 0

    def visit_BinOp(self, node):
        self.generic_visit(node)
        kind = self.kind
        if kind == "commute" and isinstance(node.op, (ast.Add, ast.Mult)):
            return self._done(ast.BinOp(node.right, node.op, node.left))
        if kind == "square" and isinstance(node.op, ast.Pow) and getattr(node.right, "value", None) == 2:
            return self._done(ast.BinOp(node.left, ast.Mult(), copy.deepcopy(node.left)))
        if kind == "reciprocal" and isinstance(node.op, ast.Div) and not isinstance(node.left, ast.Constant):
            return self._done(ast.BinOp(node.left, ast.Mult(), ast.BinOp(ast.Constant(1), ast.Div(), node.right)))
        if kind == "transposed product" and isinstance(node.op, ast.MatMult):
            product = ast.BinOp(ast.Attribute(node.right, "T", ast.Load()), ast.MatMult(),
                                ast.Attribute(node.left, "T", ast.Load()))
            return self._done(ast.Attribute(product, "T", ast.Load()))
        return node

    def visit_Call(self, node):
        self.generic_visit(node)
        name, kind = _call_name(node), self.kind
        if kind == "methods" and name == "sum" and isinstance(node.func, ast.Attribute) and _is_np(node.func.value) \
                and len(node.args) == 1:
            return self._done(ast.Call(ast.Attribute(node.args[0], "sum", ast.Load()), [], node.keywords))
        if kind == "methods" and name == "len" and len(node.args) == 1:
            return self._done(ast.Subscript(ast.Attribute(node.args[0], "shape", ast.Load()), ast.Constant(0),
                                            ast.Load()))
        if kind == "concatenate" and name == "append" and len(node.args) == 2:
            return self._done(ast.Call(ast.Attribute(ast.Name("np", ast.Load()), "concatenate", ast.Load()),
                                       [ast.List(node.args, ast.Load())], []))
        if kind == "sigmoid written out" and name == "mySigmoid":
            exp = ast.Call(ast.Attribute(ast.Name("np", ast.Load()), "exp", ast.Load()),
                           [ast.UnaryOp(ast.USub(), node.args[0])], [])
            return self._done(ast.BinOp(ast.Constant(1), ast.Div(), ast.BinOp(ast.Constant(1), ast.Add(), exp)))
        return node

    def visit_FunctionDef(self, node):
        self.generic_visit(node)
        if self.kind == "float32":
            arguments = [a.arg for a in node.args.args if a.arg in ("nnThetas", "X", "y", "z", "image", "thetaOne")]
            casts = [ast.parse(f"{a} = np.asarray({a}, dtype=np.float32)").body[0] for a in arguments]
            if casts:
                docstring = node.body[:1] if isinstance(node.body[0], ast.Expr) else []
                node.body = docstring + casts + node.body[len(docstring):]
                self.applied += 1
        return node

    def _done(self, node):
        self.applied += 1
        return node


REWRITES = ("commute", "square", "reciprocal", "transposed product", "methods", "concatenate",
            "sigmoid written out", "float32")


def _is_np(node):
    return isinstance(node, ast.Name) and node.id == "np"


def rewrites(answers):
    """(name, cells) of the correct rewrites: every REWRITE of every answer where it applies, CLASSIC
    answer by answer, and the correct samples."""
    made = []
    for part in PARTS:
        for kind in REWRITES:
            rewriter = _Rewriter(kind)
            text = ast.unparse(ast.fix_missing_locations(rewriter.visit(ast.parse(answers[part.cell]))))
            if rewriter.applied:
                made.append((f"{part.cell}: {kind}", {part.cell: text}))
        made.append((f"{part.cell}: classic", {part.cell: CLASSIC[part.cell]}))
    made += [(f"samples/{sample.name}.py", sample.cells) for sample in submissions.all_samples()
             if sample.name.startswith("correct-")]
    return made


def graded_parts(cells):
    """The graded parts whose checks call a function these cells define."""
    return tuple(dict.fromkeys(graded for cell in cells if cell in BY_CELL for graded in BY_CELL[cell].graded))


# Running each in a process of its own.

class _Task(NamedTuple):
    cells: dict
    parts: tuple


def _child(task, send, answers, inputs, dataset):
    try:
        if dataset is not None:  # the parent's copy, not the file read again by every check that needs it
            data.load_dataset = lambda path=None: dataset
        warnings.simplefilter("ignore")  # the mutants' NaNs would fill the terminal with RuntimeWarnings
        send.send(("done", grade(task.cells, task.parts, answers, inputs, dataset)))
    except BaseException as error:  # a mutant that breaks the harness itself
        send.send(("error", f"{type(error).__name__}: {error}"))
    finally:
        send.close()


def run_isolated(tasks, answers, inputs, dataset=None, workers=2, timeout=TIMEOUT):
    """Grade each task in a forked process of its own, `workers` at a time, each killed after `timeout`
    seconds. Yields (index, ("done", (outcomes, failures)) | ("error", text) | ("timeout", None))."""
    import threadpoolctl
    context = multiprocessing.get_context("fork")
    waiting, running = list(enumerate(tasks)), {}
    with threadpoolctl.threadpool_limits(1):  # one BLAS thread per mutant, inherited by every fork
        yield from _schedule(context, waiting, running, (answers, inputs, dataset), workers, timeout)


def _schedule(context, waiting, running, shared, workers, timeout):
    while waiting or running:
        while waiting and len(running) < workers:
            index, task = waiting.pop(0)
            receive, send = context.Pipe(duplex=False)
            process = context.Process(target=_child, args=(task, send, *shared), daemon=True)
            process.start()
            send.close()
            running[receive] = (index, process, time.monotonic() + timeout)
        deadline = min(d for _, _, d in running.values())
        for receive in multiprocessing.connection.wait(list(running), max(0.0, deadline - time.monotonic())):
            index, process, _ = running.pop(receive)
            try:
                result = receive.recv()
            except EOFError:
                result = ("error", f"the process ended with exit code {process.exitcode}")
            receive.close()
            process.join()
            yield index, result
        for receive, (index, process, deadline) in list(running.items()):
            if time.monotonic() > deadline:
                process.kill()
                process.join()
                receive.close()
                del running[receive]
                yield index, ("timeout", None)


# The figures.

@dataclass
class Verdict:
    mutant: Mutant
    changed: bool = False
    lost: bool = False
    named: dict = field(default_factory=dict)      # graded part -> mistake id
    wrongly_named: list = field(default_factory=list)
    failures: dict = field(default_factory=dict)
    note: str = ""                                 # "timeout" or the harness's error


@dataclass
class Report:
    verdicts: list
    rewrites: list      # (name, failures: part -> message) for every correct rewrite


def run(workers=2, timeout=TIMEOUT, answers=None, mutants=None):
    """Generate the mutants and rewrites, grade them all, and judge each. -> Report"""
    answers = answers or reference_answers()
    dataset = data.load_dataset()
    inputs = record_inputs(answers)
    mutants = all_mutants(answers) if mutants is None else mutants
    samples = [s for s in submissions.all_samples() if s.diagnosis and graded_parts(s.cells)]
    seeds = [(part.cell, seed, {part.cell: cells[part.cell]}) for part in PARTS
             for seed, cells in (("reference", answers), ("classic", CLASSIC))]
    correct = rewrites(answers)
    tasks = ([_Task(cells, BY_CELL[cell].graded) for cell, _, cells in seeds]
             + [_Task(s.cells, graded_parts(s.cells)) for s in samples]
             + [_Task(cells, graded_parts(cells)) for _, cells in correct]
             + [_Task({m.cell: m.source}, BY_CELL[m.cell].graded) for m in mutants])
    finished = dict(run_isolated(tasks, answers, inputs, dataset, workers, timeout))
    results = [finished[index] for index in range(len(tasks))]
    seed_results, results = results[:len(seeds)], results[len(seeds):]
    sample_results, results = results[:len(samples)], results[len(samples):]
    rewrite_results, mutant_results = results[:len(correct)], results[len(correct):]

    seed_outcomes = {(cell, seed): _outcomes_of(result, f"the {seed} {cell}")
                     for (cell, seed, _), result in zip(seeds, seed_results)}
    predictions = {}  # mistake id -> [{graded part: outcomes}], from its implementations
    for sample, result in zip(samples, sample_results):
        predictions.setdefault(sample.diagnosis, []).append(_outcomes_of(result, f"samples/{sample.name}.py"))
    for mutant, (status, value) in zip(mutants, mutant_results):
        for mistake_id in mutant.declares if status == "done" else ():
            predictions.setdefault(mistake_id, []).append(value[0])
    kept = [(name, value[1] if status == "done" else {"all": value or "timed out"})
            for (name, _), (status, value) in zip(correct, rewrite_results)]
    verdicts = [_judge(mutant, result, seed_outcomes[(mutant.cell, mutant.seed)], predictions)
                for mutant, result in zip(mutants, mutant_results)]
    return Report(verdicts, kept)


def _outcomes_of(result, what):
    """The outcomes of an answer the judge relies on; one that did not finish is the harness's fault."""
    status, value = result
    if status != "done":
        raise RuntimeError(f"{what} did not finish its checks ({status}: {value})")
    return value[0]


def _judge(mutant, result, seed_outcomes, predictions):
    status, value = result
    verdict = Verdict(mutant)
    if status != "done":  # a mutant that hangs or kills its process loses every point its parts give
        verdict.changed = verdict.lost = True
        verdict.note = "timeout" if status == "timeout" else value
        return verdict
    outcomes, failures = value
    verdict.failures = failures
    verdict.changed = any(not same(outcomes[g], seed_outcomes[g], EQUIVALENT) for g in outcomes)
    verdict.lost = any(message is not None for message in failures.values())
    verdict.named = {g: named_mistake(m) for g, m in failures.items() if named_mistake(m)}
    verdict.wrongly_named = sorted({mistake_id for graded, mistake_id in verdict.named.items()
                                    if not _explains(mistake_id, graded, outcomes[graded], predictions)})
    return verdict


def _explains(mistake_id, graded, outcomes, predictions):
    """Does the named mistake explain these outcomes of the graded part (the module docstring's rule)?"""
    if mistake_id == "modifies-input":
        return any(outcome.modified for outcome in outcomes)
    return any(graded in prediction and same(outcomes, prediction[graded], PREDICTED, modified_counts=False)
               for prediction in predictions.get(mistake_id, []))


def figures(report):
    """label -> {mutants, changed, lost, named, wrong} per part, and "all"."""
    rows = {part.label: dict.fromkeys(("mutants", "changed", "lost", "named", "wrong"), 0) for part in PARTS}
    rows["all"] = dict.fromkeys(("mutants", "changed", "lost", "named", "wrong"), 0)
    for verdict in report.verdicts:
        for label in (BY_CELL[verdict.mutant.cell].label, "all"):
            row = rows[label]
            row["mutants"] += 1
            row["changed"] += verdict.changed
            row["lost"] += verdict.changed and verdict.lost
            row["named"] += bool(verdict.named)
            row["wrong"] += bool(verdict.wrongly_named)
    return rows


def survivors(report):
    """Mutants that change the outputs and lose no point."""
    return [v for v in report.verdicts if v.changed and not v.lost]


def false_names(report):
    return [v for v in report.verdicts if v.wrongly_named]


def table(report):
    """Markdown: the figures per part, then the correct rewrites."""
    def percent(part, whole):
        return f"{part / whole:.0%}" if whole else "–"

    lines = ["| part | mutants | changed outputs | lost points | named a mistake | named wrongly |",
             "|---|---|---|---|---|---|"]
    for label, row in figures(report).items():
        cells = [f"{row['mutants']}", f"{row['changed']}", f"{row['lost']} ({percent(row['lost'], row['changed'])})",
                 f"{row['named']}", f"{row['wrong']}"]
        if label == "all":
            label, cells = "**all**", [f"**{cell}**" for cell in cells]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    kept = sum(not any(failures.values()) for _, failures in report.rewrites)
    samples = sum(name.startswith("samples/") for name, _ in report.rewrites)
    classic = sum(name.endswith(": classic") for name, _ in report.rewrites)
    lines += ["", f"{kept} of {len(report.rewrites)} correct rewrites kept full marks "
                  f"({len(report.rewrites) - samples - classic} generated, {classic} classic answers, "
                  f"{samples} correct samples)."]
    return "\n".join(lines)


def write_readme(text, readme=paths.COURSE_DIR / "README.md"):
    """Put the table between the README's mutants markers."""
    start, end = README_MARKERS
    content = readme.read_text()
    if start not in content or end not in content:
        raise ValueError(f"{readme} has no {start} ... {end} markers")
    before, rest = content.split(start, 1)
    readme.write_text(f"{before}{start}\n{text}\n{end}{rest.split(end, 1)[1]}")
    return readme
