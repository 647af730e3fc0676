# Mistake: flips the kernel (a textbook convolution), which CNNs and this exercise do not do.
# Loses: convolution
# Diagnosis: convolution-flipped-kernel

# %% grade_id="convolve2d"
def convolve2d(image, kernel):
    rows, cols = image.shape
    padded = np.pad(image, 1)
    output = np.zeros((rows, cols))
    for row in range(rows):
        for col in range(cols):
            output[row, col] = np.sum(padded[row:row + 3, col:col + 3] * np.flip(kernel))
    return output
