"""What a check may receive from a student's kernel, and what it may send back into a re-run.

The checks (checks/) judge plain values; the kernel transport (kernel.py) turns what a
student's kernel sends into these. Defined here, below both, so that the checks never import
the transport.
"""
from dataclasses import dataclass


class KernelFault(RuntimeError):
    """The kernel did not answer: timeout, death, or killed by a limit. It has been stopped."""


class StudentError(Exception):
    """The student's function raised; carries the exception's name and message."""


class FigureImages(list):
    """The image arrays of a Figure the student's function returned."""


@dataclass(frozen=True)
class Unsupported:
    """A value of a type the grader does not read (its type name only)."""
    type_name: str


@dataclass(frozen=True)
class Along:
    """A trusted function's answer in a re-run, with other trusted functions' answers for the same
    arguments (name -> value), which the relay keeps for a call that asks for them next."""
    value: object
    others: dict
