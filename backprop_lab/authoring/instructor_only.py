"""Instructor-only cells: in notebooks/ and source/, never in release/.

An author marks a cell ``# %% [markdown] instructor="only"`` (answers to the "Think about it"
questions, notes for whoever teaches). :mod:`backprop_lab.authoring.build` turns the mark into the cell tag
:data:`TAG`, and :class:`RemoveInstructorOnly`, the first of nbgrader's GenerateAssignment
preprocessors (``nbgrader_config.py``), drops every cell with that tag from the student version.
"""
from nbgrader.preprocessors import NbGraderPreprocessor

TAG = "instructor-only"


def is_instructor_only(cell):
    """Does the cell carry the instructor-only tag?"""
    return TAG in cell.get("metadata", {}).get("tags", [])


class RemoveInstructorOnly(NbGraderPreprocessor):
    """Drop the cells tagged instructor-only from the notebook nbgrader releases."""

    def preprocess(self, nb, resources):
        nb.cells = [cell for cell in nb.cells if not is_instructor_only(cell)]
        return nb, resources
