"""Hidden checks of the graded parts: each calls a student's function on inputs it chooses and
compares the plain results with the trusted reference (network.py, convolution.py).

A check raises AssertionError with a message a student can act on, and returns None when
the answer is right. When a failing answer matches a catalogued mistake (mistakes.py,
recognised by diagnosis.py) the message names it, explains it and gives a hint. Student code runs with numpy's floating-point warnings silenced, so a
correct answer never fails a cell by writing a RuntimeWarning to stderr.
"""
# The graded cells' hidden tests call checks.check_*; the grader (executor.py) finds them here.
from backprop_lab.judging.checks.calling import FULL_NETWORK, SMALL_NETWORKS, Finding, MissingName
from backprop_lab.judging.checks.network_parts import check_cost, check_gradient, check_sigmoid_gradient
from backprop_lab.judging.checks.pictures import check_convolution, check_hidden_weights_plot, convolution_cases
from backprop_lab.judging.checks.training import Unavailable, check_training

__all__ = ["FULL_NETWORK", "SMALL_NETWORKS", "Finding", "MissingName", "Unavailable", "check_convolution",
           "check_cost", "check_gradient", "check_hidden_weights_plot", "check_sigmoid_gradient", "check_training",
           "convolution_cases"]
