"""The check of the training: fmin_cg's output judged on the course's digits, and, when the
student's cost or gradient is wrong, the training cell run again with the trusted pair, so that a
mistake is charged once.
"""
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from backprop_lab.reference import network
from backprop_lab.judging.answers import Along, StudentError
from backprop_lab.judging.checks.calling import (COST_TOLERANCE, FULL_NETWORK, GRADIENT_TOLERANCE, as_float, call, diagnosed,
                                         load_training_data, problem)

# The notebook's training cell (fmin_cg, lambda = 1, 60 iterations) reaches 98.7 % of the training
# and 91.8-92.0 % of the test digits with every correct implementation we grade (float64 or float32);
# the thresholds leave room for rounding, not for a broken gradient (README, "Training thresholds").
TRAIN_ACCURACY_THRESHOLD = 0.97
TEST_ACCURACY_THRESHOLD = 0.91
TRAINING_LAMBDA = 1.0
TRAINING_ITERATIONS = 60


class _TrustedPair:
    """The trusted cost and gradient with the notebook's signatures, for a re-run of the training
    cell. fmin_cg asks for both at most points, so one cost_and_gradient serves the pair there."""

    def __init__(self) -> None:
        self._last = None  # (key, parameters, X, y, (cost, gradient))

    def _both(self, nnThetas, X, y, lambda_, sizes, small_value):
        nnThetas = np.asarray(nnThetas, dtype=float)
        key = (repr(lambda_), repr(sizes), repr(small_value))
        last = self._last
        if last and last[0] == key and last[2] is X and last[3] is y and np.array_equal(last[1], nnThetas):
            return last[4]
        both = network.cost_and_gradient(nnThetas, X, y, lambda_, *sizes, small_value)
        self._last = (key, nnThetas.copy(), X, y, both)
        return both

    def cost(self, nnThetas: ArrayLike, X: ArrayLike, y: ArrayLike, lambda_: float = 0, inputLayerSize: int = 784,
             hiddenLayerSize: int = 25, classLabels: int = 10, smallValueToRemoveInfinity: float = 1e-12) -> float:
        return self._both(nnThetas, X, y, lambda_, (inputLayerSize, hiddenLayerSize, classLabels),
                          smallValueToRemoveInfinity)[0]

    def gradient(self, nnThetas: ArrayLike, X: ArrayLike, y: ArrayLike, lambda_: float = 0,
                 inputLayerSize: int = 784, hiddenLayerSize: int = 25, classLabels: int = 10,
                 smallValueToRemoveInfinity: float = 1e-12) -> NDArray[np.float64]:
        return self._both(nnThetas, X, y, lambda_, (inputLayerSize, hiddenLayerSize, classLabels),
                          smallValueToRemoveInfinity)[1]

    def relayed(self) -> dict[str, Callable[..., Along]]:
        """The pair for kernel.rerun: each answer carries the other's for the same point."""
        def cost(*args, **kwargs):
            return Along(self.cost(*args, **kwargs), {"nnGradientFunction": self.gradient(*args, **kwargs)})

        def gradient(*args, **kwargs):
            return Along(self.gradient(*args, **kwargs), {"nnCostFunction": self.cost(*args, **kwargs)})
        return {"nnCostFunction": cost, "nnGradientFunction": gradient}


def _disagreements(nnCostFunction, nnGradientFunction):
    """{"cost": ..., "gradient": ...}: how each of the student's functions differs from the trusted
    one at 784-25-10 with lambda = 1 (what training uses), in words, or None where it agrees (and
    for a gradient that is not given)."""
    thetas, X, Y = problem(*FULL_NETWORK, seed=400)
    found = {"cost": None, "gradient": None}
    try:
        cost = as_float(call(nnCostFunction, "nnCostFunction", thetas, X, Y, TRAINING_LAMBDA), "nnCostFunction")
        expected = network.cost(thetas, X, Y, TRAINING_LAMBDA)
        error = abs(cost - expected) / abs(expected)
        found["cost"] = f"a relative {error:.2g}" if not error < COST_TOLERANCE else None
    except AssertionError as failure:
        found["cost"] = f"an error ({failure})"
    if nnGradientFunction is not None:
        try:
            got = np.asarray(call(nnGradientFunction, "nnGradientFunction", thetas, X, Y, TRAINING_LAMBDA),
                             dtype=float)
            expected = network.gradient(thetas, X, Y, TRAINING_LAMBDA)
            if got.shape != expected.shape:
                found["gradient"] = f"its shape ({got.shape} instead of {expected.shape})"
            else:
                error = network.relative_error(got, expected)
                found["gradient"] = f"a relative {error:.2g}" if not error < GRADIENT_TOLERANCE else None
        except AssertionError as failure:
            found["gradient"] = f"an error ({failure})"
    return found


def _which_to_fix(found, gradient_given):
    """What _disagreements found, in words: the part to fix first."""
    input_size, hidden_size, n_classes, m = FULL_NETWORK
    where = f"on a {input_size}-{hidden_size}-{n_classes} network with m = {m} and lambda_ = {TRAINING_LAMBDA:g}"
    cost_wrong, gradient_wrong = found["cost"], found["gradient"]
    if cost_wrong and gradient_wrong:
        return (f"Both differ from the trusted ones {where} (the cost by {cost_wrong}, the gradient by "
                f"{gradient_wrong}): fix nnCostFunction first (the cost parts say how), then nnGradientFunction.")
    if cost_wrong:
        return (f"nnCostFunction differs from the trusted cost by {cost_wrong} {where}: that is the part to fix "
                "(the cost parts say how).")
    if gradient_wrong:
        return (f"nnCostFunction agrees with the trusted cost {where}, and nnGradientFunction differs from its "
                f"gradient by {gradient_wrong}: that is the part to fix (the gradient parts say how).")
    if not gradient_given:
        return (f"nnCostFunction agrees with the trusted cost {where}, so it is the gradient you pass as fprime "
                "(nnGradientFunction) that does not match it: the gradient parts say how.")
    return (f"nnCostFunction and nnGradientFunction both agree with the trusted ones {where}: check that fmin_cg "
            "gets fprime=nnGradientFunction and the same args as the cost.")


def check_training(trainedNeuralNetwork: object, nnCostFunction: Callable[..., object],
                   nnGradientFunction: Callable[..., object] | None = None,
                   rerun: Callable[..., object] | None = None) -> str | None:
    """fmin_cg's full output: lambda = 1, 60 iterations, parameters that classify digits well.

    A mistake is charged once. The reported cost is compared with the student's own
    nnCostFunction, and when training fails while the student's cost or gradient is wrong, the
    training code is judged on its own: rerun (the grader's) runs the training cell again with the
    trusted cost and gradient in place of the student's (called back in the grader, never put in
    the kernel), and the part passes when that run does. -> a note for a pass that needed the
    re-run, else None
    """
    try:
        _judge_training(trainedNeuralNetwork, nnCostFunction, nnGradientFunction)
        return None
    except AssertionError as failure:
        found = _disagreements(nnCostFunction, nnGradientFunction)
        if rerun is None or not (found["cost"] or found["gradient"]):
            if isinstance(failure, _LineSearchFailed):
                raise AssertionError(f"{failure} {_which_to_fix(found, nnGradientFunction is not None)}") from None
            raise
    trusted = _TrustedPair()
    try:
        data = load_training_data()  # the grader holds it: the re-run's training set need not cross back
        retrained = rerun(trusted.relayed(), known=(data["XTrain"], data["yTrain"]))
    except StudentError as error:
        raise AssertionError(
            "Your training failed, and so did your training cell when the grader ran it again with a correct "
            f"nnCostFunction and nnGradientFunction in place of yours: {error}") from None
    try:
        _judge_training(retrained, trusted.cost, trusted.gradient)
    except AssertionError as second:
        raise AssertionError(
            "Your training cell, run again by the grader with a correct nnCostFunction and nnGradientFunction in "
            f"place of yours, still fails: {second}") from None
    return ("Your training code is right: run again with a correct nnCostFunction and nnGradientFunction in place "
            "of yours, it trains the network as asked, so this part keeps its points. Your own run did not train "
            f"it: {_which_to_fix(found, nnGradientFunction is not None)}")


@dataclass(frozen=True)
class Unavailable:
    """A value the student's notebook did not produce (the cell that binds it failed)."""
    name: str
    error: str


class _LineSearchFailed(AssertionError):
    """fmin_cg stopped early because its line search failed: the cost and the gradient disagree."""


def _judge_training(trainedNeuralNetwork, nnCostFunction, nnGradientFunction):
    assert not isinstance(trainedNeuralNetwork, Unavailable), (
        f"{trainedNeuralNetwork.name} is not defined: the training cell failed ({trainedNeuralNetwork.error})")
    assert isinstance(trainedNeuralNetwork, (tuple, list)) and len(trainedNeuralNetwork) == 6, (
        "trainedNeuralNetwork should be what fmin_cg returns with full_output=1 and retall=1: "
        "(xopt, fopt, func_calls, grad_calls, warnflag, allvecs)")
    xopt, fopt, _, _, warnflag, allvecs = trainedNeuralNetwork
    xopt = np.asarray(xopt, dtype=float)
    assert xopt.shape == (network.n_parameters(),), (
        f"trainedNeuralNetwork[0] should hold all {network.n_parameters()} trained parameters, got shape {xopt.shape}")
    iterations = len(allvecs) - 1
    if iterations < TRAINING_ITERATIONS and warnflag != 0:
        if warnflag == 2:
            raise _LineSearchFailed(
                f"fmin_cg stopped after {iterations} of {TRAINING_ITERATIONS} iterations: the optimiser could not "
                "follow your gradient (fmin_cg's line search failed, warnflag 2), so your cost and gradient "
                "disagree; run the gradient check (checkGradients).")
        if warnflag == 1:  # stopped at its maxiter
            raise AssertionError(diagnosed(
                f"fmin_cg stopped after {iterations} iterations, the most it was allowed: train with maxiter=60",
                "training-too-few-iterations"))
        raise AssertionError(
            f"fmin_cg stopped after {iterations} of {TRAINING_ITERATIONS} iterations with warnflag {warnflag} "
            "(3: the cost or the gradient became NaN or infinite): run the gradient check (checkGradients) and "
            "look for a log of 0 or an overflow.")
    dataset = load_training_data()
    XTrain, yTrain = dataset["XTrain"], dataset["yTrain"]
    reported = float(fopt)
    with_lambda = as_float(call(nnCostFunction, "nnCostFunction", xopt, XTrain, yTrain, TRAINING_LAMBDA),
                            "nnCostFunction")
    if not np.isclose(reported, with_lambda, rtol=1e-6):
        used = [lam for lam in (0.0, 0.1, 3.0, 10.0, 100.0) if np.isclose(reported, as_float(
            call(nnCostFunction, "nnCostFunction", xopt, XTrain, yTrain, lam), "nnCostFunction"), rtol=1e-6)]
        hint = f"it looks like lambda_ = {used[0]:g}" if used else "was it trained on XTrain, yTrain?"
        raise AssertionError(diagnosed(
            f"The cost fmin_cg reports ({reported:.5f}) is not nnCostFunction on XTrain, yTrain with lambda_ = 1 "
            f"({with_lambda:.5f}): {hint}. Pass args=(XTrain, yTrain, 1).", "training-wrong-lambda" if used else None))
    train = network.accuracy(xopt, XTrain, yTrain)
    test = network.accuracy(xopt, dataset["XTest"], dataset["yTest"])
    assert train >= TRAIN_ACCURACY_THRESHOLD and test >= TEST_ACCURACY_THRESHOLD, (
        f"The trained network classifies {train:.1%} of the training digits and {test:.1%} of the test digits; "
        f"expected at least {TRAIN_ACCURACY_THRESHOLD:.0%} and {TEST_ACCURACY_THRESHOLD:.0%}. "
        "Check your gradient first (the gradient-checking section).")
