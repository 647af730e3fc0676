# Mistake: swaps rows and columns: the output is indexed [col, row], so it comes out transposed.
# Loses: convolution
# Diagnosis: convolution-rows-columns-swapped

# %% grade_id="convolve2d"
def convolve2d(image, kernel):
    rows, cols = image.shape
    padded = np.pad(image, 1)
    output = np.zeros((cols, rows))
    for col in range(cols):
        for row in range(rows):
            output[col, row] = np.sum(padded[row:row + 3, col:col + 3] * kernel)
    return output
