"""Calling a student's function and reading its answer, for every check: the random problems the
checks pose and the tolerances they judge by, the call itself (on copies, numpy's warnings silenced,
an error turned into a message), and the message that carries its facts (Finding).
"""
from __future__ import annotations

import contextlib
import functools
import re
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from numpy.typing import NDArray

from backprop_lab.judging import mistakes
from backprop_lab.reference import network
from backprop_lab.judging.answers import KernelFault, StudentError

# Relative-error tolerances. A correct float64 answer is ~1e-12 from the reference, a correct
# float32 one ~1e-7; every mistake we know of is off by more than 1e-3.
COST_TOLERANCE = 1e-5
GRADIENT_TOLERANCE = 1e-4
NUMERICAL_EPSILON = 1e-5

# (inputLayerSize, hiddenLayerSize, classLabels, m): several shapes, so that hard-coded sizes,
# swapped dimensions and transposes show; more classes than hidden units in one of them.
SMALL_NETWORKS = [(3, 5, 3, 5), (4, 3, 2, 7), (2, 4, 6, 9), (5, 1, 3, 4)]
FULL_NETWORK = (784, 25, 10, 40)
RANDOM_DIRECTIONS = 10


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def problem(input_size: int, hidden_size: int, n_classes: int, m: int,
            seed: int) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Random parameters, inputs in [0, 1] and one-hot labels for one network shape."""
    rng = np.random.default_rng(seed)
    thetas = rng.uniform(-1.0, 1.0, network.n_parameters(input_size, hidden_size, n_classes))
    X = rng.uniform(0.0, 1.0, (m, input_size))
    Y = network.one_hot(rng.integers(0, n_classes, m), n_classes)
    return thetas, X, Y


MISSING_NAME = re.compile(r"^NameError: name '([A-Za-z_][A-Za-z0-9_]*)' is not defined")


class MissingName(AssertionError):
    """A graded call raised NameError: the function uses a name that did not exist when it was called.

    The check does not know the notebook; the grader (executor.py) does, and asks for the message
    that says where the name is defined: "later", "above", "nowhere", or None (not known).
    """

    def __init__(self, function_name: str, error_text: str, missing: str) -> None:
        self.function_name, self.error_text, self.missing = function_name, error_text, missing
        super().__init__(self.message())

    def message(self, defined: str | None = None) -> str:
        said = (f"{self.function_name} raised {self.error_text}: {self.missing} did not exist when "
                f"{self.function_name} was called.")
        where = {
            "later": f"{self.missing} is defined further down the notebook, so it does not exist yet when this "
                     "part is graded: the cells run from top to bottom, as with Restart & Run All. A function "
                     "can use only what the cells above it define.",
            "above": f"A cell above defines {self.missing}, but it did not exist when this part was graded (a cell "
                     "that stops with an error before defining it, or a del). Run the notebook top to bottom "
                     "(Restart & Run All) and fix the first cell that fails.",
            "nowhere": f"No cell of the notebook defines {self.missing} (by def, assignment or import): check its "
                       "spelling, or define it in a cell above.",
        }.get(defined or "", f"{self.missing} is defined later in the notebook or not at all: run the notebook top to "
                       "bottom (Restart & Run All) and define everything a function uses above it.")
        return f"{said} {where}"


def _raised(name, error_text):
    """The failure for a student's function that raised: error_text is "TypeError: ..."."""
    missing = MISSING_NAME.match(error_text)
    if missing:
        return MissingName(name, error_text, missing.group(1))
    return AssertionError(Finding(f"{name} raised {error_text}", where=f"{name} raises {error_text.split(':')[0]}"))


def call(function: Callable[..., object], name: str, *args: object, **kwargs: object) -> object:
    """Call the student's function on copies; fail if it changes them or raises."""
    copies: list[Any] = [np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in args]
    try:
        with quiet():
            result = function(*copies, **kwargs)
    except KernelFault as fault:
        raise AssertionError(f"{name} did not finish: {fault}") from None
    except StudentError as error:  # raised in the graded kernel: "TypeError: ..."
        raise _raised(name, str(error)) from None
    except Exception as error:  # the student's own error, reported as such
        raise _raised(name, f"{type(error).__name__}: {error}") from None
    for position, (original, copy) in enumerate(zip(args, copies), start=1):
        if isinstance(original, np.ndarray) and not np.array_equal(original, copy, equal_nan=True):
            # What to do instead is the catalogue's explanation and hint: said once, there.
            raise AssertionError(diagnosed(
                f"{name} changed the array it was given as argument {position} (shape {original.shape}).",
                "modifies-input"))
    return result


class Finding(str):
    """A check's message that carries its facts as data: the catalogued mistake it names, and for
    a failure no mistake explains, where its error is largest (the class report groups by them)."""
    mistake: str | None
    where: str | None

    def __new__(cls, message: str, mistake: str | None = None, where: str | None = None) -> Finding:
        finding = super().__new__(cls, message)
        finding.mistake, finding.where = mistake, where
        return finding


def diagnosed(message: str, mistake_id: str | None, where: str | None = None) -> Finding:
    """The check's message, followed by the catalogued mistake it recognised (if any)."""
    return Finding(f"{message}\n{mistakes.message(mistake_id)}" if mistake_id else message, mistake_id,
                   None if mistake_id else where)


def as_array(value: object, name: str) -> NDArray[np.float64]:
    """What a student's function returned, as a float array; what is not numbers fails."""
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError) as error:
        raise AssertionError(f"{name} should return numbers, got {type(value).__name__} ({error})") from None


def as_float(value: object, name: str) -> float:
    """What a student's function returned, as one number; an array of another size fails."""
    array = as_array(value, name)
    if array.size != 1:
        raise AssertionError(f"{name} should return one number (the cost), got an array of shape {array.shape}")
    return float(array.reshape(()))


@functools.lru_cache(maxsize=1)
def load_training_data() -> dict[str, NDArray[np.float64]]:
    """The course's data set, read once per grader process (the checks only read it)."""
    from backprop_lab.reference import data
    return data.load_dataset()
