"""Sample submissions: realistic student answers, built from the release notebooks.

A sample is a file in samples/ (jupytext percent format) holding only the answer cells it
changes, each marked with the grade_id of the solution cell it fills:

    # Mistake: forgot to divide by m in the gradient.
    # Loses: gradient
    # Diagnosis: gradient-forgot-one-over-m
    # %% grade_id="nnGradientFunction"
    def nnGradientFunction(...): ...

Every other answer cell gets the instructor's solution, so a sample is wrong exactly where it
says, and the checks must name the catalogued mistake (mistakes.py) its Diagnosis line gives.
Two samples need no file: the instructor's solution and the blank release.

`python -m backprop_lab submissions` writes them with replace_sample_students, which leaves a
record of what it wrote in each sample's folder and never replaces a folder holding anything else,
so a collected submission is never lost to the samples.
"""
import copy
import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import jupytext
import nbformat

from backprop_lab import paths

SAMPLES = paths.COURSE_DIR / "samples"
SOLUTION = "instructor-solution"
BLANK = "blank-release"
SOLUTION_MARKERS = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?", re.MULTILINE)
# In submitted/STUDENT/ (beside the assignment folders nbgrader reads): the files
# replace_sample_students wrote there and their SHA-256, {"sample": name, "files": {path: sha256}}.
SAMPLE_RECORD = ".backprop-lab-sample.json"


@dataclass
class Sample:
    """One student's answers: which solution cells it replaces, and what it should lose."""
    name: str
    mistake: str = ""
    loses: frozenset = frozenset()
    cells: dict = field(default_factory=dict)   # grade_id -> source
    blank: bool = False                         # keep the release's empty answer cells
    diagnosis: str = ""                         # the mistakes.py id the checks should name


def read_sample(path):
    """Parse samples/NAME.py into a Sample."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    header = {key.lower(): value.strip()
              for key, value in re.findall(r"^# (Mistake|Loses|Diagnosis): (.*)$", text, re.MULTILINE)}
    notebook = jupytext.reads(text, fmt="py:percent")
    cells = {}
    for cell in notebook.cells:
        grade_id = cell.metadata.get("grade_id")
        if grade_id:
            cells[grade_id] = cell.source
    if not cells:
        raise ValueError(f"{path}: no answer cells (mark them with # %% grade_id=\"...\")")
    loses = frozenset(part.strip() for part in header.get("loses", "").split(",") if part.strip())
    return Sample(path.stem, header.get("mistake", ""), loses, cells, diagnosis=header.get("diagnosis", ""))


def all_samples(samples_dir=SAMPLES):
    """The instructor's solution, the blank release, and every samples/*.py."""
    return [Sample(SOLUTION), Sample(BLANK, blank=True)] + [
        read_sample(path) for path in sorted(Path(samples_dir).glob("*.py"))]


def solution_sources(source_notebook):
    """grade_id -> the instructor's answer, solution markers removed, for every answer cell."""
    return {cell.metadata["nbgrader"]["grade_id"]: SOLUTION_MARKERS.sub("", cell.source)
            for cell in source_notebook.cells
            if cell.metadata.get("nbgrader", {}).get("solution")}


def build_submission(sample, release_notebook, source_notebook):
    """The release notebook with its answer cells filled as the sample says. -> notebook"""
    submission = copy.deepcopy(release_notebook)
    solutions = solution_sources(source_notebook)
    for cell in submission.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if not cell.metadata.get("nbgrader", {}).get("solution"):
            continue
        if grade_id in sample.cells:
            cell.source = sample.cells[grade_id]
        elif not sample.blank:
            cell.source = solutions[grade_id]
    return submission


def write_submissions(samples, course_dir=paths.COURSE_DIR, assignments=None):
    """submitted/STUDENT/ASSIGNMENT/NOTEBOOK.ipynb for every sample and released notebook."""
    course_dir = Path(course_dir)
    written = []
    for release_path in sorted(paths.Course(course_dir).release.glob("*/*.ipynb")):
        assignment = release_path.parent.name
        if assignments is not None and assignment not in assignments:
            continue
        release_notebook = nbformat.read(release_path, as_version=4)
        source_notebook = nbformat.read(paths.Course(course_dir).source / assignment / release_path.name, as_version=4)
        for sample in samples:
            target = paths.Course(course_dir).submitted / sample.name / assignment / release_path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(build_submission(sample, release_notebook, source_notebook), target)
            written.append(target)
    return written


def replace_sample_students(samples, course_dir=paths.COURSE_DIR, samples_dir=SAMPLES):
    """Write the samples into submitted/, replacing only sample folders this function wrote. -> paths written

    A sample's folder submitted/NAME/ is deleted and written again only when NAME is a sample's
    name and every file in it is one this function wrote and nobody changed since (its
    SAMPLE_RECORD says so); other students' folders are never touched. Raises ValueError, before
    changing anything, when a sample's folder holds anything else: a collected submission of a
    student who shares a sample's name, an edited sample, or one written before records existed.
    """
    submitted = paths.Course(course_dir).submitted
    names = {sample.name for sample in all_samples(samples_dir)}
    problems = []
    for sample in samples:
        folder = submitted / sample.name
        if sample.name not in names:
            problems.append(f"{sample.name!r} is not the name of a sample in {samples_dir}")
        elif folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            problems.append(f"{folder} is a link or not a folder")
        elif folder.exists() and (foreign := foreign_files(folder)):
            problems.append(f"{folder}/ holds files the sample writer did not write: {', '.join(foreign)}")
    if problems:
        raise ValueError("these folders are not sample students' (nothing was changed):\n  " + "\n  ".join(problems)
                         + "\nMove such a folder away, or delete it yourself if it is an old sample.")
    for sample in samples:
        if (submitted / sample.name).exists():
            shutil.rmtree(submitted / sample.name)
    written = write_submissions(samples, course_dir)
    for sample in samples:
        folder = submitted / sample.name
        if folder.is_dir():
            files = {path.relative_to(folder).as_posix(): _sha256(path) for path in written if folder in path.parents}
            (folder / SAMPLE_RECORD).write_text(json.dumps({"sample": sample.name, "files": files}, indent=1) + "\n")
    return written


def foreign_files(student_dir):
    """The paths (relative, sorted) under the folder submitted/STUDENT/ that replace_sample_students
    did not write there, or that changed since; links and special files always count. [] for a
    sample's own folder."""
    student_dir = Path(student_dir)
    record = student_dir / SAMPLE_RECORD
    try:
        written = json.loads(record.read_text())["files"] if record.is_file() and not record.is_symlink() else {}
    except (ValueError, KeyError, TypeError, OSError):
        written = {}
    written = written if isinstance(written, dict) else {}
    foreign = []
    for root, folders, files in os.walk(student_dir):  # a link to a folder is listed, never followed
        for name in folders + files:
            path = Path(root) / name
            relative = path.relative_to(student_dir).as_posix()
            if path.is_symlink() or not (path.is_dir() or path.is_file()):
                foreign.append(relative)
            elif path.is_file() and relative != SAMPLE_RECORD and written.get(relative) != _sha256(path):
                foreign.append(relative)
    return sorted(foreign)


def _sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
