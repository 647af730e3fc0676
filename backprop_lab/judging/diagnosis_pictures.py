"""Recognise the catalogued mistakes of the pictures (mistakes.py): the convolution's and the
hidden-weights plot's. Like diagnosis.py (the network's), a recogniser runs only after a check
has failed and returns the id of the mistake whose prediction matches, or None.
"""
from collections.abc import Iterable, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from backprop_lab.reference import convolution
from backprop_lab.judging.diagnosis import first_match, matches


def _correlated(padded, kernel, combine="product"):
    """Each 3 x 3 window of `padded` with the kernel: summed elementwise products, or the sum of
    window @ kernel (a matrix product), for every pixel of the unpadded image."""
    windows = np.lib.stride_tricks.sliding_window_view(padded, kernel.shape)
    if combine == "matrix-product":
        return np.einsum("rcik,kj->rc", windows, kernel)
    return np.einsum("rcij,ij->rc", windows, kernel)


def _convolution_mistakes(image, kernel):
    """(mistake id, [its predictions]) for one image and kernel, in the order they are tried."""
    expected = convolution.correlate_same(image, kernel)
    border_only = expected.copy()
    border_only[1:-1, 1:-1] = 0
    shifted = np.zeros_like(expected)  # windows padded[r - 1:r + 2, c - 1:c + 2], r and c from 1 (0 cannot slice)
    shifted[1:, 1:] = expected[:-1, :-1]
    zero_padded = np.pad(image, 1)
    return [
        ("convolution-no-padding", [expected[1:-1, 1:-1]]),
        ("convolution-flipped-kernel", [convolution.correlate_same(image, np.flip(kernel))]),
        ("convolution-rows-columns-swapped", [expected.T, convolution.correlate_same(image.T, kernel),
                                              convolution.correlate_same(image.T, kernel).T]),
        ("convolution-off-by-one", [expected - border_only]),
        ("convolution-padded-with-ones", [_correlated(np.pad(image, 1, constant_values=1.0), kernel)]),
        ("convolution-shifted-window", [shifted]),
        ("convolution-matrix-product", [_correlated(zero_padded, kernel, "matrix-product")]),
        ("convolution-absolute-value", [_correlated(np.abs(zero_padded), np.abs(kernel)), np.abs(expected)]),
        ("convolution-edge-padding", [_correlated(np.pad(image, 1, mode=mode), kernel)
                                      for mode in ("edge", "reflect", "symmetric")]),
    ]


def convolution_(got: ArrayLike, image: ArrayLike, kernel: ArrayLike) -> str | None:
    """The catalogued mistake whose prediction matches one output of convolve2d, or None."""
    image, kernel = np.asarray(image, dtype=float), np.asarray(kernel, dtype=float)
    return first_match(np.asarray(got, dtype=float), convolution.correlate_same(image, kernel),
                        _convolution_mistakes(image, kernel))


def convolution_mistake(outputs: Iterable[tuple[ArrayLike | None, ArrayLike, ArrayLike]]) -> str | None:
    """The catalogued mistake that explains every output of convolve2d, or None.

    outputs: [(got, image, kernel)] for every case the check tries, got None where it raised. A
    mistake is named when, on every case that returned, one of its predictions is the output, and on
    at least one case that prediction is not the right answer and not a constant picture (an output
    of zeros says nothing about how the kernel was applied)."""
    named, evidence = None, set()
    for got, image, kernel in outputs:
        if got is None:
            continue
        image, kernel, got = (np.asarray(a, dtype=float) for a in (image, kernel, got))
        expected = convolution.correlate_same(image, kernel)
        matching = set()
        for mistake_id, predictions in _convolution_mistakes(image, kernel):
            for predicted in predictions:
                if matches(got, predicted):
                    matching.add(mistake_id)
                    if not matches(predicted, expected) and np.ptp(predicted) > 0:
                        evidence.add(mistake_id)
        named = matching if named is None else named & matching
    candidates = [mistake_id for mistake_id in (named or ()) if mistake_id in evidence]
    return candidates[0] if len(candidates) == 1 else None


def _shows(image, weights):
    """Does the image show these 784 weights as a 28 x 28 picture (up to imshow's scaling)?"""
    image = np.asarray(image, dtype=float)
    return image.shape == (28, 28) and np.corrcoef(image.ravel(), weights)[0, 1] > 0.999


def hidden_weights(images: Sequence[object], theta_one: NDArray[np.float64]) -> str | None:
    """The catalogued mistake that explains every image of a weight plot, or None.

    images: the figure's images in drawing order; theta_one: (units, 785). Each mistake predicts
    which unit every image shows, and how: its 784 weights, transposed, or shifted by the bias."""
    units = len(theta_one)
    weights = theta_one[:, 1:]
    side = int(np.ceil(np.sqrt(units)))
    # A side x side grid filled column by column, its pictures read row by row: row r holds r, r + side, ...
    in_columns = [unit for row in range(side) for unit in range(row, units, side)]
    floor_grid = int(np.sqrt(units)) ** 2

    def every(shown, order):
        return len(images) == len(order) > 0 and all(shown(image, unit) for image, unit in zip(images, order))

    def transposed(image, unit):
        return _shows(np.asarray(image, dtype=float).T, weights[unit])

    def bias_included(image, unit):
        image = np.asarray(image, dtype=float)
        if image.shape != (28, 28):
            return image.size == 785  # all of row `unit`, bias included, in some other shape
        return _shows(image, theta_one[unit, :-1])

    in_order = list(range(units))
    for mistake_id, shown, orders in [
            ("plot-transposed", transposed, [in_order]),
            ("plot-bias-included", bias_included, [in_order]),
            ("plot-units-out-of-order", lambda image, unit: _shows(image, weights[unit]),
             [in_columns, in_order[::-1]]),
            ("plot-units-missing", lambda image, unit: _shows(image, weights[unit]),
             [in_order[:floor_grid], in_order[:-1]])]:
        if any(every(shown, order) for order in orders):
            return mistake_id
    return None
