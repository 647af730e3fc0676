"""The checks of the pictures: the plot of the hidden units' weights, and the convolution's edge maps."""
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from backprop_lab.judging import diagnosis_pictures
from backprop_lab.reference import convolution
from backprop_lab.judging.answers import FigureImages
from backprop_lab.judging.checks.calling import as_array, call, diagnosed


def figure_images(figure: object, name: str) -> list[Any]:
    import matplotlib.figure
    if isinstance(figure, FigureImages):  # a Figure drawn in the graded kernel
        return list(figure)
    assert isinstance(figure, matplotlib.figure.Figure), (
        f"{name} should return the matplotlib Figure it drew (e.g. fig from plt.subplots), got {type(figure).__name__}")
    return [np.asarray(image.get_array(), dtype=float) for axes in figure.axes for image in axes.get_images()]


def check_hidden_weights_plot(plotHiddenWeights: Callable[..., object]) -> None:
    """One 28x28 image per hidden unit, in unit order, showing that unit's weights (no bias)."""
    import matplotlib.pyplot as plt
    for hidden_size in (25, 16, 10):
        thetaOne = np.random.default_rng(hidden_size).standard_normal((hidden_size, 785))
        figure = call(plotHiddenWeights, "plotHiddenWeights", thetaOne)
        try:
            images = figure_images(figure, "plotHiddenWeights")
        finally:
            plt.close("all")
        assert len(images) == hidden_size, diagnosed(
            f"For {hidden_size} hidden units plotHiddenWeights drew {len(images)} images; expected one per unit",
            diagnosis_pictures.hidden_weights(images, thetaOne), where="another number of images")
        for unit, image in enumerate(images):
            expected = thetaOne[unit, 1:].reshape(28, 28)
            assert image.shape == (28, 28), diagnosed(
                f"Image {unit} has shape {image.shape}; expected (28, 28)",
                diagnosis_pictures.hidden_weights(images, thetaOne))
            correlation = np.corrcoef(image.ravel(), expected.ravel())[0, 1]
            assert correlation > 0.999, diagnosed(
                f"Image {unit} does not show hidden unit {unit}'s 784 weights as a 28x28 picture "
                "(leave out the bias in column 0; reshape(28, 28) without transposing; one unit per image, in order)",
                diagnosis_pictures.hidden_weights(images, thetaOne), where="an image that is not its unit's weights")


def convolution_cases() -> list[tuple[NDArray[np.float64], NDArray[np.float64]]]:
    """The (image, kernel) pairs check_convolution tries, in order: the Square with both edge
    filters, then random non-square and square images with random integer kernels."""
    rng = np.random.default_rng(7)
    cases = [(convolution.square_image(), convolution.FILTER_ONE),
             (convolution.square_image(), convolution.FILTER_TWO)]
    return cases + [(rng.uniform(0, 1, shape), rng.integers(-3, 4, (3, 3)).astype(float))
                    for shape in [(5, 7), (8, 8), (9, 4)]]


def _convolution_mistake(convolve2d):
    """The catalogued mistake that explains convolve2d's outputs on every case, or None."""
    outputs = []
    for image, kernel in convolution_cases():
        try:
            outputs.append((as_array(call(convolve2d, "convolve2d", image, kernel), "convolve2d"), image, kernel))
        except AssertionError:
            outputs.append((None, image, kernel))
    return diagnosis_pictures.convolution_mistake(outputs)


def check_convolution(convolve2d: Callable[..., object]) -> None:
    """Zero-padded, same-size cross-correlation (no kernel flip) on several images and kernels."""
    for image, kernel in convolution_cases():
        expected = convolution.correlate_same(image, kernel)
        got = as_array(call(convolve2d, "convolve2d", image, kernel), "convolve2d")
        assert got.shape == image.shape, diagnosed(
            f"convolve2d should return an image of the same shape as its input {image.shape} "
            f"(zero-pad by one pixel on every side), got {got.shape}", _convolution_mistake(convolve2d),
            where="an output of another shape")
        difference = np.abs(got - expected)
        row, col = (int(i) for i in np.unravel_index(np.argmax(difference), got.shape))
        assert np.allclose(got, expected, rtol=1e-5, atol=1e-5), diagnosed(  # float32 answers are fine
            f"convolve2d differs from the expected edge map on a {image.shape[0]}x{image.shape[1]} image "
            f"(largest difference {difference[row, col]:.3g} at pixel ({row}, {col}), row and column counted "
            "from 0). Multiply the kernel with the window centred on each pixel without flipping it, and pad "
            "with zeros.", _convolution_mistake(convolve2d),
            where="largest at a border pixel" if row in (0, got.shape[0] - 1) or col in (0, got.shape[1] - 1)
            else "largest at an inner pixel")
