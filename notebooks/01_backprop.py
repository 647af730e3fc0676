# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Backpropagation from scratch
#
# In this notebook you build, check and train a neural network that reads handwritten digits,
# with nothing but numpy and linear algebra. Step by step you will:
#
# 1. compute the network's **cost** (feedforward pass and cross-entropy),
# 2. write **`mySigmoidGradient`**, the slope of the sigmoid, then recall the **four equations of
#    backpropagation** and work them through on a toy network,
# 3. write **`nnGradientFunction`**, backpropagation in a few matrix products,
# 4. **check your gradient** against numerical derivatives,
# 5. add **regularisation** to the gradient,
# 6. **train** the network with `scipy.optimize.fmin_cg`,
# 7. measure its **accuracy** and look at its mistakes,
# 8. **look inside**: what each hidden unit has learned.
#
# **How you are graded.** Cells that start with `# YOUR CODE HERE` are yours. Every graded part is
# followed by a test cell: run it, and a silent cell means the visible checks passed. When you
# submit, the same cells run again with more (hidden) checks: different network sizes, random data,
# and numerical gradients. Write general code, not code that passes the visible examples.
#
# There is a lot of maths below. It is there to help: if a recap is familiar, skip it. The goal is
# to implement backpropagation with linear algebra and to understand what it computes.

# %%
import matplotlib.pyplot as plt
import numpy as np
from scipy.optimize import fmin_cg

from backprop_lab.student import course

# %% [markdown]
# ## The data
#
# 5,000 real handwritten digits from the MNIST data set, 28 × 28 pixels each, scaled to [0, 1].
# Each row of `XTrain` is one image flattened to 784 numbers; each row of `yTrain` is its label
# **one-hot encoded**: digit 3 becomes `[0, 0, 0, 1, 0, 0, 0, 0, 0, 0]`. 4,000 digits are for
# training, 1,000 are kept apart to test the network on digits it has never seen.

# %%
savedData = np.load(course.dataFile("dataMNISTNeuralNetwork.npz"))
XTrain, XTest = savedData["XTrain"], savedData["XTest"]
yTrain, yTest = savedData["yTrain"], savedData["yTest"]
print("XTrain", XTrain.shape, "yTrain", yTrain.shape, "XTest", XTest.shape, "yTest", yTest.shape)
print("The first label, one-hot:", yTrain[0], "-> digit", np.argmax(yTrain[0]))
course.plotDigits(XTrain, np.argmax(yTrain, axis=1), n=100, title="100 random training digits")
plt.show()

# %% [markdown]
# ## 1. Feedforward and cost
#
# Our network has three layers: 784 inputs (one per pixel), 25 hidden units and 10 output units
# (one per digit). Every unit computes a weighted sum $z$ of its inputs plus a bias, and passes it
# through the sigmoid $\sigma(z) = \frac{1}{1 + e^{-z}}$.
#
# The parameters of a layer form a matrix with **one row per unit** and **the bias in column 0**:
#
# * $\Theta^{(1)}$ has shape 25 × 785 (784 weights plus a bias for each hidden unit),
# * $\Theta^{(2)}$ has shape 10 × 26 (25 weights plus a bias for each output unit).
#
# **Indices, used the same way everywhere below.** Layer 1 is the input, layer 2 the hidden layer,
# layer 3 the output. $\Theta^{(l)}$ takes layer $l$ to layer $l + 1$: $\Theta^{(l)}_{jk}$ is the weight
# from unit $k$ of layer $l$ to unit $j$ of layer $l + 1$. Units are counted from 1, and $k = 0$ is the
# bias, which multiplies a constant $a^{(l)}_0 = 1$. So row $j$ belongs to unit $j$ of the next layer
# (numpy row `j - 1`) and column $k$ to what it reads (numpy column `k`): column 0 the bias, columns
# $1, 2, \dots$ the activations of layer $l$.
#
# Optimisers such as `fmin_cg` want one flat vector of parameters, so we pass them around as
# `nnThetas = np.append(np.ravel(thetaOneMatrix), np.ravel(thetaTwoMatrix))`:
# $\Theta^{(1)}$ first, row by row, then $\Theta^{(2)}$: $25 \cdot 785 + 10 \cdot 26 = 19{,}885$ numbers.
#
# Here is the sigmoid; run the cell.

# %%
def mySigmoid(z):
    """Logistic function 1 / (1 + exp(-z)), elementwise on scalars or arrays."""
    return 1 / (1 + np.exp(-np.asarray(z, dtype=float)))


print(mySigmoid(0), mySigmoid(np.array([-5, 0, 5])))

# %% [markdown]
# ### The forward pass in matrix form
#
# Loops over units and examples are slow and hide the structure. With matrices, one product handles
# every unit and every example at once. Put the $m$ examples in the rows of $X$, add a column of
# ones (it multiplies the biases), then
#
# $$A^{(1)} = [\mathbf{1}, X], \quad Z^{(2)} = A^{(1)} {\Theta^{(1)}}^T, \quad A^{(2)} = [\mathbf{1}, \sigma(Z^{(2)})], \quad Z^{(3)} = A^{(2)} {\Theta^{(2)}}^T, \quad A^{(3)} = \sigma(Z^{(3)})$$
#
# Row $i$ of every matrix belongs to example $i$; each column of $Z^{(2)}$ to one hidden unit. Here is
# that forward pass on a **toy network** that comes back in part 2: two inputs, two hidden units, three
# output units, and two training examples (one per row):
#
# ![Forward pass of the toy network](../images/toy_forward.png)
#
# The toy network lives in the course package. Check the shapes in numpy:

# %%
from backprop_lab.student import toy

A1 = np.c_[np.ones((2, 1)), toy.X]
Z2 = A1 @ toy.THETA1.T
A2 = np.c_[np.ones((2, 1)), mySigmoid(Z2)]
A3 = mySigmoid(A2 @ toy.THETA2.T)
print("A1", A1.shape, "Z2", Z2.shape, "A2", A2.shape, "A3", A3.shape)
print(np.round(A3, 3))

# %% [markdown]
# In our network, row $i$ of $A^{(3)}$ holds the ten output activations $a^{(3)}_j$ of example $i$.
#
# **Cost.** Each output unit is a logistic regression, so we use the cross-entropy, summed over
# the $K = 10$ outputs and averaged over the $m$ examples:
#
# $$J(\Theta) = -\frac{1}{m} \sum_{i=1}^{m} \sum_{j=1}^{K} \Big[ y^{(i)}_j \log a^{(3)(i)}_j + \big(1 - y^{(i)}_j\big) \log\big(1 - a^{(3)(i)}_j\big) \Big] + \frac{\lambda}{2m} \Big[ \sum_{j} \sum_{k \geq 1} \big(\Theta^{(1)}_{jk}\big)^2 + \sum_{j} \sum_{k \geq 1} \big(\Theta^{(2)}_{jk}\big)^2 \Big]$$
#
# The second term is **L2 regularisation**: it penalises large weights to fight overfitting. It
# **skips the biases** (column 0, $k = 0$), since shifting a unit's threshold does not make the
# network any more complex.
#
# ### Your turn: `nnCostFunction`
#
# Write `nnCostFunction`. It returns one number: $J(\Theta)$ above.
#
# * Reshape `nnThetas` into the two matrices with `np.reshape` (use the size arguments, never 784, 25 or 10 typed in).
# * Do the forward pass with `@` (matrix product); add the column of ones with `np.c_[np.ones((m, 1)), X]`.
# * `y` is already one-hot, with shape (m, classLabels).
# * Add `smallValueToRemoveInfinity` inside both logarithms, so that $\log 0$ never happens.
# * Regularise every column except column 0 of each matrix: `thetaOneMatrix[:, 1:]`.
# * Use only the arguments: the hidden checks call your function with other data and other layer sizes.

# %% nbgrader="solution" grade_id="nnCostFunction"
def nnCostFunction(nnThetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10,
                   smallValueToRemoveInfinity=1e-12):
    """Regularised cross-entropy cost of the two-layer network. -> float

    nnThetas: (hiddenLayerSize * (inputLayerSize + 1) + classLabels * (hiddenLayerSize + 1),)
    X: (m, inputLayerSize); y: (m, classLabels) one-hot; lambda_: regularisation strength.
    """
    ### BEGIN SOLUTION
    m = len(X)
    hiddenLayerParamNr = hiddenLayerSize * (inputLayerSize + 1)
    thetaOneMatrix = np.reshape(nnThetas[:hiddenLayerParamNr], (hiddenLayerSize, inputLayerSize + 1))
    thetaTwoMatrix = np.reshape(nnThetas[hiddenLayerParamNr:], (classLabels, hiddenLayerSize + 1))

    activationsHL = mySigmoid(X @ thetaOneMatrix[:, 1:].T + thetaOneMatrix[:, 0])
    activationsOL = mySigmoid(activationsHL @ thetaTwoMatrix[:, 1:].T + thetaTwoMatrix[:, 0])

    J = -np.sum(y * np.log(activationsOL + smallValueToRemoveInfinity)
                + (1 - y) * np.log(1 - activationsOL + smallValueToRemoveInfinity)) / m
    penalty = np.sum(thetaOneMatrix[:, 1:] ** 2) + np.sum(thetaTwoMatrix[:, 1:] ** 2)
    return float(J + lambda_ / (2 * m) * penalty)
    ### END SOLUTION


# %% nbgrader="tests" grade_id="cost_unregularised" points=2
"""Does nnCostFunction compute the unregularised cross-entropy?"""
zeroThetas = np.zeros(25 * 785 + 10 * 26)
cost = nnCostFunction(zeroThetas, XTrain, yTrain)
assert np.ndim(cost) == 0, "nnCostFunction should return a single number"
# With every parameter 0, every output is sigma(0) = 0.5, and each of the 10 outputs costs log(2).
assert np.isclose(cost, 10 * np.log(2)), f"With all parameters zero the cost should be 10 log 2 = 6.931, got {cost}"
# A known answer where every parameter differs, so a transposed or mis-sliced matrix shows: the toy
# network of part 1 (2 inputs, 2 hidden units, 3 classes, 2 examples).
from backprop_lab.student import toy
toySizes = dict(inputLayerSize=toy.INPUT_SIZE, hiddenLayerSize=toy.HIDDEN_SIZE, classLabels=toy.N_CLASSES)
toyCost = nnCostFunction(toy.thetas(), toy.X, toy.Y, 0, **toySizes)
assert np.isclose(toyCost, 2.3307638, rtol=1e-5), (
    f"On the toy network with lambda = 0 the cost should be 2.3307638, got {toyCost}. Check how the parameters are "
    "unpacked (row by row, Theta1 first) and that the layer sizes come from the arguments, not typed in.")
### BEGIN HIDDEN TESTS
from backprop_lab.judging import checks
checks.check_cost(nnCostFunction, regularised=False)
### END HIDDEN TESTS

# %% nbgrader="tests" grade_id="cost_regularised" points=2
"""Does nnCostFunction add lambda / (2m) times the squared weights, leaving the biases out?"""
# Every weight 0.1 and every bias 1: a penalty on the biases would be easy to spot.
someThetas = np.full(25 * 785 + 10 * 26, 0.1)
someThetas[:25 * 785].reshape(25, 785)[:, 0] = 1
someThetas[25 * 785:].reshape(10, 26)[:, 0] = 1
penalty = nnCostFunction(someThetas, XTrain, yTrain, lambda_=10) - nnCostFunction(someThetas, XTrain, yTrain)
# 25 * 784 + 10 * 25 = 19,850 weights (biases excluded), each 0.1 squared, and m = 4,000.
expectedPenalty = 10 / (2 * len(XTrain)) * 19850 * 0.1 ** 2
assert np.isclose(penalty, expectedPenalty, rtol=1e-4), (
    f"With every weight 0.1, every bias 1 and lambda_ = 10 the penalty should be {expectedPenalty:.5f}, got {penalty:.5f}. "
    "Are the biases (column 0) left out, and is it lambda / (2m)?")
from backprop_lab.student import toy
toySizes = dict(inputLayerSize=toy.INPUT_SIZE, hiddenLayerSize=toy.HIDDEN_SIZE, classLabels=toy.N_CLASSES)
toyCost = nnCostFunction(toy.thetas(), toy.X, toy.Y, 1, **toySizes)
assert np.isclose(toyCost, 3.1932638, rtol=1e-5), (
    f"On the toy network with lambda = 1 the cost should be 3.1932638, got {toyCost}")
### BEGIN HIDDEN TESTS
from backprop_lab.judging import checks
checks.check_cost(nnCostFunction, regularised=True)
### END HIDDEN TESTS

# %% [markdown]
# ## 2. Backpropagation
#
# Training means changing every weight and bias so that the cost goes down, so we need the partial
# derivative of the cost with respect to each of them. Backpropagation computes them all, and every
# one of them passes through the slope of the sigmoid.
#
# ### The slope of the sigmoid
#
# The derivative of the sigmoid is
#
# $$\sigma'(z) = \sigma(z)\,\big(1 - \sigma(z)\big),$$
#
# taken at the weighted sum $z$ (so $\sigma'(0) = 0.5 \cdot 0.5 = 0.25$). Two versions circulate that
# are wrong: $\sigma(z) \cdot \sigma(1 - z)$, and the right formula applied to the activation $a$
# instead of to $z$.
#
# ### Your turn: `mySigmoidGradient`
#
# Write $\sigma'(z) = \sigma(z)(1 - \sigma(z))$ for a scalar or an array `z`, using `mySigmoid`.

# %% nbgrader="solution" grade_id="mySigmoidGradient"
def mySigmoidGradient(z):
    """Derivative of the sigmoid at the weighted sums z (scalar or array, same shape out)."""
    ### BEGIN SOLUTION
    sigmoidOfZ = mySigmoid(z)
    return sigmoidOfZ * (1 - sigmoidOfZ)
    ### END SOLUTION


# %% nbgrader="tests" grade_id="sigmoid_gradient" points=1
"""Is mySigmoidGradient sigma(z) (1 - sigma(z))?"""
assert np.isclose(mySigmoidGradient(0), 0.25), f"sigma'(0) should be 0.25, got {mySigmoidGradient(0)}"
assert np.shape(mySigmoidGradient(np.zeros((2, 3)))) == (2, 3), "mySigmoidGradient should keep the shape of z"
someGradients = mySigmoidGradient(np.array([-2.0, 0.5, 3.0]))
assert np.allclose(someGradients, [0.1049936, 0.2350037, 0.0451767], rtol=1e-5), (
    f"sigma'(z) at z = -2, 0.5, 3 should be 0.1049936, 0.2350037, 0.0451767, got {someGradients}")
### BEGIN HIDDEN TESTS
from backprop_lab.judging import checks
checks.check_sigmoid_gradient(mySigmoidGradient)
### END HIDDEN TESTS

# %% [markdown]
# ### Recap: the four equations
#
# *Skip this recap if you know it by heart.* The chain rule builds each partial derivative from small
# local derivatives:
#
# ![The chain rule for one weight](../images/chain_rule.png)
#
# Notation, for layer $l$: $w^{(l)}_{jk}$ is the weight from unit $k$ of layer $l-1$ to unit $j$ of
# layer $l$, $b^{(l)}_j$ is the bias of unit $j$,
# $z^{(l)}_j = \sum_k w^{(l)}_{jk} a^{(l-1)}_k + b^{(l)}_j$ its weighted sum and
# $a^{(l)}_j = \sigma(z^{(l)}_j)$ its activation.
#
# **Mind the layer index.** Here a weight is named after the layer it *feeds*, while $\Theta^{(l)}$ is
# named after the layer it *reads*. The same numbers, one layer apart:
#
# $$\Theta^{(l)} = \big[\, b^{(l+1)} \;\big|\; W^{(l+1)} \,\big], \qquad \Theta^{(l)}_{j0} = b^{(l+1)}_j, \qquad \Theta^{(l)}_{jk} = w^{(l+1)}_{jk} \ (k \geq 1).$$
#
# So `thetaTwoMatrix[:, 1:]` is $W^{(3)}$, the weights into the output layer, and `thetaTwoMatrix[:, 0]`
# is $b^{(3)}$. The letters $j$ (the unit that receives) and $k$ (the unit it reads) mean the same in
# both.
#
# **The four equations.** Call $\delta^{(l)}_j = \frac{\partial C}{\partial z^{(l)}_j}$ the *error* of unit $j$ in layer $l$.
#
# 1. **Error of an output unit:** $\delta^{(L)}_j = \frac{\partial C}{\partial a^{(L)}_j}\,\sigma'(z^{(L)}_j)$.
#    For the cross-entropy, $\frac{\partial C}{\partial a} = \frac{a - y}{a(1 - a)}$ and $\sigma'(z) = a(1-a)$, so the two cancel:
#    $$\delta^{(L)}_j = a^{(L)}_j - y_j.$$
# 2. **Bias:** since $\frac{\partial z^{(l)}_j}{\partial b^{(l)}_j} = 1$, $\quad \frac{\partial C}{\partial b^{(l)}_j} = \delta^{(l)}_j$.
# 3. **Weight:** since $\frac{\partial z^{(l)}_j}{\partial w^{(l)}_{jk}} = a^{(l-1)}_k$, $\quad \frac{\partial C}{\partial w^{(l)}_{jk}} = a^{(l-1)}_k\,\delta^{(l)}_j$.
# 4. **Error of a hidden unit:** $\frac{\partial z^{(l)}_j}{\partial a^{(l-1)}_k} = w^{(l)}_{jk}$, *one* weight. The sum
#    comes from the chain rule, because unit $k$ feeds every unit $j$ of the next layer:
#    $$\delta^{(l-1)}_k = \Big(\sum_j w^{(l)}_{jk}\,\delta^{(l)}_j\Big)\,\sigma'(z^{(l-1)}_k).$$
#
# For $m$ examples the cost is the average of the examples' costs, so every gradient is the average
# of the examples' gradients.
#
# **Executive summary:** start with $\delta^{(L)} = a^{(L)} - y$; a bias's gradient is its unit's
# $\delta$; a weight's gradient is its input activation times its unit's $\delta$; to go back a layer,
# weigh the errors by the same weights as the forward pass and multiply by $\sigma'(z)$.
#
# ### A worked example
#
# Back to the toy network of part 1: two inputs, two hidden units and three outputs. For the example
# shown, the label is class 1, so $y = (1, 0, 0)$ and the output errors are simply $a - y$:
#
# ![The example network](../images/example_network.png)
#
# The numbers come from this cell:

# %%
worked = toy.forward()
print("output activations a:", np.round(worked["A3"][0], 3))
print("label y:             ", toy.Y[0])
print("output deltas a - y: ", np.round(worked["DELTA3"][0], 3))

# %% [markdown]
# ### Backpropagation with matrices
#
# The forward pass of part 1 handled all examples at once; so does the backward pass. Stack the output errors of the examples as rows: $\delta^{(3)} = A^{(3)} - Y$, shape $m \times K$.
#
# ![Deltas of the toy network](../images/toy_deltas.png)
#
# 1. **Gradient of the output layer.** Equations 2 and 3 say: a unit's $\delta$ times the
#    activations that went into it, where the bias's "activation" is the 1 in column 0. As a product
#    it sums over the examples, so divide by $m$ to average:
#    $$D^{(2)} = \frac{1}{m}\,\Delta^{(2)} = \frac{1}{m}\,{\delta^{(3)}}^T A^{(2)} \qquad (K \times (h+1)\text{, the shape of } \Theta^{(2)})$$
#    ($\Delta$ is the sum over the examples, $D$ the average: the gradient.)
# 2. **Back to the hidden layer.** Equation 4: weigh the errors by the weights, **without the bias
#    column** (a bias has no input to pass an error back to), then multiply elementwise ($\odot$, `*`
#    in numpy) by $\sigma'$ of the hidden weighted sums:
#    $$\delta^{(2)} = \big(\delta^{(3)}\, \Theta^{(2)}_{[:, 1:]}\big) \odot \sigma'(Z^{(2)}) \qquad (m \times h)$$
# 3. **Gradient of the hidden layer.** The same as step 1, with the inputs as activations:
#    $$D^{(1)} = \frac{1}{m}\,{\delta^{(2)}}^T A^{(1)} \qquad (h \times (n+1)\text{, the shape of } \Theta^{(1)})$$
#
# ### Why the parameters start random
#
# If every parameter started at the same value, every hidden unit would compute the same thing,
# receive the same error and the same gradient, and stay identical to the others forever: 25 copies of
# one unit. Random initial values break this **symmetry**. You will see it happen after the next
# exercise.
#
# **How random?** The notebook draws every parameter uniformly from $[-\varepsilon_{\text{init}},
# \varepsilon_{\text{init}}]$ with $\varepsilon_{\text{init}} = 0.12$. Small, so that the weighted sums
# start near 0, where the sigmoid is steepest ($\sigma'(0) = 0.25$) and the gradients are largest; large
# weights would push $z$ to where $\sigma'(z)$ is nearly 0 and learning crawls. A common rule (Glorot and
# Bengio, 2010) sizes the range to the layer:
# $\varepsilon_{\text{init}} = \sqrt{6} / \sqrt{n_{\text{in}} + n_{\text{out}}}$ for a layer that reads
# $n_{\text{in}}$ units and has $n_{\text{out}}$. The 0.12 comes from the exercise this notebook grew
# out of, whose digits had 20 × 20 = 400 pixels: $\sqrt{6} / \sqrt{400 + 25} = 0.119$. For our
# $\Theta^{(1)}$ (784 inputs, 25 hidden units) the rule gives $\sqrt{6} / \sqrt{784 + 25} = 0.086$, and
# for $\Theta^{(2)}$ (25 hidden units, 10 outputs) $\sqrt{6} / \sqrt{25 + 10} = 0.414$. One range for
# both layers is a simplification; what matters most is that the values are small and not all equal.
#
# ## 3. Your turn: `nnGradientFunction`
#
# Write backpropagation. `nnGradientFunction` takes the same arguments as `nnCostFunction` and returns
# the gradient as one flat array, as long as `nnThetas` (19,885 numbers at the default sizes):
#
# * start like `nnCostFunction`: reshape, forward pass (keep $Z^{(2)}$: you need $\sigma'(Z^{(2)})$);
# * $\delta^{(3)} = A^{(3)} - y$;
# * follow steps 1-3 above; use `mySigmoidGradient`;
# * return `np.append(np.ravel(gradThetaOne), np.ravel(gradThetaTwo))`: same order as `nnThetas`.
#
# Ignore `lambda_` for now: regularisation comes in part 5. If you are stuck, print the `.shape` of
# every matrix.
#
# **Part 5 rewrites this function.** There you write `nnGradientFunction` again, with regularisation,
# and from then on every cell uses that version. A bug you find later in one is in the other too: fix
# it in both cells, and run both test cells again.

# %% nbgrader="solution" grade_id="nnGradientFunction"
def nnGradientFunction(nnThetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10,
                       smallValueToRemoveInfinity=1e-12):
    """Gradient of nnCostFunction (without regularisation), by backpropagation. -> (len(nnThetas),)"""
    ### BEGIN SOLUTION
    m = len(X)
    hiddenLayerParamNr = hiddenLayerSize * (inputLayerSize + 1)
    thetaOneMatrix = np.reshape(nnThetas[:hiddenLayerParamNr], (hiddenLayerSize, inputLayerSize + 1))
    thetaTwoMatrix = np.reshape(nnThetas[hiddenLayerParamNr:], (classLabels, hiddenLayerSize + 1))

    weightedSumHL = X @ thetaOneMatrix[:, 1:].T + thetaOneMatrix[:, 0]
    activationsHL = mySigmoid(weightedSumHL)
    activationsOL = mySigmoid(activationsHL @ thetaTwoMatrix[:, 1:].T + thetaTwoMatrix[:, 0])

    deltaOL = (activationsOL - y) / m
    deltaHL = (deltaOL @ thetaTwoMatrix[:, 1:]) * mySigmoidGradient(weightedSumHL)

    # Column 0 (biases) gets the summed deltas, the other columns delta^T times the activations.
    gradThetaOne = np.c_[deltaHL.sum(axis=0), deltaHL.T @ X]
    gradThetaTwo = np.c_[deltaOL.sum(axis=0), deltaOL.T @ activationsHL]
    return np.append(np.ravel(gradThetaOne), np.ravel(gradThetaTwo))
    ### END SOLUTION


# %% nbgrader="tests" grade_id="gradient" points=4
"""Does nnGradientFunction compute the unregularised gradient by backpropagation?"""
zeroThetas = np.zeros(25 * 785 + 10 * 26)
gradient = nnGradientFunction(zeroThetas, XTrain, yTrain)
assert np.shape(gradient) == (19885,), f"The gradient should be a flat array of 19,885 numbers, got shape {np.shape(gradient)}"
# With all parameters 0, every output is 0.5, so output unit k's bias gradient is
# mean(0.5 - y_k) = 0.5 - (fraction of training digits that are k).
outputBiasGradient = gradient[25 * 785:].reshape(10, 26)[:, 0]
expected = 0.5 - yTrain.mean(axis=0)
assert np.allclose(outputBiasGradient, expected, rtol=1e-4, atol=1e-6), (
    f"At zero parameters the output biases' gradient should be 0.5 - class frequency = {np.round(expected, 3)}, "
    f"got {np.round(outputBiasGradient, 3)}")
# The whole gradient where every parameter differs: the toy network of parts 1 and 2, 6 + 9 parameters.
from backprop_lab.student import toy
toySizes = dict(inputLayerSize=toy.INPUT_SIZE, hiddenLayerSize=toy.HIDDEN_SIZE, classLabels=toy.N_CLASSES)
toyThetas = toy.thetas()
toyGradient = nnGradientFunction(toyThetas, toy.X, toy.Y, 0, **toySizes)
assert np.array_equal(toyThetas, toy.thetas()), "nnGradientFunction changed nnThetas: work on copies"
expectedToyGradient = [0.0231590, -0.0477987, -0.0973817, 0.1129558, 0.1954768, 0.0607928,   # Theta1, row by row
                       0.1018107, 0.0675287, 0.1334062, 0.0559042, 0.0347689, -0.0459697,
                       0.5553219, 0.3602227, 0.3093008]                                        # Theta2, row by row
assert np.shape(toyGradient) == (15,), f"On the toy network the gradient should have 15 entries, got {np.shape(toyGradient)}"
assert np.allclose(toyGradient, expectedToyGradient, rtol=1e-4, atol=1e-6), (
    f"On the toy network (lambda = 0) the gradient should be\n{np.round(expectedToyGradient, 4)}\ngot\n"
    f"{np.round(toyGradient, 4)}.\nCompare the two: is one part wrong (Theta1: the first 6, Theta2: the last 9)?")
### BEGIN HIDDEN TESTS
from backprop_lab.judging import checks
checks.check_gradient(nnGradientFunction, regularised=False)
### END HIDDEN TESTS

# %% [markdown]
# Symmetry, as promised. Start every parameter at the same value, 0.05: every hidden unit then
# computes the same weighted sum, receives the same error and gets the same gradient, row for row of
# $\Theta^{(1)}$. A gradient step changes every row by the same amount, so the units stay alike: gradient
# descent can never make them different.
#
# (Why not start at 0? At zero parameters the weights of $\Theta^{(2)}$ are 0, so no error reaches the
# hidden layer and its whole gradient is exactly 0: identical rows, but they would prove nothing.)
#
# This cell uses your `nnGradientFunction`: it fails until part 3 is done.

# %%
constantThetas = np.full(25 * 785 + 10 * 26, 0.05)
hiddenRows = nnGradientFunction(constantThetas, XTrain, yTrain)[:25 * 785].reshape(25, 785)
identical = np.allclose(hiddenRows, hiddenRows[0], rtol=1e-9, atol=1e-15)
print("Hidden units 1 to 3, gradients of their weights in columns 400 to 403:\n", hiddenRows[:3, 400:404])
print("Are all 25 hidden units' gradients identical?", identical)
assert np.any(hiddenRows != 0), "At parameters 0.05 the hidden layer's gradient should not be all zero: check part 3"
assert identical, "Hidden units with equal parameters should get equal gradients: check part 3"

# %% [markdown]
# ## 4. Gradient checking
#
# Backpropagation is easy to get almost right. Check it against the definition of a derivative.
# The **central difference**
#
# $$\frac{\partial J}{\partial \theta_i} \approx \frac{J(\theta + \varepsilon e_i) - J(\theta - \varepsilon e_i)}{2\varepsilon}$$
#
# (with $e_i$ the vector that is 1 at position $i$ and 0 elsewhere) is accurate to about $\varepsilon^2$.
# Compare the two gradients with the **relative error**
#
# $$\frac{\lVert g_{\text{backprop}} - g_{\text{numerical}} \rVert}{\lVert g_{\text{backprop}} + g_{\text{numerical}} \rVert},$$
#
# which is around $10^{-9}$ or less for a correct float64 implementation; anything above $10^{-4}$ is a bug,
# and `checkGradients` below stops with an error. (A cost computed in float32 keeps only about 7 digits,
# and a step of $\varepsilon = 10^{-5}$ loses most of them in the difference; so `checkGradients` also tries
# $\varepsilon = 10^{-2}$, where a correct float32 cost gives about $10^{-5}$, and keeps the better of the two.
# A wrong gradient is wrong at every step.)
#
# **A classic trap.** `plusThetas = nnThetas; plusThetas[i] += e` does *not* copy: both names point to
# the same array, so every probe leaves the real parameters shifted. Always work on a copy, as below.
#
# Numerical gradients cost two cost evaluations per parameter: for 19,885 parameters and 4,000
# digits, that is minutes. Checking only "the first 500 parameters" is slow too and looks only at
# $\Theta^{(1)}$: a bug in $\Theta^{(2)}$ goes unseen. Instead we check **every** parameter of a small
# network, and the full network along a few **random directions** $d$, where the slope
# $\frac{J(\theta + \varepsilon d) - J(\theta - \varepsilon d)}{2\varepsilon}$ must equal $g \cdot d$.

# %%
def numericalGradient(costFunction, nnThetas, e=1e-5):
    """Central-difference gradient of costFunction at nnThetas, which it never modifies."""
    numerical = np.zeros(len(nnThetas))
    for i in range(len(nnThetas)):
        probe = np.array(nnThetas, dtype=float)  # a fresh copy for every parameter
        probe[i] += e
        plusCost = costFunction(probe)
        probe[i] -= 2 * e
        minusCost = costFunction(probe)
        numerical[i] = (plusCost - minusCost) / (2 * e)
    return numerical


def relativeError(a, b):
    """||a - b|| / ||a + b||"""
    return np.linalg.norm(a - b) / np.linalg.norm(a + b)


def checkGradients(lambda_=0, directions=10, seed=0, tolerance=1e-4, steps=(1e-5, 1e-2)):
    """Check nnGradientFunction against central differences of nnCostFunction: every parameter of a
    small 3-5-3 network, then the full network along random unit directions. Each check keeps the
    better of the two steps (the larger one is for costs computed in float32), and fails above tolerance."""
    rng = np.random.default_rng(seed)
    sizes = dict(inputLayerSize=3, hiddenLayerSize=5, classLabels=3)
    smallThetas = rng.uniform(-1, 1, 5 * 4 + 3 * 6)
    smallX = rng.uniform(0, 1, (6, 3))
    smallY = np.eye(3)[rng.integers(0, 3, 6)]
    analytic = nnGradientFunction(smallThetas, smallX, smallY, lambda_, **sizes)
    smallError, smallStep = min(
        (relativeError(analytic, numericalGradient(lambda t: nnCostFunction(t, smallX, smallY, lambda_, **sizes),
                                                   smallThetas, e)), e) for e in steps)
    print(f"small network, every parameter:  relative error {smallError:.2e} (step {smallStep:g})")

    fullThetas = rng.uniform(-0.12, 0.12, 25 * 785 + 10 * 26)
    XSample, ySample = XTrain[:500], yTrain[:500]
    analytic = nnGradientFunction(fullThetas, XSample, ySample, lambda_)
    unitDirections = [d / np.linalg.norm(d) for d in rng.standard_normal((directions, len(fullThetas)))]
    predicted = np.array([analytic @ d for d in unitDirections])

    def slopes(e):
        return np.array([(nnCostFunction(fullThetas + e * d, XSample, ySample, lambda_)
                          - nnCostFunction(fullThetas - e * d, XSample, ySample, lambda_)) / (2 * e)
                         for d in unitDirections])

    fullError, fullStep = min((relativeError(predicted, slopes(e)), e) for e in steps)
    print(f"full network, {directions} random directions: relative error {fullError:.2e} (step {fullStep:g})")
    assert smallError < tolerance and fullError < tolerance, (
        f"nnGradientFunction and nnCostFunction disagree (relative error above {tolerance}). If the cost's tests "
        "pass, the gradient is wrong: compare it with the toy network's gradient in part 3's test.")


checkGradients(lambda_=0)

# %% [markdown]
# Both numbers should be below $10^{-7}$ or so. If they are not, look at which part of the gradient
# is off: print `analytic` and `numerical` side by side, reshaped into the two matrices.
#
# ## 5. The regularised gradient
#
# Regularisation adds $\frac{\lambda}{2m}\sum\theta^2$ to the cost, so its derivative adds
# $\frac{\lambda}{m}\theta$ to the gradient of every **weight**, and nothing to the biases:
#
# ![The regularised gradient](../images/regularised_gradient.png)
#
# **A trap.** A tempting shortcut is `thetaOneMatrix[:, 0] = 0` and then adding
# `lambda_ / m * thetaOneMatrix`. But `np.reshape` returns a *view* of `nnThetas`: writing into it
# silently sets the caller's biases to zero, in the middle of training. Work on a copy
# (`thetaOneMatrix.copy()`) or add the term to `gradThetaOne[:, 1:]` only.
#
# ### Your turn
#
# Write `nnGradientFunction` again (copy yours from part 3), now adding $\frac{\lambda}{m}\Theta$ to
# every column except column 0 of both gradient matrices. This version replaces part 3's for the rest
# of the notebook: if you fix a bug here, fix it in part 3 too (and the other way round).

# %% nbgrader="solution" grade_id="nnGradientFunctionRegularised"
def nnGradientFunction(nnThetas, X, y, lambda_=0, inputLayerSize=784, hiddenLayerSize=25, classLabels=10,
                       smallValueToRemoveInfinity=1e-12):
    """Gradient of the regularised nnCostFunction, by backpropagation. -> (len(nnThetas),)"""
    ### BEGIN SOLUTION
    m = len(X)
    hiddenLayerParamNr = hiddenLayerSize * (inputLayerSize + 1)
    thetaOneMatrix = np.reshape(nnThetas[:hiddenLayerParamNr], (hiddenLayerSize, inputLayerSize + 1))
    thetaTwoMatrix = np.reshape(nnThetas[hiddenLayerParamNr:], (classLabels, hiddenLayerSize + 1))

    weightedSumHL = X @ thetaOneMatrix[:, 1:].T + thetaOneMatrix[:, 0]
    activationsHL = mySigmoid(weightedSumHL)
    activationsOL = mySigmoid(activationsHL @ thetaTwoMatrix[:, 1:].T + thetaTwoMatrix[:, 0])

    deltaOL = (activationsOL - y) / m
    deltaHL = (deltaOL @ thetaTwoMatrix[:, 1:]) * mySigmoidGradient(weightedSumHL)

    gradThetaOne = np.c_[deltaHL.sum(axis=0), deltaHL.T @ X + lambda_ / m * thetaOneMatrix[:, 1:]]
    gradThetaTwo = np.c_[deltaOL.sum(axis=0), deltaOL.T @ activationsHL + lambda_ / m * thetaTwoMatrix[:, 1:]]
    return np.append(np.ravel(gradThetaOne), np.ravel(gradThetaTwo))
    ### END SOLUTION


# %% nbgrader="tests" grade_id="gradient_regularised" points=3
"""Does nnGradientFunction add lambda / m times the weights, leaving the biases and nnThetas alone?"""
rng = np.random.default_rng(1)
someThetas = rng.uniform(-0.12, 0.12, 25 * 785 + 10 * 26)
untouched = someThetas.copy()
difference = (nnGradientFunction(someThetas, XTrain[:100], yTrain[:100], lambda_=3)
              - nnGradientFunction(someThetas, XTrain[:100], yTrain[:100], lambda_=0))
assert np.array_equal(someThetas, untouched), "nnGradientFunction changed nnThetas: work on copies, not on reshaped views"
expected = 3 / 100 * someThetas.copy()
expected[:25 * 785].reshape(25, 785)[:, 0] = 0   # no regularisation for the biases
expected[25 * 785:].reshape(10, 26)[:, 0] = 0
assert np.allclose(difference, expected, rtol=1e-4, atol=1e-6), (
    "Regularisation should add lambda / m * Theta to every weight and nothing to the biases (column 0)")
# The whole regularised gradient on the toy network: the rewrite must keep the unregularised part right.
from backprop_lab.student import toy
toySizes = dict(inputLayerSize=toy.INPUT_SIZE, hiddenLayerSize=toy.HIDDEN_SIZE, classLabels=toy.N_CLASSES)
toyGradient = nnGradientFunction(toy.thetas(), toy.X, toy.Y, 1, **toySizes)
expectedToyGradient = [0.0231590, 0.1522013, -0.2473817, 0.1129558, 0.4954768, 0.3107928,   # Theta1, row by row
                       0.1018107, -0.1824713, 0.5334062, 0.0559042, 0.3847689, -0.3459697,
                       0.5553219, 0.4602227, 0.7593008]                                        # Theta2, row by row
assert np.allclose(toyGradient, expectedToyGradient, rtol=1e-4, atol=1e-6), (
    f"On the toy network with lambda = 1 the gradient should be\n{np.round(expectedToyGradient, 4)}\ngot\n"
    f"{np.round(toyGradient, 4)}")
### BEGIN HIDDEN TESTS
from backprop_lab.judging import checks
checks.check_gradient(nnGradientFunction, regularised=True)
### END HIDDEN TESTS

# %% [markdown]
# Run the gradient check once more, with regularisation:

# %%
checkGradients(lambda_=3)

# %% [markdown]
# ## 6. Training the network
#
# Time to learn. `fmin_cg` (conjugate gradients) minimises a function given its gradient: it calls
# `nnCostFunction` and `nnGradientFunction` with `args` appended to the parameters.
#
# ### Your turn
#
# Starting from `initialThetas`, minimise `nnCostFunction` with `fmin_cg` and assign what it returns to
# `trainedNeuralNetwork`:
#
# * give it your gradient with `fprime=nnGradientFunction`. Without `fprime`, fmin_cg estimates the
#   gradient by finite differences, one more cost evaluation per parameter: 19,885 for every gradient,
#   hours instead of seconds;
# * give it the data and $\lambda = 1$ with `args=(XTrain, yTrain, 1)`: fmin_cg appends `args` to the
#   parameters in every call of both functions;
# * pass `maxiter=60`, `full_output=1` and `retall=1`: you get back
#   `(xopt, fopt, func_calls, grad_calls, warnflag, allvecs)`, where `allvecs` holds the parameters
#   after every iteration.
#
# Write the call inside the `with` block: if training runs far longer than it should, it says why.
# It takes a few seconds, and fmin_cg warns that it stopped at `maxiter`: that is expected.
# (See [the documentation of fmin_cg](https://docs.scipy.org/doc/scipy/reference/generated/scipy.optimize.fmin_cg.html).)

# %% [markdown]
# ### Practice: random initialisation (no points)
#
# Write `randomWeights(rows, columns, epsilonInit, rng)`: a `(rows, columns)` matrix of numbers drawn
# uniformly from $[-\varepsilon_{\text{init}}, \varepsilon_{\text{init}}]$ with the random generator `rng`.
# The cell after it checks it; the training below starts from `initialThetas`, drawn the same way.

# %% nbgrader="solution" grade_id="randomWeights"
def randomWeights(rows, columns, epsilonInit, rng):
    """(rows, columns) weights drawn uniformly from [-epsilonInit, epsilonInit] with the generator rng."""
    ### BEGIN SOLUTION
    return rng.uniform(-epsilonInit, epsilonInit, size=(rows, columns))
    ### END SOLUTION


# %%
someWeights = randomWeights(25, 785, 0.12, np.random.default_rng(0))
assert np.shape(someWeights) == (25, 785), f"randomWeights(25, 785, ...) should have shape (25, 785), got {np.shape(someWeights)}"
assert np.all(np.abs(someWeights) <= 0.12), "every weight should lie in [-0.12, 0.12]"
# Uniform on [-e, e]: mean 0 and standard deviation e / sqrt(3) = 0.069, with 19,625 draws to average.
assert abs(np.mean(someWeights)) < 0.005 and abs(np.std(someWeights) - 0.12 / np.sqrt(3)) < 0.005, (
    f"uniform on [-0.12, 0.12] has mean 0 and spread 0.069; got mean {np.mean(someWeights):.3f}, "
    f"spread {np.std(someWeights):.3f}")
assert not np.allclose(someWeights, someWeights[0]), "every hidden unit should start differently: that breaks the symmetry"
print("randomWeights draws as it should.")

# %%
rng = np.random.default_rng(42)
initialThetas = np.append(np.ravel(rng.uniform(-0.12, 0.12, size=(25, 785))),
                          np.ravel(rng.uniform(-0.12, 0.12, size=(10, 26))))

# %% nbgrader="solution" grade_id="training"
with course.warnIfSlow(60, "Training takes a few seconds when fmin_cg has fprime=nnGradientFunction; without it, "
                           "it estimates every gradient from 19,885 cost evaluations: hours. Interrupt the "
                           "kernel (the ■ button) and check fprime and args."):
    ### BEGIN SOLUTION
    trainedNeuralNetwork = fmin_cg(nnCostFunction, initialThetas, fprime=nnGradientFunction,
                                   args=(XTrain, yTrain, 1), maxiter=60, full_output=1, retall=1)
    ### END SOLUTION

# %% nbgrader="tests" grade_id="trained_network" points=2
"""Did fmin_cg train the network with lambda = 1 for 60 iterations, and does it read digits?"""
assert isinstance(trainedNeuralNetwork, tuple) and len(trainedNeuralNetwork) == 6, (
    "trainedNeuralNetwork should be fmin_cg's full output: pass full_output=1 and retall=1")
assert np.shape(trainedNeuralNetwork[0]) == (19885,), "trainedNeuralNetwork[0] should hold the 19,885 trained parameters"
# warnflag 1: stopped at maxiter, as asked; 2: the line search failed, fmin_cg could not follow the gradient.
assert trainedNeuralNetwork[4] != 2, (
    "fmin_cg stopped early: its line search failed (warnflag 2), so it could not follow your gradient. Your cost "
    "and gradient disagree: run checkGradients (part 4) and fix what it finds, then train again. (The grader "
    "charges that mistake to the cost or gradient parts only: it runs this training cell again with a correct cost "
    "and gradient, and if your training call is right, this part keeps its points.)")
assert len(trainedNeuralNetwork[5]) == 61, (
    f"allvecs should hold the start and 60 iterations (61 vectors), got {len(trainedNeuralNetwork[5])}: pass maxiter=60")
# fopt is the cost fmin_cg minimised, at xopt: with lambda = 1 in args it is your lambda = 1 cost there.
lambdaOneCost = nnCostFunction(trainedNeuralNetwork[0], XTrain, yTrain, 1)
assert np.isclose(trainedNeuralNetwork[1], lambdaOneCost, rtol=1e-6), (
    f"fmin_cg minimised a cost that is {trainedNeuralNetwork[1]:.5f} at the end, but the lambda = 1 cost there is "
    f"{lambdaOneCost:.5f}: pass lambda = 1 in args, args=(XTrain, yTrain, 1)")
### BEGIN HIDDEN TESTS
from backprop_lab.judging import checks
checks.check_training(trainedNeuralNetwork, nnCostFunction, nnGradientFunction)
### END HIDDEN TESTS

# %% [markdown]
# **Stuck on the gradient?** Parts 7 and 8 need a trained network. If yours does not train yet, uncomment
# the line below to go on with one the course trained for you (500 iterations, $\lambda = 1$). It earns
# no training points: the test above fails for it, and so do the hidden tests. Once your gradient
# passes, comment it out again and run the training cell.

# %%
# trainedNeuralNetwork = course.standInTraining()

# %% [markdown]
# The cost after every iteration, from `allvecs`:

# %%
costPerIteration = [nnCostFunction(thetas, XTrain, yTrain, 1) for thetas in trainedNeuralNetwork[5]]
plt.figure(figsize=(6, 3.5))
plt.plot(costPerIteration, marker=".")
plt.xlabel("iteration of fmin_cg")
plt.ylabel("cost J (lambda = 1)")
plt.title("Training: cost per iteration")
plt.show()

# %% [markdown]
# ## 7. How well does it read digits?
#
# The predicted digit is the output unit with the largest activation (`np.argmax` along axis 1).
# To read the activations, write `forwardPass`: the first half of your `nnCostFunction`, unpacking
# and two layers, returning the output activations. It earns no points; the cell after it checks it
# on the toy network of part 1, whose parameters all differ, so a transposed or mis-sliced matrix shows.

# %% nbgrader="solution" grade_id="forwardPass"
def forwardPass(X, nnThetas, inputLayerSize=784, hiddenLayerSize=25, classLabels=10):
    """Output activations (m, classLabels) of the network for the inputs X (m, inputLayerSize)."""
    ### BEGIN SOLUTION
    hiddenLayerParamNr = hiddenLayerSize * (inputLayerSize + 1)
    thetaOne = np.reshape(nnThetas[:hiddenLayerParamNr], (hiddenLayerSize, inputLayerSize + 1))
    thetaTwo = np.reshape(nnThetas[hiddenLayerParamNr:], (classLabels, hiddenLayerSize + 1))
    hidden = mySigmoid(np.c_[np.ones((len(X), 1)), X] @ thetaOne.T)
    return mySigmoid(np.c_[np.ones((len(X), 1)), hidden] @ thetaTwo.T)
    ### END SOLUTION


# %%
toyOutputs = forwardPass(toy.X, toy.thetas(), toy.INPUT_SIZE, toy.HIDDEN_SIZE, toy.N_CLASSES)
assert np.allclose(toyOutputs, toy.forward()["A3"]), \
    f"forwardPass gives {np.round(toyOutputs, 3)} on the toy network, whose outputs are {np.round(toy.forward()['A3'], 3)}"
print("forwardPass gives the toy network's outputs.")

# %%
trainedThetas = trainedNeuralNetwork[0]
predictedTrain = np.argmax(forwardPass(XTrain, trainedThetas), axis=1)
predictedTest = np.argmax(forwardPass(XTest, trainedThetas), axis=1)
trueTrain, trueTest = np.argmax(yTrain, axis=1), np.argmax(yTest, axis=1)
trainAccuracy, testAccuracy = np.mean(predictedTrain == trueTrain), np.mean(predictedTest == trueTest)
print(f"Training set accuracy: {trainAccuracy:.1%}")
print(f"Test set accuracy:     {testAccuracy:.1%}")
# What 60 iterations with lambda = 1 reach (the hidden tests ask the same).
assert trainAccuracy >= 0.97 and testAccuracy >= 0.91, (
    "A network trained as in part 6 reads at least 97% of the training digits and 91% of the test digits. "
    "If forwardPass passed its check above, the training is the problem: do checkGradients and the "
    "training test pass?")

# %% [markdown]
# ### Practice: a learning curve (no points)
#
# `allvecs` holds the parameters after every iteration, so `forwardPass` can tell how well the network
# read digits at each step of its training. Draw the accuracy per iteration on the training and on the
# test digits.
#
# **Think about it.** Where does the test accuracy stop improving while the training accuracy still
# rises? Stopping the training there, judged on digits the network does not train on, is called
# **early stopping**: another way than $\lambda$ to keep a network from fitting details of its
# training digits. (In practice it is judged on a validation set, kept apart from the test set.)

# %% nbgrader="solution" grade_id="learningCurve"
### BEGIN SOLUTION
trainCurve = [np.mean(np.argmax(forwardPass(XTrain, thetas), axis=1) == trueTrain) for thetas in trainedNeuralNetwork[5]]
testCurve = [np.mean(np.argmax(forwardPass(XTest, thetas), axis=1) == trueTest) for thetas in trainedNeuralNetwork[5]]
plt.figure(figsize=(6, 3.5))
plt.plot(trainCurve, label="training digits")
plt.plot(testCurve, label="test digits")
plt.xlabel("iteration of fmin_cg")
plt.ylabel("accuracy")
plt.legend()
plt.title("Accuracy per iteration")
plt.show()
### END SOLUTION

# %% [markdown]
# Where does it go wrong? The confusion matrix counts how often each digit (row) was read as each
# other digit (column); below it, some of the test digits it got wrong.

# %%
course.plotConfusionMatrix(trueTest, predictedTest)
plt.show()
course.plotMisclassified(XTest, trueTest, predictedTest, n=25)
plt.show()

# %% [markdown]
# **Longer training, other λ.** The file `500IterationsTrainedThetasLambdas0_1_10_100.npz` holds the same
# network trained by `fmin_cg` from one random start with $\lambda$ = 0, 1, 10 and 100, for up to 500
# iterations: with $\lambda = 0$ it stops after 217, because the norm of its gradient has fallen below
# fmin_cg's tolerance ($10^{-5}$); the other three run all 500. Each of its keys
# (`thetaListLambdaZero`, `thetaListLambdaOne`, `thetaListLambdaTen`, `thetaListLambdaHundred`) holds
# one flat vector of 19,885 parameters laid out like `nnThetas`, not a list.
#
# **Think about it.** Without regularisation the network fits the training set best; does it also do
# best on the test set?

# %%
longTraining = np.load(course.dataFile("500IterationsTrainedThetasLambdas0_1_10_100.npz"))
lambdaKeys = {0: "thetaListLambdaZero", 1: "thetaListLambdaOne", 10: "thetaListLambdaTen", 100: "thetaListLambdaHundred"}
for lambdaValue, key in lambdaKeys.items():
    thetas = longTraining[key]
    trainAccuracy = np.mean(np.argmax(forwardPass(XTrain, thetas), axis=1) == trueTrain)
    testAccuracy = np.mean(np.argmax(forwardPass(XTest, thetas), axis=1) == trueTest)
    print(f"lambda = {lambdaValue:>3}: train {trainAccuracy:.1%}, test {testAccuracy:.1%}")

# %% [markdown] instructor="only"
# **Answer (instructors only).** No. With $\lambda = 0$ the network reads every one of the 4,000
# training digits, yet $\lambda = 1$ reads more test digits: without the penalty the weights fit details
# of single training digits that do not carry over to new ones. $\lambda = 1$ does best on the test set.
# Too much regularisation fails the other way: at $\lambda = 100$ the weights are held so small that the
# network underfits, and it is the worst of the four on both sets.

# %% [markdown]
# ### Practice: your own λ (no points)
#
# Pick a $\lambda$ of your own, train the network with it as in part 6 (60 iterations, from
# `initialThetas`) into `myNetwork`, and compare its accuracies with the table above. (Those networks
# trained for up to 500 iterations, yours for 60: compare it with your λ = 1 network of part 6 too.)

# %% nbgrader="solution" grade_id="myLambda"
myLambda = 3
### BEGIN SOLUTION
myNetwork = fmin_cg(nnCostFunction, initialThetas, fprime=nnGradientFunction, args=(XTrain, yTrain, myLambda),
                    maxiter=60, full_output=1, disp=0)
### END SOLUTION
myTrain = np.mean(np.argmax(forwardPass(XTrain, myNetwork[0]), axis=1) == trueTrain)
myTest = np.mean(np.argmax(forwardPass(XTest, myNetwork[0]), axis=1) == trueTest)
print(f"lambda = {myLambda:>3}: train {myTrain:.1%}, test {myTest:.1%} (60 iterations)")

# %% [markdown]
# ## 8. What have the hidden units learned?
#
# Each hidden unit has 784 weights, one per pixel. Drawn as a 28 × 28 image, they show which pixels
# excite the unit (bright) and which inhibit it (dark): the pattern it has learned to detect.
#
# ### Your turn: `plotHiddenWeights`
#
# Write `plotHiddenWeights(thetaOne)`: one 28 × 28 image per hidden unit (row of `thetaOne`), in a
# square grid (5 × 5 for 25 units; `int(np.ceil(np.sqrt(n)))` per side), leaving out the bias in
# column 0, titled "Unit 1", "Unit 2", ..., without axes. Return the figure.
#
# Hint: `fig, axes = plt.subplots(side, side)`, then `ax.imshow(weights.reshape(28, 28), cmap="gray")`
# for each unit; hide unused axes with `ax.set_axis_off()`.

# %% nbgrader="solution" grade_id="plotHiddenWeights"
def plotHiddenWeights(thetaOne):
    """One 28x28 image of each hidden unit's weights; thetaOne: (hidden units, 785). -> Figure"""
    ### BEGIN SOLUTION
    weightsOnly = thetaOne[:, 1:]
    side = int(np.ceil(np.sqrt(len(weightsOnly))))
    fig, axes = plt.subplots(side, side, figsize=(1.6 * side, 1.6 * side))
    for unit, ax in enumerate(np.ravel(axes)):
        ax.set_axis_off()
        if unit < len(weightsOnly):
            ax.imshow(weightsOnly[unit].reshape(28, 28), cmap="gray", interpolation="none")
            ax.set_title(f"Unit {unit + 1}", fontsize=8)
    fig.tight_layout()
    return fig
    ### END SOLUTION


# %% nbgrader="tests" grade_id="hidden_weights_plot" points=2
"""Does plotHiddenWeights draw each hidden unit's 784 weights as a 28x28 image?"""
import matplotlib.figure

thetaOneTrained = trainedNeuralNetwork[0][:25 * 785].reshape(25, 785)
figure = plotHiddenWeights(thetaOneTrained)
assert isinstance(figure, matplotlib.figure.Figure), "plotHiddenWeights should return the Figure"
images = [image for ax in figure.axes for image in ax.get_images()]
assert len(images) == 25, f"Expected 25 images (one per hidden unit), found {len(images)}"
assert images[0].get_array().shape == (28, 28), "Each image should be 28 x 28 (leave the bias out)"
plt.close(figure)
tenUnits = plotHiddenWeights(np.random.default_rng(0).uniform(-1, 1, size=(10, 785)))
found = sum(len(ax.get_images()) for ax in tenUnits.axes)
assert found == 10, (f"With 10 hidden units plotHiddenWeights drew {found} images; expected 10, one per unit: "
                     "the grid must have a cell for every unit when their number is not a square")
plt.close(tenUnits)
### BEGIN HIDDEN TESTS
from backprop_lab.judging import checks
checks.check_hidden_weights_plot(plotHiddenWeights)
### END HIDDEN TESTS

# %% [markdown]
# Your network's hidden units:

# %%
plotHiddenWeights(thetaOneTrained).suptitle("Your network: 60 iterations, lambda = 1")
plt.show()

# %% [markdown]
# And the networks trained for 500 iterations, drawn by your `plotHiddenWeights`. Without
# regularisation the weights stay noisy, fitting details of single training digits; as λ grows they
# become smoother, broader strokes, and at λ = 100 many units look alike.

# %%
for lambdaValue, key in lambdaKeys.items():
    plotHiddenWeights(longTraining[key][:25 * 785].reshape(25, 785)).suptitle(f"500 iterations, lambda = {lambdaValue}")
    plt.show()

# %% [markdown]
# ## What to remember
#
# * Backpropagation is the chain rule, organised: output errors $a - y$, gradients = errors × input
#   activations, errors travel back through the same weights and are scaled by $\sigma'(z)$.
# * With matrices it is a handful of products, one per layer; keep the bias column in mind.
# * Average over the examples ($\frac{1}{m}$), regularise the weights but never the biases, and
#   never write into the caller's parameters.
# * Check every gradient you write against numerical derivatives before you trust it.
# * Random initialisation breaks the symmetry between hidden units.
#
# Next: `02_convolution`, where you slide small filters over images, the idea behind convolutional networks.
