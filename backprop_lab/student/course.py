"""Helpers the notebooks call: finding the course's files and drawing digits.

Names follow the notebooks' camelCase. Nothing here solves a graded exercise.
"""
import contextlib
import os
import threading
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

DIGIT_SHAPE = (28, 28)


BUILT_BY = {"data": "make data", "images": "make figures"}  # in the instructors' repository


def _find(folder, variable, name):
    """The course file folder/name: in $variable if it is set (the grading sandbox sets it), else in
    the nearest folder/ at or above the working folder (the kit's folder, or the course's)."""
    if os.environ.get(variable):
        places = [Path(os.environ[variable])]
    else:
        here = Path.cwd().resolve()
        places = [parent / folder for parent in (here, *here.parents)]
    for place in places:
        if (place / name).exists():
            return str(place / name)
    raise FileNotFoundError(
        f"{name} is not in a {folder}/ folder at or above {Path.cwd()}. Open the notebook from the course "
        f"folder, where {folder}/ is (the student kit ships it), or set {variable} to the folder that holds it. "
        f"Instructors build it with `{BUILT_BY[folder]}`.")


def dataFile(name):
    """Path of a data file of the course (dataMNISTNeuralNetwork.npz, the trained parameters)."""
    return _find("data", "BACKPROP_LAB_DATA_DIR", name)


def imageFile(name):
    """Path of an image the course draws (e.g. square.png)."""
    return _find("images", "BACKPROP_LAB_IMAGES_DIR", name)


@contextlib.contextmanager
def warnIfSlow(seconds, advice):
    """Print advice if the block is still running after `seconds`. The block goes on running: to stop
    it, interrupt the kernel (the ■ button)."""
    timer = threading.Timer(seconds, lambda: print(f"Still running after {seconds} s. {advice}", flush=True))
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def standInTraining():
    """A network the course trained (500 iterations, lambda = 1) shaped like fmin_cg's full output,
    (xopt, fopt, func_calls, grad_calls, warnflag, allvecs), allvecs holding xopt alone: for going on
    with parts 7 and 8 before nnGradientFunction works. It earns no training points."""
    thetas = np.load(dataFile("500IterationsTrainedThetasLambdas0_1_10_100.npz"))["thetaListLambdaOne"]
    return thetas, float("nan"), 0, 0, None, [thetas]


def _tile(images, gap=2):
    """Stack images (n, 28, 28) into one square grid image, NaN (blank) between and after them."""
    side = int(np.ceil(np.sqrt(len(images))))
    height, width = DIGIT_SHAPE
    grid = np.full((side * (height + gap) - gap, side * (width + gap) - gap), np.nan)
    for index, image in enumerate(images):
        top, left = (index // side) * (height + gap), (index % side) * (width + gap)
        grid[top:top + height, left:left + width] = image
    return grid, side


def plotDigits(X, labels=None, n=100, seed=0, title=None):
    """A square grid of n random rows of X (m, 784) drawn as 28x28 digits. -> Figure

    One image of the whole grid, not one axes per digit: a hundred axes take seconds to draw.
    """
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(X), size=min(n, len(X)), replace=False)
    grid, side = _tile(np.reshape(X[rows], (-1, *DIGIT_SHAPE)))
    figure, ax = plt.subplots(figsize=(side * 0.75, side * 0.75 + 0.5))
    ax.imshow(grid, cmap="gray_r", interpolation="none")
    if labels is not None:
        step = DIGIT_SHAPE[0] + 2
        for index, row in enumerate(rows):
            ax.text((index % side) * step + 1, (index // side) * step + 5, str(labels[row]),
                    color="tab:red", fontsize=7)
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    figure.tight_layout()
    return figure


def plotMisclassified(X, trueLabels, predictedLabels, n=25, seed=0):
    """Digits the network got wrong, titled 'true -> predicted'. -> Figure"""
    wrong = np.flatnonzero(np.asarray(trueLabels) != np.asarray(predictedLabels))
    titles = np.array([f"{t} -> {p}" for t, p in zip(trueLabels, predictedLabels)])
    return plotDigits(X[wrong], titles[wrong], n=n, seed=seed,
                      title=f"{len(wrong)} misclassified digits (true -> predicted)")


def plotConfusionMatrix(trueLabels, predictedLabels, classLabels=10):
    """Heat map of how often digit i (row) was predicted as digit j (column). -> Figure"""
    import seaborn as sns
    counts = np.zeros((classLabels, classLabels), dtype=int)
    np.add.at(counts, (np.asarray(trueLabels), np.asarray(predictedLabels)), 1)
    figure, ax = plt.subplots(figsize=(6, 5))
    sns.heatmap(counts, annot=True, fmt="d", cmap="Blues", cbar=False, ax=ax)
    ax.set_xlabel("predicted digit")
    ax.set_ylabel("true digit")
    ax.set_title("Confusion matrix (test set)")
    figure.tight_layout()
    return figure
