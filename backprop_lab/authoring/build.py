"""notebooks/*.py (jupytext percent format, what authors edit) -> source/ASSIGNMENT/ASSIGNMENT.ipynb.

Authors mark graded cells with short cell metadata on the ``# %%`` line, which this module
turns into nbgrader's cell metadata:

    # %% nbgrader="solution" grade_id="nnCostFunction"
    # %% nbgrader="tests" grade_id="cost_unregularised" points=2

A cell marked ``# %% [markdown] instructor="only"`` (an answer to a "Think about it" question)
gets the tag ``instructor-only``: it stays in source/, and nbgrader's generate_assignment drops
it from release/ (:mod:`backprop_lab.authoring.instructor_only`).

Markdown images written as ``![alt](../images/NAME)`` (so that they show while authoring) are
embedded as cell attachments: a student downloads one self-contained notebook.
"""
import base64
import json
import re
from pathlib import Path

import jupytext
import nbformat

from backprop_lab import paths
from backprop_lab.authoring.instructor_only import TAG as INSTRUCTOR_ONLY_TAG

NBGRADER_SCHEMA_VERSION = 3
KINDS = ("solution", "tests", "readonly")
IMAGE_LINK = re.compile(r"!\[([^\]]*)\]\(\.\./images/([A-Za-z0-9_.-]+)\)")
MIME_TYPES = {".png": "image/png", ".gif": "image/gif"}


class NotebookSourceError(ValueError):
    """An authoring mistake in notebooks/*.py, reported with the file and cell."""


def assignments(notebooks_dir=paths.NOTEBOOKS):
    """Assignment names, one per notebooks/*.py file, in course order."""
    return sorted(path.stem for path in Path(notebooks_dir).glob("*.py"))


def nbgrader_metadata(kind, grade_id, points=None):
    """nbgrader's metadata for one cell of the given kind."""
    metadata = {
        "grade": kind == "tests",
        "grade_id": grade_id,
        "locked": kind != "solution",
        "schema_version": NBGRADER_SCHEMA_VERSION,
        "solution": kind == "solution",
        "task": False,
    }
    if kind == "tests":
        metadata["points"] = points
    return metadata


def _embed_images(cell, images_dir, where):
    attachments = {}

    def attach(match):
        alt, name = match.groups()
        image = Path(images_dir) / name
        if not image.exists():
            raise NotebookSourceError(f"{where}: image {name} is missing; run `make figures` first")
        mime = MIME_TYPES[image.suffix]
        attachments[name] = {mime: base64.b64encode(image.read_bytes()).decode("ascii")}
        return f"![{alt}](attachment:{name})"

    cell.source = IMAGE_LINK.sub(attach, cell.source)
    if attachments:
        cell.attachments = attachments


def build_notebook(py_file, images_dir=paths.IMAGES):
    """Read one authored notebook and return the nbgrader source notebook (nbformat 4.5)."""
    py_file = Path(py_file)
    notebook = jupytext.read(py_file, fmt="py:percent")
    notebook.metadata = {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    seen = set()
    for index, cell in enumerate(notebook.cells):
        where = f"{py_file.name}, cell {index + 1}"
        kind = cell.metadata.pop("nbgrader", None)
        grade_id = cell.metadata.pop("grade_id", None)
        points = cell.metadata.pop("points", None)
        instructor = cell.metadata.pop("instructor", None)
        if instructor not in (None, "only"):
            raise NotebookSourceError(f"{where}: instructor={instructor!r}, expected instructor=\"only\"")
        if instructor and kind is not None:
            raise NotebookSourceError(f"{where}: a graded cell ({kind} {grade_id}) cannot be instructor-only")
        if kind is not None:
            if kind not in KINDS:
                raise NotebookSourceError(f"{where}: nbgrader={kind!r}, expected one of {KINDS}")
            if not grade_id or grade_id in seen:
                raise NotebookSourceError(f"{where}: a {kind} cell needs a unique grade_id, got {grade_id!r}")
            if kind == "tests" and not (isinstance(points, (int, float)) and points > 0):
                raise NotebookSourceError(f"{where}: tests cell {grade_id} needs points > 0")
            if kind == "tests":  # the grader runs hidden tests itself: they must be trusted check calls
                from backprop_lab.sandbox.executor import AuthoringError, parse_hidden_tests
                try:
                    parse_hidden_tests(grade_id, cell.source)
                except (AuthoringError, SyntaxError, ValueError) as error:
                    raise NotebookSourceError(f"{where}: {error}") from None
            seen.add(grade_id)
        # Only nbgrader's metadata survives: jupytext's layout hints would churn the diffs.
        cell.metadata = {"nbgrader": nbgrader_metadata(kind, grade_id, points)} if kind else {}
        if instructor:
            cell.metadata["tags"] = [INSTRUCTOR_ONLY_TAG]
        cell.id = grade_id or f"{py_file.stem}-{index:03d}".replace("_", "-")
        if cell.cell_type == "markdown":
            _embed_images(cell, images_dir, where)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nbformat.validate(notebook)
    return notebook


def write_notebook(notebook, path):
    """Write a notebook with stable formatting, so that rebuilding does not churn diffs."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    path.write_text(text, encoding="utf-8")
    return path


def build_source(notebooks_dir=paths.NOTEBOOKS, source_dir=paths.SOURCE, images_dir=paths.IMAGES):
    """Build source/ASSIGNMENT/ASSIGNMENT.ipynb for every authored notebook. -> list of paths"""
    written = []
    for name in assignments(notebooks_dir):
        notebook = build_notebook(Path(notebooks_dir) / f"{name}.py", images_dir)
        written.append(write_notebook(notebook, Path(source_dir) / name / f"{name}.ipynb"))
    return written
