# Mistake: transposes each 28 x 28 picture, so the weights appear mirrored along the diagonal.
# Loses: hidden_weights_plot
# Diagnosis: plot-transposed

# %% grade_id="plotHiddenWeights"
def plotHiddenWeights(thetaOne):
    weights = thetaOne[:, 1:]
    side = int(np.ceil(np.sqrt(len(weights))))
    fig, axes = plt.subplots(side, side, figsize=(8, 8))
    for unit, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if unit < len(weights):
            ax.imshow(weights[unit].reshape(28, 28).T, cmap="gray")
    return fig
