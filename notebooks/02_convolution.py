# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Convolution by hand
#
# The network of the first notebook treats an image as 784 unrelated numbers: move a digit one pixel
# to the right and, for the network, it is a different input altogether. **Convolutional** networks
# instead slide small filters (kernels) over the image, so the same detector looks for the same pattern
# everywhere. In this notebook you write that sliding yourself and use it to find edges.

# %%
import matplotlib.pyplot as plt
import numpy as np
from PIL import Image

from backprop_lab.student import course

# %% [markdown]
# ## The image and the filters
#
# The most exciting image ever classified: a white square on a black background, 16 × 16 pixels.

# %%
squareImage = np.array(Image.open(course.imageFile("square.png")).convert("L")) / 255
print(squareImage.shape, squareImage.min(), squareImage.max())
plt.imshow(squareImage, cmap="gray", vmin=0, vmax=1)
plt.title("Square")
plt.show()

# %% [markdown]
# To find its edges we use two 3 × 3 filters. The number in each cell is the weight that multiplies
# the pixel under it:
#
# ![The two edge filters](../images/edge_filters.png)
#
# `filterOne` subtracts the column on the left from the column on the right: it responds to
# **vertical** edges. `filterTwo` does the same for the rows above and below: **horizontal** edges.

# %%
filterOne = np.array([[-1, 0, 1],
                      [-1, 0, 1],
                      [-1, 0, 1]])
filterTwo = np.array([[-1, -1, -1],
                      [0, 0, 0],
                      [1, 1, 1]])

# %% [markdown]
# ## How the filter slides
#
# Place the filter's centre on a pixel, multiply each of its nine weights with the pixel under it,
# add the nine products up: that sum is the output for that pixel. Then move one pixel to the right
# and do it again; at the end of a row, go back to the left of the next row.
#
# At the border, part of the filter hangs over pixels that do not exist. **Zero padding** adds a frame
# of zeros around the image (one pixel wide for a 3 × 3 filter), so that the output has exactly the
# size of the input:
#
# ![A 3 × 3 kernel sliding over a zero-padded image](../images/convolution.gif)
#
# In mathematics a *convolution* flips the kernel before sliding it. Convolutional networks do not
# flip (strictly, they compute a *cross-correlation*), and neither do we: the weight in the top-left
# cell of the filter multiplies the pixel above and to the left of the centre.
#
# **If you compare with scipy**: `scipy.signal.convolve2d` is the mathematical kind, it flips the
# kernel. Flipping `filterOne` left to right changes its sign, so scipy's edge map is the negative of
# ours: at pixel (8, 3), just left of the square, our `convolve2d` gives 3 and
# `scipy.signal.convolve2d(squareImage, filterOne, mode="same")` gives −3. The function that computes
# what we compute is `scipy.signal.correlate2d(image, kernel, mode="same")`.
#
# ### Your turn: `convolve2d`
#
# Write `convolve2d(image, kernel)` for a 2-D image and a 3 × 3 kernel:
#
# * pad the image with one row/column of zeros on every side (`np.pad(image, 1)`);
# * loop over the rows and the columns of the **original** image; for the pixel at `(row, col)`, the
#   window in the padded image is `padded[row:row + 3, col:col + 3]` (check why on paper);
# * multiply the window by the kernel elementwise, sum, and store it at `(row, col)` of the output;
# * return an array of the same shape as `image`.
#
# Remember that `range(a, b)` and slices stop *before* `b`.

# %% nbgrader="solution" grade_id="convolve2d"
def convolve2d(image, kernel):
    """Zero-padded 2-D cross-correlation of image (rows, cols) with a 3x3 kernel. -> (rows, cols)"""
    ### BEGIN SOLUTION
    padding = kernel.shape[0] // 2
    padded = np.pad(np.asarray(image, dtype=float), padding)
    output = np.zeros(np.shape(image))
    for row in range(output.shape[0]):
        for col in range(output.shape[1]):
            window = padded[row:row + kernel.shape[0], col:col + kernel.shape[1]]
            output[row, col] = np.sum(window * kernel)
    return output
    ### END SOLUTION


# %% nbgrader="tests" grade_id="convolution" points=3
"""Does convolve2d slide the kernel over the zero-padded image without flipping it?"""
edges = convolve2d(squareImage, filterOne)
assert np.shape(edges) == squareImage.shape, f"The output should be {squareImage.shape}, like the input; got {np.shape(edges)}"
# Left of the square's left edge: the window's right column sits on three white pixels, its left
# column on black ones, so the sum is 1 + 1 + 1 = 3 (a flipped kernel would give -3).
row, col = 8, 3
assert squareImage[row, col] == 0 and squareImage[row, col + 1] == 1, "this check expects the course's square.png"
assert np.isclose(edges[row, col], 3), f"At pixel (8, 3), just left of the square, filterOne should give 3, got {edges[row, col]}"
# A known answer with nothing symmetric in it: a flipped kernel, a shifted window or a border that is
# not zero all change some of these numbers.
smallImage = np.array([[1, 2, 0, 3, 1],
                       [0, 1, 4, 1, 0],
                       [2, 0, 1, 2, 3],
                       [1, 3, 0, 0, 2]])
smallKernel = np.array([[1, 0, -1],
                        [2, 1, 0],
                        [0, -1, 3]])
smallEdges = convolve2d(smallImage, smallKernel)
expectedSmallEdges = np.array([[4, 15, 3, 2, 7],
                               [-4, 5, 10, 15, 2],
                               [9, -3, 1, 14, 6],
                               [1, 6, 4, -2, 4]])
assert np.shape(smallEdges) == (4, 5), f"A 4 x 5 image should give a 4 x 5 output, got {np.shape(smallEdges)}"
assert np.allclose(smallEdges, expectedSmallEdges), (
    f"On the 4 x 5 image above with the 3 x 3 kernel above, convolve2d should give\n{expectedSmallEdges}\n"
    f"got\n{np.round(smallEdges, 3)}\nWhere do they differ: at the border only (padding), everywhere?")
### BEGIN HIDDEN TESTS
from backprop_lab.judging import checks
checks.check_convolution(convolve2d)
### END HIDDEN TESTS

# %% [markdown]
# ## The edge maps
#
# Bright means a positive response (dark to bright in the filter's direction), dark a negative one.

# %%
fig, axes = plt.subplots(1, 3, figsize=(10, 3.4))
for ax, picture, title in zip(axes, [squareImage, convolve2d(squareImage, filterOne), convolve2d(squareImage, filterTwo)],
                              ["Square", "filterOne: vertical edges", "filterTwo: horizontal edges"]):
    shown = ax.imshow(picture, cmap="gray")
    ax.set_title(title)
    ax.set_axis_off()
    fig.colorbar(shown, ax=ax, fraction=0.046)
plt.show()

# %% [markdown]
# **Think about it.** Why does the left edge come out bright and the right edge dark? Why are the
# corners weaker than the middle of each edge?

# %% [markdown] instructor="only"
# **Answer (instructors only).** `filterOne` adds up the window's right column and subtracts its left
# column. On either side of the square's left edge, the right column lies on white pixels (1) and the
# left column on black ones (0): 1 + 1 + 1 = 3, bright. At the right edge it is the other way round,
# −3: dark. Near a corner only part of the window's column lies on the square: level with the square's
# first and last rows the window reaches two of its rows (2, or −2 on the right), and one row beyond
# them only one (1, or −1). In the middle of an edge all three rows count: 3.

# %% [markdown]
# Now invert the picture: a black square on a white background. Zero padding surrounds the image with
# black, so the filters see an "edge" where there is none: along the border of the image.

# %%
invertedSquare = 1 - squareImage
fig, axes = plt.subplots(1, 2, figsize=(7, 3.4))
for ax, kernel, title in zip(axes, [filterOne, filterTwo], ["filterOne", "filterTwo"]):
    ax.imshow(convolve2d(invertedSquare, kernel), cmap="gray")
    ax.set_title(f"{title} on the inverted square")
    ax.set_axis_off()
plt.show()

# %% [markdown]
# Those border edges are an artefact of the padding, not of the picture. Real networks live with it
# (their filters learn to cope) or pad with copies of the edge pixels instead.
#
# ## What to remember
#
# * A convolutional layer slides one small kernel over the whole image: few weights, the same detector everywhere.
# * Zero padding keeps the output the size of the input, at the price of false edges at the border.
# * CNNs compute a cross-correlation: the kernel is not flipped.
#
# Next: `03_cnn_peek`, a real convolutional network on our digits.
