# Mistake: does not pad, so the output is two pixels smaller than the image in each direction.
# Loses: convolution
# Diagnosis: convolution-no-padding

# %% grade_id="convolve2d"
def convolve2d(image, kernel):
    rows, cols = image.shape
    padded = image
    output = np.zeros((rows - 2, cols - 2))
    for row in range(rows - 2):
        for col in range(cols - 2):
            output[row, col] = np.sum(padded[row:row + 3, col:col + 3] * kernel)
    return output
