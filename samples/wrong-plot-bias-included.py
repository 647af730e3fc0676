# Mistake: drops the last weight instead of the bias in column 0, so every picture is shifted by a pixel.
# Loses: hidden_weights_plot
# Diagnosis: plot-bias-included

# %% grade_id="plotHiddenWeights"
def plotHiddenWeights(thetaOne):
    side = int(np.ceil(np.sqrt(len(thetaOne))))
    fig, axes = plt.subplots(side, side, figsize=(8, 8))
    for unit, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if unit < len(thetaOne):
            ax.imshow(thetaOne[unit, :784].reshape(28, 28), cmap="gray")
            ax.set_title(f"Unit {unit + 1}")
    return fig
