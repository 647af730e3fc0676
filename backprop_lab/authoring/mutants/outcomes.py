"""Grading one answer in-process: the checks' failures, the outcome of each call, and comparing them."""
import re
from typing import NamedTuple

import numpy as np

from backprop_lab.judging import mistakes
from backprop_lab.judging.checks.calling import quiet
from backprop_lab.judging.checks.pictures import figure_images
from backprop_lab.authoring.mutants.parts import CHECKS, namespace


def failure(graded, defined):
    """What the check of a graded part says about the namespace's function, or None when it passes."""
    name, check = CHECKS[graded]
    try:
        if defined.get(name) is None:
            raise AssertionError(f"{name} is not defined")
        check(defined[name])
    except AssertionError as failed:
        return failed.args[0] if failed.args and isinstance(failed.args[0], str) else str(failed)
    return None


def named_mistake(message):
    """The catalogued mistake a check's message names (the id it carries, else the one it shows), or None."""
    if getattr(message, "mistake", None):
        return message.mistake
    found = re.search(r"Likely mistake \(([a-z0-9-]+)\)", message or "")
    return found.group(1) if found and found.group(1) in mistakes.BY_ID else None


# What the checks can observe of one call.

class Outcome(NamedTuple):
    kind: str                 # "value", "raised", or "odd" (not numbers)
    arrays: tuple = ()
    modified: bool = False    # the function changed an argument


def _as_shown(image):
    """An image scaled to [0, 1] as imshow shows it by default (its own min and max)."""
    image = np.asarray(image, dtype=float)
    low, high = np.nanmin(image, initial=np.inf), np.nanmax(image, initial=-np.inf)
    return (image - low) / (high - low) if high > low else np.zeros_like(image)


def _outcome(graded, result, modified):
    try:
        if graded == "hidden_weights_plot":
            import matplotlib.pyplot as plt
            arrays = tuple(_as_shown(image) for image in figure_images(result, "plotHiddenWeights"))
            plt.close("all")
        else:
            arrays = (np.array(result, dtype=float),)
    except (AssertionError, TypeError, ValueError):
        return Outcome("odd", modified=modified)
    return Outcome("value", arrays, modified)


def _close(got, expected, tolerance):
    if got.shape != expected.shape:
        return False
    finite = np.isfinite(expected)
    if not np.array_equal(finite, np.isfinite(got)) or not np.array_equal(got[~finite], expected[~finite],
                                                                          equal_nan=True):
        return False
    difference = np.linalg.norm(got[finite] - expected[finite])
    return difference <= tolerance * np.linalg.norm(expected[finite]) or difference == 0


def same(got, expected, tolerance, modified_counts=True):
    """Are two lists of outcomes (one per input) the same within a relative tolerance?"""
    def one(a, b):
        if a.kind != b.kind or (modified_counts and a.modified != b.modified):
            return False
        return a.kind != "value" or (len(a.arrays) == len(b.arrays) and all(
            _close(x, y, tolerance) for x, y in zip(a.arrays, b.arrays)))
    return len(got) == len(expected) and all(one(a, b) for a, b in zip(got, expected))


class _Observed:
    """A function under a check, keeping each call's inputs and what came out."""

    def __init__(self, function, graded):
        self.function, self.graded, self.calls = function, graded, []

    def __call__(self, *args, **kwargs):
        before = [np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in args]
        try:
            result = self.function(*args, **kwargs)
        except Exception:
            self.calls.append((before, kwargs, Outcome("raised")))
            raise
        modified = any(isinstance(a, np.ndarray) and not np.array_equal(a, b, equal_nan=True)
                       for a, b in zip(args, before))
        self.calls.append((before, kwargs, _outcome(self.graded, result, modified)))
        return result


def _same_call(call, inputs):
    (args, kwargs, _), (recorded_args, recorded_kwargs) = call, inputs
    return kwargs == recorded_kwargs and len(args) == len(recorded_args) and all(
        np.array_equal(a, b) for a, b in zip(args, recorded_args))


def record_inputs(answers):
    """graded part -> the inputs its check gives a right answer, [(args, kwargs)], in call order."""
    defined = namespace({}, answers)
    inputs = {}
    for graded, (name, check) in CHECKS.items():
        observed = _Observed(defined[name], graded)
        check(observed)
        inputs[graded] = [(args, kwargs) for args, kwargs, _ in observed.calls]
    return inputs


def grade(cells, graded_parts, answers, inputs, dataset=None):
    """Run the checks of graded_parts on a namespace with `cells`. -> (outcomes, failures)

    outcomes: graded part -> [Outcome] on each of its recorded inputs; failures: part -> message or None."""
    defined = namespace(cells, answers, dataset)
    outcomes, failures = {}, {}
    for graded in graded_parts:
        name, check = CHECKS[graded]
        function = defined.get(name)
        observed = _Observed(function, graded) if function is not None else None
        failures[graded] = failure(graded, {**defined, name: observed})
        seen = observed.calls if observed else []
        matched = 0
        while matched < min(len(seen), len(inputs[graded])) and _same_call(seen[matched], inputs[graded][matched]):
            matched += 1
        outcomes[graded] = [call[2] for call in seen[:matched]] + [
            _call_once(function, graded, args, kwargs) for args, kwargs in inputs[graded][matched:]]
    return outcomes, failures


def _call_once(function, graded, args, kwargs):
    if function is None:
        return Outcome("raised")
    observed = _Observed(function, graded)
    try:
        with quiet():
            observed(*[np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in args], **kwargs)
    except Exception:
        pass
    return observed.calls[0][2]
