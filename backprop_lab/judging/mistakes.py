"""The catalogue of common mistakes the hidden checks recognise, one entry per mistake.

The checks (diagnosis.py) name a mistake in the failing check's message as
``Likely mistake (ID): title. explanation Hint: hint``; the feedback shows that message, and a
class report can count the IDs. Every entry has a sample submission in samples/ that makes exactly
that mistake (its ``# Diagnosis:`` line) and that the test suite grades.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Mistake:
    id: str
    parts: tuple       # the graded parts (grade ids) it costs
    title: str
    explanation: str
    hint: str

    def message(self) -> str:
        return f"Likely mistake ({self.id}): {self.title}. {self.explanation} Hint: {self.hint}"


COST = ("cost_unregularised", "cost_regularised")
GRADIENT = ("gradient", "gradient_regularised")

CATALOGUE = (
    Mistake("cost-forgot-one-over-m", COST, "the cost is summed over the examples, not averaged",
            "The cross-entropy of all m examples is added up but not divided by m, so the cost grows with "
            "the size of the training set.", "divide the double sum by m = X.shape[0]."),
    Mistake("cost-regularised-biases", COST, "the penalty includes the biases",
            "The L2 penalty squares the bias column (column 0) of each Theta too; only the weights are "
            "regularised.", "sum theta[:, 1:] ** 2 for both matrices."),
    Mistake("cost-lambda-over-m", COST, "the penalty is lambda / m instead of lambda / (2m)",
            "The regularisation term is twice too large.", "multiply the sum of squared weights by lambda_ / (2 * m)."),
    Mistake("cost-only-y-log-a", COST, "only the y log(a) term of the cross-entropy",
            "The (1 - y) log(1 - a) term, which punishes confident outputs for the wrong classes, is missing.",
            "add (1 - y) * log(1 - a) inside the sum."),
    Mistake("cost-mean-over-every-entry", COST, "the cost is averaged over every entry of the m x K matrix",
            "np.mean over the whole m x K matrix divides by m K; the cost sums over the K classes and divides by "
            "m only.", "use np.sum(...) / m instead of np.mean(...)."),
    Mistake("cost-no-regularisation", ("cost_regularised",), "the cost has no regularisation term",
            "The cost is the same whatever lambda_ is: the penalty on the weights, which grows with lambda_, is "
            "missing, so the regularised gradient is not the gradient of this cost.",
            "compare your code with J in part 1: one term uses lambda_ and sums over the weights of both "
            "matrices."),
    Mistake("cost-penalty-not-squared", ("cost_regularised",), "the penalty sums the weights, not their squares",
            "L2 regularisation adds lambda / (2m) times the sum of the squared weights; summing the weights "
            "themselves (or their absolute values, or twice them) gives another penalty, whose gradient is not "
            "lambda / m * Theta.", "square each weight before you sum."),
    Mistake("cost-regularises-one-matrix", ("cost_regularised",), "only one matrix is regularised in the cost",
            "The penalty sums the squared weights of both Theta1 and Theta2; here the weights of one of them are "
            "left out.", "write the penalty as the sum of two terms, one per matrix, each without its column 0."),
    Mistake("regularisation-skips-first-row", ("cost_regularised", "gradient_regularised"),
            "the penalty skips row 0 instead of column 0",
            "The biases are column 0 of each Theta (one per unit of the next layer); slicing [1:] or [1:, :] "
            "leaves out the first unit's weights and regularises the other units' biases instead.",
            "a slice that leaves out the biases keeps every row: theta[:, 1:]."),
    Mistake("sigmoid-gradient-without-sigmoid", ("sigmoid_gradient",) + GRADIENT,
            "z * (1 - z) instead of sigma(z) * (1 - sigma(z))",
            "a * (1 - a) is the sigmoid's slope when a is an activation, sigma(z); applied to the weighted sum z "
            "itself it is a parabola, not the slope, and backpropagation carries the error into the gradient.",
            "mySigmoidGradient receives z: apply mySigmoid to it first."),
    Mistake("sigmoid-gradient-one-factor", ("sigmoid_gradient",) + GRADIENT, "one factor of sigma(z) (1 - sigma(z))",
            "The slope of the sigmoid is the product of two factors, sigma(z) and 1 - sigma(z); only one of them is "
            "used here (exp(-z) / (1 + exp(-z)) is 1 - sigma(z) alone), in mySigmoidGradient or where the hidden "
            "delta takes the slope.", "mySigmoidGradient(0) must be 0.25, and the hidden delta multiplies by "
            "mySigmoidGradient(z2)."),
    Mistake("sigmoid-gradient-classic-typo", ("sigmoid_gradient",) + GRADIENT,
            "sigma(z) * sigma(1 - z) instead of sigma(z) * (1 - sigma(z))",
            "The derivative of the sigmoid is sigma(z) (1 - sigma(z)); a misplaced bracket computes something "
            "else, and backpropagation carries the error into the gradient.",
            "compute s = mySigmoid(z) once and return s * (1 - s)."),
    Mistake("gradient-forgot-one-over-m", GRADIENT, "the gradient is summed over the examples, not averaged",
            "The cost averages over the m examples, so its gradient must too; this one is m times too large.",
            "divide delta.T @ a by m for both matrices."),
    Mistake("gradient-regularised-biases", ("gradient_regularised",), "the bias columns are regularised",
            "lambda / m * Theta is added to column 0 (the biases) as well; the cost does not penalise biases, "
            "so its gradient has no such term there.", "add lambda_ / m * theta[:, 1:] to columns 1: only."),
    Mistake("gradient-lambda-over-2m", ("gradient_regularised",), "lambda / (2m) in the gradient",
            "The derivative of lambda / (2m) * theta^2 is lambda / m * theta: the 2 cancels.",
            "use lambda_ / m in the gradient."),
    Mistake("gradient-regularises-one-matrix", ("gradient_regularised",), "only one matrix is regularised",
            "The cost penalises the weights of both Theta1 and Theta2, so the gradient of each matrix gets its "
            "own lambda / m term; here one of the two has none.",
            "after adding the penalty, compare the gradient of each matrix with that of lambda_ = 0: both should "
            "change, except in column 0."),
    Mistake("gradient-penalty-squared", ("gradient_regularised",), "the penalty's gradient uses Theta squared",
            "The penalty is lambda / (2m) times the squared weights; its derivative with respect to one weight is "
            "proportional to that weight, not to its square.",
            "differentiate lambda / (2m) * theta ** 2 with respect to theta before you code it."),
    Mistake("gradient-mse-output-delta", GRADIENT, "the output delta of a squared-error network",
            "With the cross-entropy cost the output delta is simply a - y; multiplying it by sigma'(z3) is "
            "the delta of a mean-squared-error cost.", "use delta3 = a3 - y."),
    Mistake("gradient-sigmoid-gradient-of-activation", GRADIENT, "sigma' is taken at the activations, not at z",
            "The hidden delta needs sigma'(z2), the derivative at the weighted sums; mySigmoidGradient(a2) "
            "applies the sigmoid twice.", "keep z2 from the forward pass and use mySigmoidGradient(z2)."),
    Mistake("gradient-theta2-wrong-columns", GRADIENT, "back-propagation uses the wrong columns of Theta2",
            "The hidden delta is delta3 @ Theta2 without its bias column 0; dropping another column mixes up "
            "which hidden unit gets which error.", "use thetaTwo[:, 1:]."),
    Mistake("gradient-wrong-sign", GRADIENT, "the gradient has the wrong sign",
            "With y - a as the output delta the gradient points uphill, and descent would increase the cost.",
            "use delta3 = a3 - y."),
    Mistake("gradient-ravel-order", GRADIENT, "the gradient matrices are flattened in the wrong order",
            "nnThetas is the row-by-row (C order) ravel of Theta1 then Theta2; the gradient must be flattened "
            "the same way, or each number lands on another parameter.",
            "np.ravel(grad) without order='F' and without transposing, Theta1's gradient first."),
    Mistake("parameters-column-order", COST + GRADIENT,
            "your parameters are laid out in column order (MATLAB's); this course packs row by row",
            "nnThetas is read column by column here (reshape with order='F', as MATLAB's reshape does), but the "
            "course packs it row by row (numpy's C order): Theta1 then Theta2, each flattened row by row, so each "
            "number lands on another weight than the code thinks. A port that packs its gradient column by column "
            "too agrees with its own cost (its gradient check passes), yet both disagree with the course.",
            "reshape nnThetas and ravel the gradient matrices in numpy's default order, in both functions."),
    Mistake("gradient-bias-columns-missing", GRADIENT, "the gradient has no entries for the biases",
            "The cost depends on the biases (column 0 of each Theta) too, so its gradient has an entry for "
            "each of them. Multiplying the deltas by activations without their column of ones (X, or the "
            "hidden activations before the ones are added), or keeping only columns 1:, leaves them out.",
            "each gradient matrix must have exactly the shape of its Theta; compare the two shapes before "
            "you ravel."),
    Mistake("gradient-hidden-delta-without-slope", GRADIENT, "the hidden delta has no sigma'(z2)",
            "Equation 4 weighs the output errors by Theta2's weights and then multiplies by the slope of the "
            "hidden units, sigma'(z2); without that factor the hidden layer's gradient is wrong.",
            "look at the shape of delta3 @ Theta2[:, 1:] and multiply it elementwise by the slope at z2."),
    Mistake("gradient-hidden-delta-bias-kept", GRADIENT, "the hidden deltas keep the bias unit",
            "delta3 @ Theta2 has one column per hidden unit plus one for the bias unit, which has no weights "
            "into it (column 0); keeping it gives Theta1's gradient an extra row, so the gradient is "
            "inputLayerSize + 1 numbers too long.", "drop column 0 of the hidden errors, or use Theta2[:, 1:], "
            "before multiplying by the inputs."),
    Mistake("gradient-divided-by-m-twice", GRADIENT, "the gradient is divided by m twice",
            "The deltas were already averaged (divided by m) and the gradient is divided by m again, so it is m "
            "times too small.", "divide by m in one place only: either the deltas or the two gradient matrices."),
    Mistake("gradient-penalty-over-m-squared", ("gradient_regularised",), "lambda / m^2 in the gradient's penalty",
            "The penalty's gradient is lambda / m * Theta, added after the averaged data term; here it is divided "
            "by m once more (for example (Delta + lambda / m * Theta) / m).",
            "divide the data term by m, then add lambda_ / m times the weights."),
    Mistake("hard-coded-sizes", COST + GRADIENT, "the layer sizes are typed in",
            "The function is right for the 784-25-10 network but fails for other sizes: it uses 784, 25 or 10 "
            "instead of its size arguments.", "use inputLayerSize, hiddenLayerSize and classLabels everywhere."),
    Mistake("modifies-input", COST + GRADIENT, "the function changes its input arrays",
            "Writing into a reshaped view of nnThetas (or into X, y) changes the caller's arrays; fmin_cg's "
            "parameters then change behind its back.", "work on copies, e.g. theta = theta.copy()."),
    Mistake("uses-global-training-set", COST + GRADIENT, "the notebook's training set is used instead of X and y",
            "The function computes on the global XTrain and yTrain, whatever X and y it is given.",
            "use only the function's arguments X and y."),
    Mistake("convolution-flipped-kernel", ("convolution",), "the kernel is flipped",
            "A textbook convolution flips the kernel; convolutional networks, and this exercise, do not "
            "(a cross-correlation).", "multiply window * kernel without np.flip or [::-1]."),
    Mistake("convolution-no-padding", ("convolution",), "the image is not padded",
            "Without a frame of zeros the output is two pixels smaller than the image in each direction.",
            "padded = np.pad(image, 1) and loop over the original image's rows and columns."),
    Mistake("convolution-off-by-one", ("convolution",), "the border pixels are skipped",
            "The loops leave out the first and last row and column, which stay 0.",
            "loop over range(rows) and range(cols) of the original image."),
    Mistake("convolution-rows-columns-swapped", ("convolution",), "rows and columns are swapped",
            "The output comes out transposed: rows and columns are exchanged somewhere in the loops or the "
            "indexing.", "write output[row, col] from padded[row:row + 3, col:col + 3]."),
    Mistake("convolution-padded-with-ones", ("convolution",), "the image is padded with ones",
            "Zero padding adds zeros around the image; padding with ones creates bright false edges at the "
            "border.", "np.pad(image, 1) pads with zeros."),
    Mistake("convolution-shifted-window", ("convolution",), "the window is one pixel up and left of its pixel",
            "Padding moves every pixel of the image one row down and one column right, so a 3 x 3 slice of the "
            "padded image that starts one row and one column before (row, col) is centred on the image's pixel "
            "(row - 1, col - 1): the edge map comes out shifted one pixel down and right, and the first row "
            "and column cannot be computed.",
            "find where pixel (0, 0) of the image lies in the padded image, and which 3 x 3 slice of the "
            "padded image has it at its centre."),
    Mistake("convolution-matrix-product", ("convolution",), "the window and the kernel are matrix-multiplied",
            "window @ kernel (or np.dot) is a matrix product, which mixes rows with columns; the convolution "
            "multiplies each pixel of the window by the kernel weight at the same place and adds the nine "
            "products.", "use the elementwise product *, then sum."),
    Mistake("convolution-absolute-value", ("convolution",), "absolute values in the sum",
            "The edge map keeps its sign: a change from dark to light gives a positive response, from light to "
            "dark a negative one; np.abs or abs removes that.", "sum window * kernel as it is, without abs."),
    Mistake("convolution-edge-padding", ("convolution",), "the border is padded with copies of the image",
            "np.pad with mode='edge', 'reflect' or 'symmetric' repeats the image's own pixels around it; the "
            "exercise pads with zeros.", "np.pad(image, 1) pads with zeros (mode='constant')."),
    Mistake("training-wrong-lambda", ("trained_network",), "trained with another lambda",
            "The part asks for lambda = 1.", "pass args=(XTrain, yTrain, 1) to fmin_cg."),
    Mistake("training-too-few-iterations", ("trained_network",), "too few iterations",
            "fmin_cg stopped before 60 iterations, so the network is not trained as far as asked.",
            "pass maxiter=60."),
    Mistake("plot-bias-included", ("hidden_weights_plot",), "the bias is drawn, or a weight is missing",
            "Each picture must be the unit's 784 input weights, columns 1 to 784 of Theta1; column 0 is the "
            "bias.", "draw thetaOne[unit, 1:].reshape(28, 28)."),
    Mistake("plot-transposed", ("hidden_weights_plot",), "the pictures are transposed",
            "The 784 weights are the pixels row by row, so reshape(28, 28) already gives the picture; "
            "transposing mirrors it along the diagonal.", "reshape(28, 28) in row order: without .T or order='F'."),
    Mistake("plot-units-out-of-order", ("hidden_weights_plot",), "the units are drawn out of order",
            "Each picture shows a hidden unit's weights, but not in unit order: the grid is filled column by "
            "column (order='F', axes[unit % side, unit // side]) or backwards, so picture k is not unit k.",
            "fill the grid row by row: the k-th axes of np.ravel(axes) gets unit k."),
    Mistake("plot-units-missing", ("hidden_weights_plot",), "some units are not drawn",
            "Every hidden unit needs a picture; here the last ones are missing: the grid has fewer cells than units "
            "(int(np.sqrt(n)) rounds down) or the loop stops one unit early.",
            "count the pictures for 10 hidden units: the grid needs ceil(sqrt(n)) rows and columns."),
)

BY_ID = {mistake.id: mistake for mistake in CATALOGUE}


def message(mistake_id: str) -> str:
    return BY_ID[mistake_id].message()
