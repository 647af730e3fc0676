"""Do the two grading routes grade alike?

`make autograde` (autograde.autograde: staging, then nbgrader's API on the staged copy) and
nbgrader's own command line (`nbgrader autograde ASSIGNMENT`, reading the course's
nbgrader_config.py) grade the same submissions, each in a scratch course and gradebook of its
own, at the same time (one core each): samples from samples/, notebooks whose graded cells were
deleted, duplicated or changed in type, and tampering attacks built by tests/test_attacks.py.
Both must give every part the same score and the same facts; the samples must get what
samples/verdicts.json records. The file-level work of staging (links, unreadable notebooks, the
trusted submission time) belongs to `make autograde` alone and is tested in test_attacks.py,
test_grading.py and test_collect.py. One test grades everything and lists every difference, so
that pytest-xdist grades once whatever its --dist mode.
"""
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import nbformat
import pytest
from test_attacks import WRONG, _tampered_notebooks  # the attack suite's builders

from backprop_lab import paths
from backprop_lab.authoring import build, submissions
from backprop_lab.results import verdict_record
from backprop_lab.pipeline import autograde, nbgrader_api, repairs
from backprop_lab.results import gradebook

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("routes")]

BACKPROP, CONVOLUTION = "01_backprop", "02_convolution"
# Samples per notebook: 02_convolution grades in ~2 s, 01_backprop in ~14 s, so most cases are 02's.
SAMPLES = {BACKPROP: [submissions.SOLUTION, submissions.BLANK, "wrong-cost-forgot-one-over-m",
                      "wrong-gradient-hard-coded-sizes", "wrong-plot-units-missing"],
           CONVOLUTION: [submissions.SOLUTION, submissions.BLANK, "correct-einsum", "wrong-convolution-flipped-kernel"]}
RETOUCHED = "wrong-cost-forgot-one-over-m"  # its 01_backprop test cells deleted, retyped, duplicated
ATTACKS = ["duplicates-test-cell", "renames-test-cell", "relabels-test-cell"]  # on a wrong answer: 0 points


def _grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def _cell(notebook, grade_id):
    return next(cell for cell in notebook.cells if _grade_id(cell) == grade_id)


def _copy(cell):
    return nbformat.from_dict(json.loads(json.dumps(cell)))


def _as_markdown(cell):
    cell.cell_type = "markdown"
    cell.pop("outputs", None)
    cell.pop("execution_count", None)


def _retouch(path):
    """A submitted 01_backprop whose test cells a student changed: cost_regularised deleted,
    sigmoid_gradient turned into Markdown, gradient duplicated. Repaired, it earns what it did."""
    notebook = nbformat.read(path, 4)
    notebook.cells.remove(_cell(notebook, "cost_regularised"))
    _as_markdown(_cell(notebook, "sigmoid_gradient"))
    gradient = _cell(notebook, "gradient")
    notebook.cells.insert(notebook.cells.index(gradient) + 1, _copy(gradient))
    nbformat.write(notebook, path)


def _changed_cells(course):
    """{student: (notebook, points expected)}: right answers to 02_convolution whose graded cells a
    student deleted, duplicated or changed in type, and what the repairs make them earn."""
    release = nbformat.read(course / "release" / CONVOLUTION / f"{CONVOLUTION}.ipynb", 4)
    source = nbformat.read(course / "source" / CONVOLUTION / f"{CONVOLUTION}.ipynb", 4)

    def solved():
        return submissions.build_submission(submissions.Sample(submissions.SOLUTION), release, source)

    deleted = solved()
    deleted.cells.remove(_cell(deleted, "convolution"))
    # The first copy of a graded cell counts (nbgrader's DeduplicateIds alone would keep the last):
    # here it sits above the answer, so it runs before convolve2d exists.
    duplicated = solved()
    duplicated.cells.insert(duplicated.cells.index(_cell(duplicated, "convolve2d")), _copy(_cell(duplicated, "convolution")))
    # A graded cell turned into Markdown gets the release's cell back: an answer in it is lost.
    answer_as_text, test_as_text = solved(), solved()
    _as_markdown(_cell(answer_as_text, "convolve2d"))
    _as_markdown(_cell(test_as_text, "convolution"))
    # Metadata nbformat accepts but no grader expects: before, staging crashed on it and the whole
    # class's grading stopped.
    garbled = solved()
    for metadata in ({"grade_id": ["convolution"], "grade": True, "points": 3}, {"grade_id": 5}, "x"):
        garbled.cells.append(nbformat.v4.new_code_cell("pass", metadata={"nbgrader": metadata}))
    return {"cells-test-deleted": (deleted, 3), "cells-test-duplicated-above-answer": (duplicated, 0),
            "cells-answer-as-markdown": (answer_as_text, 0), "cells-test-as-markdown": (test_as_text, 3),
            "cells-metadata-garbled": (garbled, 3)}


def _write(course, student, assignment, notebook):
    target = course / "submitted" / student / assignment / f"{assignment}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, target)


def _course(folder):
    """notebooks/ -> source/ -> release/ with the course's nbgrader_config.py, and every submission
    written. -> (course, {student: assignments submitted}, {student: 02_convolution points expected})"""
    course = folder / "built"
    build.build_source(source_dir=course / "source")
    nbgrader_api.release(course)
    shutil.copyfile(paths.COURSE_DIR / "nbgrader_config.py", course / "nbgrader_config.py")
    by_name = {sample.name: sample for sample in submissions.all_samples()}
    graded = {}
    for assignment, names in SAMPLES.items():
        submissions.write_submissions([by_name[name] for name in names], course, assignments=[assignment])
        for name in names:
            graded.setdefault(name, []).append(assignment)
    _retouch(course / "submitted" / RETOUCHED / BACKPROP / f"{BACKPROP}.ipynb")
    changed = _changed_cells(course)
    for student, (notebook, _) in changed.items():
        _write(course, student, CONVOLUTION, notebook)
        graded[student] = [CONVOLUTION]
    for name, notebook in _tampered_notebooks(course, None).items():
        if name in ATTACKS:
            _cell(notebook, "convolve2d").source = WRONG
            _write(course, f"tamper-{name}", CONVOLUTION, notebook)
            graded[f"tamper-{name}"] = [CONVOLUTION]
    return course, graded, {student: points for student, (_, points) in changed.items()}


def _nbgrader_command_line(course, assignments, output):
    """`nbgrader autograde ASSIGNMENT --force` in the course folder, as an instructor types it."""
    bin_dir = Path(sys.executable).parent
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}", OPENBLAS_NUM_THREADS="1",
               OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    for assignment in assignments:
        run = subprocess.run([str(bin_dir / "nbgrader"), "autograde", assignment, "--force"], cwd=course, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=1200)
        output.append((assignment, run.returncode, run.stdout))


def _facts(course, graded):
    """{student: {grade_id: {score, max, mistake, where}}} of a graded course; {} for a student
    with a submission missing from the gradebook."""
    scores = gradebook.scores(course)
    return {student: verdict_record.graded_facts(course, student, assignments, scores)
            if all((student, assignment) in scores for assignment in assignments) else {}
            for student, assignments in graded.items()}


def test_both_routes_grade_alike(tmp_path_factory):
    """Does `nbgrader autograde` give every part of every submission the score, mistake and place
    that `make autograde` gives, neither failing on any submission; do the samples get what
    samples/verdicts.json records; is a deleted test cell put back, the first copy of a duplicated
    one the one that counts, a cell changed to Markdown graded as the release's cell; and does the
    instructor read what was repaired on both routes (the notes of `make autograde`, nbgrader's log)?"""
    built, graded, expected = _course(tmp_path_factory.mktemp("routes"))
    api, command_line = built.parent / "api", built.parent / "command-line"
    shutil.copytree(built, api, symlinks=True)
    shutil.copytree(built, command_line, symlinks=True)
    output = []  # (assignment, return code, what nbgrader printed)
    nbgrader = threading.Thread(target=_nbgrader_command_line, args=(command_line, [BACKPROP, CONVOLUTION], output))
    nbgrader.start()
    try:
        failures, notes = autograde.autograde(api, assignments_=[BACKPROP, CONVOLUTION], progress=False, workers=1)
    finally:
        nbgrader.join()
    problems = [f"make autograde could not grade {f.student}/{f.assignment}: {f.reason[-500:]}" for f in failures]
    problems += [f"nbgrader autograde {assignment} failed ({code}):\n{text[-3000:]}"
                 for assignment, code, text in output if code != 0 or "[AutogradeApp | ERROR]" in text]
    routes = {"make autograde": _facts(api, graded), "nbgrader autograde": _facts(command_line, graded)}
    for student, parts in routes["make autograde"].items():
        problems += [f"{student}: make autograde and nbgrader autograde differ on {line}"
                     for line in verdict_record.differences(parts, routes["nbgrader autograde"][student])]
        if not parts:
            problems.append(f"{student}: not in the gradebook of make autograde")
    record = verdict_record.read()
    for route, found in routes.items():
        for name in {name for names in SAMPLES.values() for name in names}:
            recorded = {part: facts for part, facts in record[name].items() if part in found[name]}
            problems += [f"{route}, {name}: {line}" for line in verdict_record.differences(recorded, found[name])]
        for student, points in expected.items():
            got = found[student].get("convolution", {}).get("score")
            if got != points:
                problems.append(f"{route}, {student}: scored {got}, the repair rules give {points}")
        for name in ATTACKS:
            if found[f"tamper-{name}"].get("convolution", {}).get("score") != 0:
                problems.append(f"{route}, tamper-{name}: {found[f'tamper-{name}']}")

    repaired = [note for note in notes if repairs.DROPPED in note or repairs.RESTORED in note]
    logged = "\n".join(text for _, _, text in output)
    for note in [f"{RETOUCHED}/{BACKPROP}: ignored extra or duplicated graded cells gradient",
                 f"{RETOUCHED}/{BACKPROP}: restored deleted test cells cost_regularised",
                 f"cells-test-deleted/{CONVOLUTION}: restored deleted test cells convolution",
                 f"cells-test-duplicated-above-answer/{CONVOLUTION}: ignored extra or duplicated graded cells convolution"]:
        if note not in repaired:
            problems.append(f"make autograde's notes miss: {note}")
    problems += [f"nbgrader's log misses: {note}" for note in repaired if note not in logged]
    if logged.count(repairs.DROPPED) + logged.count(repairs.RESTORED) != len(repaired):
        problems.append(f"nbgrader's log reports other repairs than the notes: {repaired}")
    assert not problems, "\n".join(problems)


def test_the_repairs_come_first_in_nbgrader_sanitize_step():
    """Does nbgrader_config.py put the repairs before nbgrader's own sanitize preprocessors, all
    of them kept in their order?"""
    from nbgrader.converters import Autograde
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(paths.COURSE_DIR)).load_config()
    assert config.Autograde.sanitize_preprocessors == [
        repairs.NormaliseGradedCells, repairs.RestoreTestCells,
        *Autograde.class_traits()["sanitize_preprocessors"].default()]


def test_a_repair_finds_the_release_through_nbgrader_and_logs_what_it_did(tmp_path, caplog):
    """Tiny notebooks: does RestoreTestCells, run by an nbgrader exporter under a converter, read
    the release from the converter's course directory, put a deleted test cell back after the
    answer, and log the note staging would give?"""
    from nbconvert.exporters import NotebookExporter
    from nbgrader.converters import Autograde
    from nbgrader.coursedir import CourseDirectory

    def cell(source, grade_id, **flags):
        return nbformat.v4.new_code_cell(source, metadata={"nbgrader": {
            "grade_id": grade_id, "grade": False, "solution": False, "locked": False, "schema_version": 3, **flags}})

    release = nbformat.v4.new_notebook(cells=[cell("x = None", "answer", solution=True),
                                              cell("assert x == 1", "test", grade=True, locked=True, points=1)])
    (tmp_path / "release" / "a1").mkdir(parents=True)
    nbformat.write(release, tmp_path / "release" / "a1" / "nb.ipynb")
    submitted = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("Mine"), cell("x = 1", "answer",
                                                                                               solution=True)])
    exporter = NotebookExporter(parent=Autograde(coursedir=CourseDirectory(root=str(tmp_path))))
    exporter.register_preprocessor(repairs.RestoreTestCells)
    resources = {"nbgrader": {"student": "ada", "assignment": "a1", "notebook": "nb"}}
    with caplog.at_level("WARNING"):
        output, _ = exporter.from_notebook_node(submitted, resources)
    assert [_grade_id(c) for c in nbformat.reads(output, 4).cells] == [None, "answer", "test"]
    assert "ada/a1: restored deleted test cells test" in caplog.text
    assert repairs.notes("ada/a1", submitted, release) == ["ada/a1: restored deleted test cells test"]


def test_garbled_grade_metadata_is_dropped_not_crashed_on():
    """A grade id that is a list or a number, nbgrader metadata that is a string: nbformat accepts
    them all. Do the repairs drop those cells and keep the real graded cell?"""
    def cell(source, metadata):
        return nbformat.v4.new_code_cell(source, metadata={"nbgrader": metadata})

    graded = {"grade_id": "answer", "grade": False, "solution": True, "locked": False, "schema_version": 3}
    release = nbformat.v4.new_notebook(cells=[cell("x = None", graded)])
    submitted = nbformat.v4.new_notebook(cells=[
        cell("x = 1", graded), cell("pass", {"grade_id": ["answer"], "grade": True, "points": 9}),
        cell("pass", {"grade_id": 5}), cell("pass", "x")])
    assert repairs.notes("ada/a1", submitted, release) == [
        f"ada/a1: {repairs.DROPPED} ['answer'], 5"]
    repairs.normalise_graded_cells(submitted, release)
    assert [c.metadata.get("nbgrader", {}).get("grade_id") for c in submitted.cells] == ["answer", None, None, None]
