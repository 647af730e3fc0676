"""The toy network worked by hand in the notebooks and drawn in the figures.

Two inputs, two hidden units, three output units; two training examples. The notebooks print its
forward pass and output errors from :func:`forward`; the backward pass is the students' to write,
so it lives with the instructors' tools (``backprop_lab.reference.toy_worked``), not here.
"""
import numpy as np

INPUT_SIZE, HIDDEN_SIZE, N_CLASSES = 2, 2, 3

# Two training examples (rows), two features each; labels: class 1 and class 2.
X = np.array([[0.5, -1.0],
              [1.5, 0.25]])
Y = np.array([[1.0, 0.0, 0.0],
              [0.0, 1.0, 0.0]])
# Column 0 holds the biases; each row is one unit.
THETA1 = np.array([[0.1, 0.4, -0.3],
                   [-0.2, 0.6, 0.5]])
THETA2 = np.array([[0.3, -0.5, 0.8],
                   [0.1, 0.7, -0.6],
                   [-0.4, 0.2, 0.9]])


def thetas():
    """The toy parameters as the course's flat vector."""
    return np.concatenate([THETA1.ravel(), THETA2.ravel()])


def forward():
    """Forward pass of the toy network on its two examples, and the output errors.

    Returns a dict of arrays: A1 (2, 3) inputs with the bias column, Z2 (2, 2), A2 (2, 3) hidden
    activations with the bias column, Z3 (2, 3), A3 (2, 3) outputs, DELTA3 = A3 - Y (2, 3).
    """
    m = X.shape[0]
    A1 = np.column_stack([np.ones(m), X])
    Z2 = A1 @ THETA1.T
    A2 = np.column_stack([np.ones(m), 1 / (1 + np.exp(-Z2))])
    Z3 = A2 @ THETA2.T
    A3 = 1 / (1 + np.exp(-Z3))
    return {"A1": A1, "Z2": Z2, "A2": A2, "Z3": Z3, "A3": A3, "DELTA3": A3 - Y}
