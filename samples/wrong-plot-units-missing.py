# Mistake: sizes the grid with int(np.sqrt(n)), which rounds down: 10 hidden units get 3 x 3 cells.
# Loses: hidden_weights_plot
# Diagnosis: plot-units-missing

# %% grade_id="plotHiddenWeights"
def plotHiddenWeights(thetaOne):
    side = int(np.sqrt(thetaOne.shape[0]))
    fig, axes = plt.subplots(side, side, figsize=(8, 8))
    for unit, (ax, weights) in enumerate(zip(axes.flat, thetaOne[:, 1:])):
        ax.imshow(weights.reshape(28, 28), cmap="gray")
        ax.set_title(f"Unit {unit + 1}")
        ax.set_axis_off()
    return fig
