"""Helpers the notebooks call: finding the course's files and drawing digits.

Names follow the notebooks' camelCase. Nothing here solves a graded exercise.
"""
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from backprop_lab import paths

DIGIT_SHAPE = (28, 28)


def _find(folder, name, how_to_build):
    path = Path(folder) / name
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist yet. Build it from the course folder with: {how_to_build}")
    return str(path)


def dataFile(name):
    """Path of a data file of the course (dataMNISTNeuralNetwork.npz, the trained parameters)."""
    return _find(paths.DATA, name, "make data")


def imageFile(name):
    """Path of an image the course draws (e.g. square.png)."""
    return _find(paths.IMAGES, name, "make figures")


def plotDigits(X, labels=None, n=100, seed=0, title=None):
    """A square grid of n random rows of X (m, 784) drawn as 28x28 digits. -> Figure"""
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(X), size=min(n, len(X)), replace=False)
    side = int(np.ceil(np.sqrt(len(rows))))
    figure, axes = plt.subplots(side, side, figsize=(side * 0.8, side * 0.8 + 0.4))
    for ax in np.ravel(axes):
        ax.set_axis_off()
    for ax, row in zip(np.ravel(axes), rows):
        ax.imshow(np.reshape(X[row], DIGIT_SHAPE), cmap="gray_r", interpolation="none")
        if labels is not None:
            ax.set_title(str(labels[row]), fontsize=8, pad=2)
    if title:
        figure.suptitle(title)
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
