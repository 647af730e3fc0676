# Mistake: skips the first and last row and column of the image, leaving them 0.
# Loses: convolution
# Diagnosis: convolution-off-by-one

# %% grade_id="convolve2d"
def convolve2d(image, kernel):
    rows, cols = image.shape
    padded = np.pad(image, 1)
    output = np.zeros((rows, cols))
    for row in range(1, rows - 1):
        for col in range(1, cols - 1):
            output[row, col] = np.sum(padded[row:row + 3, col:col + 3] * kernel)
    return output
