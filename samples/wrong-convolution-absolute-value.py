# Mistake: keeps the strength of each edge only, taking the absolute value of every response.
# Loses: convolution
# Diagnosis: convolution-absolute-value

# %% grade_id="convolve2d"
def convolve2d(image, kernel):
    rows, cols = image.shape
    padded = np.pad(image, 1)
    edges = np.zeros((rows, cols))
    for r in range(rows):
        for c in range(cols):
            edges[r, c] = abs(np.sum(padded[r:r + 3, c:c + 3] * kernel))
    return edges
