"""The toy network's backward pass, worked step by step for the figures and the lesson's numbers.

The forward pass is the students' :func:`backprop_lab.student.toy.forward`; the backward pass is
part of what they write, so it stays on the instructors' side. It is written out by hand rather
than calling the reference (network.py); the tests check that both agree.
"""
from backprop_lab.student.toy import HIDDEN_SIZE, INPUT_SIZE, N_CLASSES, THETA1, THETA2, X, Y, forward, thetas

__all__ = ["HIDDEN_SIZE", "INPUT_SIZE", "N_CLASSES", "THETA1", "THETA2", "X", "Y", "thetas", "worked_example"]


def worked_example():
    """Forward and backward pass of the toy network.

    Returns :func:`forward`'s arrays and DELTA2 (2, 2), and the gradients GRAD2, GRAD1 (shapes of
    THETA2, THETA1), averaged over the m = 2 examples.
    """
    worked = forward()
    m = X.shape[0]
    hidden = worked["A2"][:, 1:]
    DELTA2 = (worked["DELTA3"] @ THETA2[:, 1:]) * hidden * (1 - hidden)
    return {**worked, "DELTA2": DELTA2,
            "GRAD2": worked["DELTA3"].T @ worked["A2"] / m, "GRAD1": DELTA2.T @ worked["A1"] / m}
