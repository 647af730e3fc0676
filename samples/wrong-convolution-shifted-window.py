# Mistake: takes the window padded[row - 1:row + 2, col - 1:col + 2] of the zero-padded image, centred one
# row and one column up-left of the pixel; row and column 0 would slice from -1, so the loops start at 1.
# Loses: convolution
# Diagnosis: convolution-shifted-window

# %% grade_id="convolve2d"
def convolve2d(image, kernel):
    rows, cols = image.shape
    padded = np.pad(image, 1)
    output = np.zeros((rows, cols))
    for row in range(1, rows):
        for col in range(1, cols):
            window = padded[row - 1:row + 2, col - 1:col + 2]
            output[row, col] = np.sum(window * kernel)
    return output
