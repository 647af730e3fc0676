"""The instructor loop on real nbgrader: validate, autograde every sample submission, feedback, grades.

Each sample in samples/ says which graded parts it must lose; every other part it touches must
get full marks. Grading runs once for all samples, in one process, through nbgrader's API.
"""
import csv

import nbformat
import pytest

from backprop_lab import grading, submissions

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("course")]

SAMPLES = submissions.all_samples()
WRONG = [s for s in SAMPLES if s.name.startswith("wrong-")]
CORRECT = [s for s in SAMPLES if s.name.startswith("correct-")]


def _answer_cells(course):
    """grade_id of every answer cell -> its assignment."""
    owners = {}
    for path in (course / "source").glob("*/*.ipynb"):
        for cell in nbformat.read(path, 4).cells:
            if cell.metadata.get("nbgrader", {}).get("solution"):
                owners[cell.metadata["nbgrader"]["grade_id"]] = path.parent.name
    return owners


def _touched(sample, course):
    """The assignments a sample changes (all graded ones for the solution and the blank release)."""
    if not sample.cells:
        return set(grading.graded_assignments(course))
    owners = _answer_cells(course)
    unknown = set(sample.cells) - set(owners)
    assert not unknown, f"{sample.name} fills cells that do not exist: {unknown}"
    return {owners[grade_id] for grade_id in sample.cells}


@pytest.fixture(scope="module")
def graded(course):
    """Autograde every sample once. -> (scores, failures, touched assignments per sample)"""
    touched = {sample.name: _touched(sample, course) for sample in SAMPLES}
    for sample in SAMPLES:
        submissions.write_submissions([sample], course, assignments=touched[sample.name])
    failures = grading.autograde(course, progress=False)
    return grading.scores(course), failures, touched


def _parts(graded, sample):
    scores, _, touched = graded
    parts = {}
    for assignment in touched[sample.name]:
        parts.update(scores[(sample.name, assignment)])
    return parts


def test_enough_samples_for_the_suite():
    """Are there at least 15 realistic wrong and 4 correct implementations, each saying what it loses?"""
    assert len(WRONG) >= 15 and len(CORRECT) >= 4
    for sample in WRONG:
        assert sample.mistake and sample.loses, f"{sample.name} needs '# Mistake:' and '# Loses:' lines"
    for sample in CORRECT:
        assert not sample.loses


def test_every_submission_was_graded(graded):
    """Did nbgrader autograde every submission without an error of its own?"""
    _, failures, _ = graded
    assert not failures, "\n".join(f"{f.student}/{f.assignment}: {f.reason}" for f in failures)


def test_instructor_solution_gets_full_marks(graded):
    """Does the instructor's solution earn every point of every graded part?"""
    parts = _parts(graded, SAMPLES[0])
    assert parts and all(score == maximum for score, maximum in parts.values()), parts


def test_blank_release_gets_zero_everywhere(graded):
    """Does the unanswered release notebook earn nothing on any autograded part?"""
    parts = _parts(graded, SAMPLES[1])
    assert parts and all(score == 0 for score, _ in parts.values()), parts


@pytest.mark.parametrize("sample", WRONG, ids=lambda s: s.name)
def test_wrong_implementation_loses_points_in_the_right_parts(graded, sample):
    """Does this mistake cost exactly the parts it should, and nothing else?"""
    parts = _parts(graded, sample)
    assert sample.loses <= set(parts), f"unknown parts in Loses: {sample.loses - set(parts)}"
    lost = {part for part, (score, maximum) in parts.items() if score < maximum}
    assert lost == sample.loses, f"{sample.mistake} lost {sorted(lost)}, expected {sorted(sample.loses)}"


@pytest.mark.parametrize("sample", CORRECT, ids=lambda s: s.name)
def test_correct_implementation_gets_full_marks(graded, sample):
    """Does a correct answer written differently (loops, einsum, expit, float32, ...) get every point?"""
    parts = _parts(graded, sample)
    lost = {part: score for part, (score, maximum) in parts.items() if score < maximum}
    assert not lost, f"{sample.name} lost {lost}"


def test_grades_csv_has_a_row_per_submission(graded, course, tmp_path):
    """Does grades.csv carry every submission with its per-part scores and total?"""
    scores, _, _ = graded
    path = grading.write_grades_csv(tmp_path / "grades.csv", scores)
    rows = list(csv.DictReader(path.open()))
    assert len(rows) == len(scores)
    solution = next(r for r in rows if r["student_id"] == submissions.SOLUTION and r["assignment"] == "01_backprop")
    assert float(solution["total"]) == float(solution["max_score"]) > 0
    assert float(solution["gradient"]) == 4


def test_feedback_is_written_for_a_student(graded, course):
    """Does generate_feedback write an HTML page per notebook with the student's score?"""
    grading.generate_feedback(course, progress=False)
    page = course / "feedback" / submissions.SOLUTION / "01_backprop" / "01_backprop.html"
    assert page.exists()
    assert "Score:" in page.read_text() or "score" in page.read_text().lower()


def _validator(invert):
    from nbgrader.validator import Validator
    validator = Validator()
    validator.invert = invert
    return validator


@pytest.mark.parametrize("name", ["01_backprop", "02_convolution"])
def test_source_notebook_passes_every_test(course, name):
    """Does the instructor notebook run top to bottom and pass every visible and hidden test?"""
    results = _validator(invert=False).validate(str(course / "source" / name / f"{name}.ipynb"))
    assert not results.get("failed"), [f["raw_error"][-800:] for f in results["failed"]]
    assert not results.get("changed") and not results.get("type_changed")


@pytest.mark.parametrize("name", ["01_backprop", "02_convolution"])
def test_release_notebook_fails_every_test(course, name):
    """Does the blank student notebook fail every graded test (nbgrader validate --invert)?"""
    results = _validator(invert=True).validate(str(course / "release" / name / f"{name}.ipynb"))
    assert not results.get("passed"), [p["source"][:200] for p in results["passed"]]
