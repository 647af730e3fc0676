# Mistake: fills the grid column by column, so the k-th picture is not hidden unit k.
# Loses: hidden_weights_plot
# Diagnosis: plot-units-out-of-order

# %% grade_id="plotHiddenWeights"
def plotHiddenWeights(thetaOne):
    units = len(thetaOne)
    side = int(np.ceil(np.sqrt(units)))
    fig, axes = plt.subplots(side, side, figsize=(8, 8))
    for ax in axes.flat:
        ax.set_axis_off()
    for unit in range(units):
        ax = axes[unit % side, unit // side]
        ax.imshow(thetaOne[unit, 1:].reshape(28, 28), cmap="gray")
        ax.set_title(f"Unit {unit + 1}")
    return fig
