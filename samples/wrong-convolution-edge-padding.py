# Mistake: pads by repeating the border pixels (np.pad mode='edge') instead of with zeros.
# Loses: convolution
# Diagnosis: convolution-edge-padding

# %% grade_id="convolve2d"
def convolve2d(image, kernel):
    padded = np.pad(image, 1, mode="edge")
    output = np.zeros(image.shape)
    for row in range(image.shape[0]):
        for col in range(image.shape[1]):
            output[row, col] = np.sum(padded[row:row + 3, col:col + 3] * kernel)
    return output
