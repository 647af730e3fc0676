# Mistake: multiplies the window by the kernel with @ (a matrix product) instead of elementwise.
# Loses: convolution
# Diagnosis: convolution-matrix-product

# %% grade_id="convolve2d"
def convolve2d(image, kernel):
    padded = np.pad(image, 1)
    output = np.zeros(image.shape)
    for row in range(image.shape[0]):
        for col in range(image.shape[1]):
            output[row, col] = np.sum(padded[row:row + 3, col:col + 3] @ kernel)
    return output
