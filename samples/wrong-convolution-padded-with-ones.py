# Mistake: pads the image with ones instead of zeros.
# Loses: convolution
# Diagnosis: convolution-padded-with-ones

# %% grade_id="convolve2d"
def convolve2d(image, kernel):
    rows, cols = image.shape
    padded = np.pad(image, 1, constant_values=1)
    output = np.zeros((rows, cols))
    for row in range(rows):
        for col in range(cols):
            output[row, col] = np.sum(padded[row:row + 3, col:col + 3] * kernel)
    return output
