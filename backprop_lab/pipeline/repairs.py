"""Cell repairs: the graded cells of a submitted notebook put back as the release has them, before
nbgrader's own sanitize step reads them.

submitted/STUDENT/ASSIGNMENT (as it is, or staged in .grading/submitted/) -> NormaliseGradedCells,
RestoreTestCells, then nbgrader's sanitize preprocessors -> autograded/. nbgrader_config.py puts
the two first in c.Autograde.sanitize_preprocessors, so `make autograde` and nbgrader's own
`nbgrader autograde` repair alike. Each rule is a pure function of the submitted notebook and its
release notebook; staging.py runs them on a copy only to tell the instructor what grading repairs.
"""
from __future__ import annotations

import copy
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import nbformat
from nbformat import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor

if TYPE_CHECKING:
    from nbgrader.coursedir import CourseDirectory

DROPPED = "ignored extra or duplicated graded cells"  # the instructor's note, before the grade ids
RESTORED = "restored deleted test cells"


def _grade_id(cell):
    """The cell's grade id, None when it has none. A student can write anything into a cell's
    metadata: nbgrader metadata that is not a mapping counts as none, and a grade id that is not
    text becomes its repr, which no release id matches, so the cell is dropped, not crashed on."""
    metadata = cell.metadata.get("nbgrader")
    grade_id = metadata.get("grade_id") if isinstance(metadata, dict) else None
    return grade_id if grade_id is None or isinstance(grade_id, str) else repr(grade_id)


def normalise_graded_cells(notebook: NotebookNode, released: NotebookNode) -> list[str]:
    """Give the first cell of each graded id the release's cell type and nbgrader metadata
    (points, flags); later copies, and ids the release does not have, become plain cells.
    A cell whose type changed gets the release's source back with the release's type.
    -> the grade ids dropped"""
    originals = {_grade_id(cell): cell for cell in released.cells if _grade_id(cell)}
    seen, dropped = set(), []
    for cell in notebook.cells:
        grade_id = _grade_id(cell)
        if grade_id is None and "nbgrader" in cell.metadata:
            del cell.metadata["nbgrader"]
        if grade_id is None:
            continue
        if grade_id in seen or grade_id not in originals:
            del cell.metadata["nbgrader"]
            dropped.append(grade_id)
        else:
            original = originals[grade_id]
            cell.metadata["nbgrader"] = copy.deepcopy(original.metadata["nbgrader"])
            if cell.cell_type != original.cell_type:
                cell.cell_type = original.cell_type
                cell.source = original.source
                if cell.cell_type == "code":
                    cell.outputs, cell.execution_count = [], None
                else:
                    cell.pop("outputs", None)
                    cell.pop("execution_count", None)
        seen.add(grade_id)
    return dropped


def restore_test_cells(submitted: NotebookNode, released: NotebookNode) -> list[str]:
    """Put back the test cells a student deleted, each after the cell it followed in the release.

    nbgrader restores the text of test cells but not a missing cell, which would cost its points
    silently. Run after normalise_graded_cells, which decides which cells still count as graded.
    -> the grade ids restored
    """
    present = {_grade_id(cell) or cell.get("id") for cell in submitted.cells}
    restored = []
    for index, cell in enumerate(released.cells):
        if not cell.metadata.get("nbgrader", {}).get("grade") or _grade_id(cell) in present:
            continue
        position = 0
        for earlier in reversed(released.cells[:index]):
            key = _grade_id(earlier) or earlier.get("id")
            matches = [i for i, c in enumerate(submitted.cells) if (_grade_id(c) or c.get("id")) == key]
            if matches:
                position = matches[0] + 1
                break
        submitted.cells.insert(position, cell)
        present.add(_grade_id(cell))
        restored.append(_grade_id(cell))
    return restored


def note(where: str, what: str, grade_ids: Iterable[str]) -> str:
    """One line for the instructor: 'STUDENT/ASSIGNMENT: what grade ids'."""
    return f"{where}: {what} {', '.join(grade_ids)}"


def notes(where: str, notebook: NotebookNode, released: NotebookNode) -> list[str]:
    """The instructor's notes on what the repairs will change in a notebook, left as it is."""
    notebook = copy.deepcopy(notebook)
    dropped = normalise_graded_cells(notebook, released)
    restored = restore_test_cells(notebook, released)
    return [note(where, what, grade_ids) for what, grade_ids in [(DROPPED, dropped), (RESTORED, restored)] if grade_ids]


def release_notebook(coursedir: CourseDirectory, assignment: str, notebook: str) -> NotebookNode | None:
    """The release notebook of a submitted one (nbformat 4), or None when release/ has none."""
    path = Path(coursedir.format_path(coursedir.release_directory, ".", assignment)) / f"{notebook}.ipynb"
    return nbformat.read(path, as_version=4) if path.is_file() else None


class _Repair(NbGraderPreprocessor):
    """A cell repair: its rule applied to the submitted notebook against the release notebook.

    nbgrader gives resources['nbgrader'] (student, assignment, notebook); the course directory is
    the converter's, reached through the parents: this preprocessor -> the exporter -> the converter.
    """
    what = ""  # the note's words before the grade ids

    def rule(self, notebook: NotebookNode, released: NotebookNode) -> list[str]:
        raise NotImplementedError

    def course_directory(self) -> CourseDirectory:
        owner = self.parent
        while owner is not None and getattr(owner, "coursedir", None) is None:
            owner = owner.parent
        if owner is None:
            raise RuntimeError(f"{type(self).__name__} runs in an nbgrader converter, which knows the course directory")
        return owner.coursedir

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]) -> tuple[NotebookNode, dict[str, Any]]:
        ids = resources["nbgrader"]
        where = f"{ids['student']}/{ids['assignment']}"
        released = release_notebook(self.course_directory(), ids["assignment"], ids["notebook"])
        if released is None:
            self.log.warning("%s: no release notebook %s.ipynb, cells not repaired", where, ids["notebook"])
            return nb, resources
        changed = self.rule(nb, released)
        if changed:
            self.log.warning("%s", note(where, self.what, changed))
        return nb, resources


class NormaliseGradedCells(_Repair):
    """normalise_graded_cells as an nbgrader preprocessor: the first copy of a graded cell keeps
    its grade (nbgrader's DeduplicateIds would keep the last), the others become plain cells."""
    what = DROPPED

    def rule(self, notebook: NotebookNode, released: NotebookNode) -> list[str]:
        return normalise_graded_cells(notebook, released)


class RestoreTestCells(_Repair):
    """restore_test_cells as an nbgrader preprocessor: deleted test cells put back where they were."""
    what = RESTORED

    def rule(self, notebook: NotebookNode, released: NotebookNode) -> list[str]:
        return restore_test_cells(notebook, released)
