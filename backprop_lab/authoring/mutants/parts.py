"""The graded parts and their checks, the answers the mutants start from, and the catalogue's forms."""
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from backprop_lab import paths
from backprop_lab.authoring import submissions
from backprop_lab.judging import checks


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
# of its forms; their mutants declare it (see the package docstring). (id, cell, [(old, new), ...])
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


def graded_parts(cells):
    """The graded parts whose checks call a function these cells define."""
    return tuple(dict.fromkeys(graded for cell in cells if cell in BY_CELL for graded in BY_CELL[cell].graded))
