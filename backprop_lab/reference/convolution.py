"""The convolution part of the course: test image, edge filters, reference.

``correlate_same`` is what the graders trust: 2-D cross-correlation the way
CNN layers compute it (the kernel is *not* flipped), with zero padding and an
output of the image's own shape.
"""
import numpy as np

SQUARE_SIZE = 16  # the "Square" image is SQUARE_SIZE x SQUARE_SIZE pixels
SQUARE_START, SQUARE_STOP = 4, 12  # the white square: rows and cols 4..11

# Responds to vertical edges (intensity changing from left to right).
FILTER_ONE = np.array([[-1, 0, 1],
                       [-1, 0, 1],
                       [-1, 0, 1]], dtype=float)
# Responds to horizontal edges (intensity changing from top to bottom).
FILTER_TWO = np.array([[-1, -1, -1],
                       [0, 0, 0],
                       [1, 1, 1]], dtype=float)


def square_image():
    """The course's "Square" image: float64 (16, 16), a white square on black.

    Background pixels are 0.0; the filled square (rows and columns 4..11) is
    1.0. A new array on every call, so callers may modify it.
    """
    image = np.zeros((SQUARE_SIZE, SQUARE_SIZE))
    image[SQUARE_START:SQUARE_STOP, SQUARE_START:SQUARE_STOP] = 1.0
    return image


def correlate_same(image, kernel):
    """2-D cross-correlation, zero padding, output shaped like ``image``.

    ``out[r, c] = sum over (i, j) of kernel[i, j] * padded[r + i, c + j]``
    where ``padded`` is ``image`` with ``kh // 2`` rows and ``kw // 2``
    columns of zeros on each side. This equals
    ``scipy.signal.correlate2d(image, kernel, mode="same", boundary="fill")``;
    unlike ``convolve2d``, the kernel is used as it is (not rotated by 180
    degrees). Both kernel dimensions must be odd.
    """
    image = np.asarray(image, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    if image.ndim != 2 or kernel.ndim != 2:
        raise ValueError(f"expected a 2-D image and kernel, got shapes "
                         f"{image.shape} and {kernel.shape}")
    kh, kw = kernel.shape
    if kh % 2 == 0 or kw % 2 == 0:
        raise ValueError(f"kernel dimensions must be odd, got {kernel.shape}")
    rows, cols = image.shape
    padded = np.pad(image, ((kh // 2, kh // 2), (kw // 2, kw // 2)))
    out = np.zeros((rows, cols))
    # One shifted view of the padded image per kernel weight.
    for i in range(kh):
        for j in range(kw):
            out += kernel[i, j] * padded[i:i + rows, j:j + cols]
    return out
