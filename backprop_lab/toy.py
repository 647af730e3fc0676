"""The toy network worked by hand in the notebooks and drawn in the figures.

Two inputs, two hidden units, three output units; two training examples. Every number the
notebooks and diagrams show about it comes from :func:`worked_example`, never from typed text.
It writes the four equations out by hand rather than calling the reference (network.py), which a
graded kernel cannot import; the tests check that both agree.
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


def worked_example():
    """Forward and backward pass of the toy network, written out step by step.

    Returns a dict of arrays: A1 (inputs with the bias column), Z2, A2 (hidden, with bias
    column), Z3, A3 (outputs), DELTA3 = A3 - Y, DELTA2, and the gradients GRAD2, GRAD1
    (shapes of THETA2, THETA1), averaged over the m = 2 examples.
    """
    m = X.shape[0]
    A1 = np.column_stack([np.ones(m), X])
    Z2 = A1 @ THETA1.T
    hidden = 1 / (1 + np.exp(-Z2))
    A2 = np.column_stack([np.ones(m), hidden])
    Z3 = A2 @ THETA2.T
    A3 = 1 / (1 + np.exp(-Z3))
    DELTA3 = A3 - Y
    DELTA2 = (DELTA3 @ THETA2[:, 1:]) * hidden * (1 - hidden)
    return {
        "A1": A1, "Z2": Z2, "A2": A2, "Z3": Z3, "A3": A3,
        "DELTA3": DELTA3, "DELTA2": DELTA2,
        "GRAD2": DELTA3.T @ A2 / m, "GRAD1": DELTA2.T @ A1 / m,
    }
