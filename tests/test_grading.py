"""The instructor loop on real nbgrader: validate, autograde every sample submission, feedback, grades.

Each sample in samples/ says which graded parts it must lose; every other part it touches must
get full marks. Each test grades its own sample through nbgrader's API in the worker's course
directory, so that pytest-xdist spreads the grading over the cores.
"""
import csv
import re

import nbformat
import pytest

from backprop_lab import paths
from backprop_lab.authoring import submissions
from backprop_lab.judging import mistakes
from backprop_lab.results import verdict_record
from backprop_lab.pipeline import autograde, nbgrader_api
from backprop_lab.results import exports, gradebook

pytestmark = pytest.mark.slow

SAMPLES = submissions.all_samples()
BY_NAME = {sample.name: sample for sample in SAMPLES}
WRONG = [s for s in SAMPLES if s.name.startswith("wrong-")]
CORRECT = [s for s in SAMPLES if s.name.startswith("correct-")]
RECORD = verdict_record.read()


class Grader:
    """Autogrades samples on demand in one course directory, each at most once."""

    def __init__(self, course):
        self.course = course
        self.owners = {}
        for path in (course / "source").glob("*/*.ipynb"):
            for cell in nbformat.read(path, 4).cells:
                if cell.metadata.get("nbgrader", {}).get("solution"):
                    self.owners[cell.metadata["nbgrader"]["grade_id"]] = path.parent.name
        self.results = {}

    def touched(self, sample):
        """The assignments a sample changes (all graded ones for the solution and the blank release)."""
        if not sample.cells:
            return set(nbgrader_api.graded_assignments(self.course))
        unknown = set(sample.cells) - set(self.owners)
        assert not unknown, f"{sample.name} fills cells that do not exist: {unknown}"
        return {self.owners[grade_id] for grade_id in sample.cells}

    def parts(self, sample):
        """{grade_id: (score, max_score)} over the assignments the sample touches."""
        if sample.name not in self.results:
            assignments = sorted(self.touched(sample))
            submissions.write_submissions([sample], self.course, assignments=assignments)
            failures, _ = autograde.autograde(self.course, students=[sample.name], assignments_=assignments,
                                              progress=False)
            assert not failures, "\n".join(f"{f.student}/{f.assignment}: {f.reason}" for f in failures)
            scores = gradebook.scores(self.course)
            self.results[sample.name] = {part: score for assignment in assignments
                                         for part, score in scores[(sample.name, assignment)].items()}
        return self.results[sample.name]

    def assert_as_recorded(self, sample):
        """Does every part get the score and the facts (mistake id, where) samples/verdicts.json
        records? A change of verdict must be intended: `python -m backprop_lab verdicts`."""
        assert sample.name in RECORD, f"{sample.name} is not in {verdict_record.RECORD.name}: " \
                                      "run `python -m backprop_lab verdicts` and read the diff"
        assignments = sorted(self.touched(sample))
        found = verdict_record.graded_facts(self.course, sample.name, assignments, gradebook.scores(self.course))
        recorded = {part: facts for part, facts in RECORD[sample.name].items() if part in found}
        assert not verdict_record.differences(recorded, found), "\n".join(
            verdict_record.differences(recorded, found))

    def messages(self, sample):
        """{grade_id: what its test cell printed} in the sample's autograded notebooks."""
        self.parts(sample)
        printed = {}
        for path in (self.course / "autograded" / sample.name).glob("*/*.ipynb"):
            for cell in nbformat.read(path, 4).cells:
                grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
                if grade_id and cell.cell_type == "code":
                    printed[grade_id] = "\n".join(o.get("evalue", "") + o.get("text", "") for o in cell.outputs)
        return printed


@pytest.fixture(scope="session")
def grader(course):
    return Grader(course)


def test_enough_samples_for_the_suite():
    """Are there at least 15 realistic wrong and 4 correct implementations, each saying what it loses?"""
    assert len(WRONG) >= 15 and len(CORRECT) >= 4
    for sample in WRONG:
        assert sample.mistake and sample.loses, f"{sample.name} needs '# Mistake:' and '# Loses:' lines"
    for sample in CORRECT:
        assert not sample.loses


def test_instructor_solution_gets_full_marks(grader):
    """Does the instructor's solution earn every point of every graded part?"""
    parts = grader.parts(BY_NAME[submissions.SOLUTION])
    assert parts and all(score == maximum for score, maximum in parts.values()), parts
    grader.assert_as_recorded(BY_NAME[submissions.SOLUTION])


def test_blank_release_gets_zero_everywhere(grader):
    """Does the unanswered release notebook earn nothing on any autograded part?"""
    parts = grader.parts(BY_NAME[submissions.BLANK])
    assert parts and all(score == 0 for score, _ in parts.values()), parts
    grader.assert_as_recorded(BY_NAME[submissions.BLANK])


@pytest.mark.parametrize("sample", WRONG, ids=lambda s: s.name)
def test_wrong_implementation_loses_points_in_the_right_parts(grader, sample):
    """Does this mistake cost exactly the parts it should, and nothing else?"""
    parts = grader.parts(sample)
    assert sample.loses <= set(parts), f"unknown parts in Loses: {sample.loses - set(parts)}"
    lost = {part for part, (score, maximum) in parts.items() if score < maximum}
    assert lost == sample.loses, f"{sample.mistake} lost {sorted(lost)}, expected {sorted(sample.loses)}"
    grader.assert_as_recorded(sample)


def test_the_verdict_record_holds_every_sample_and_nothing_else():
    """Is samples/verdicts.json, the refactors' yardstick, about exactly the samples there are?"""
    assert sorted(RECORD) == sorted(sample.name for sample in SAMPLES)


@pytest.mark.slow
def test_a_scratch_course_keeps_a_shared_gradebook_out(tmp_path, monkeypatch):
    """`python -m backprop_lab verdicts` on a course whose gradebook is PostgreSQL: does its scratch
    course release into its own gradebook, never into the one $BACKPROP_LAB_DB_URL names?"""
    shared = tmp_path / "shared-gradebook.db"
    monkeypatch.setenv("BACKPROP_LAB_DB_URL", f"sqlite:///{shared}")
    with verdict_record.scratch_course([], assignments=["02_convolution"]) as course:
        assert (course.root / "release" / "02_convolution" / "02_convolution.ipynb").is_file()
        assert course.db_url.startswith(f"sqlite:///{course.root}")
        assert (course.root / "gradebook.db").is_file()
    assert not shared.exists()


def test_every_catalogued_mistake_has_a_sample():
    """Is there a sample making exactly each catalogued mistake (the mutation suite), and no other?"""
    assert sorted(s.diagnosis for s in WRONG) == sorted(mistakes.BY_ID)


def test_readme_states_the_diagnosis_rate():
    """Does the README's diagnosis rate count the catalogue? (each mistake's test below must pass)"""
    stated = re.search(r"diagnose (\d+) of the (\d+) catalogued mistakes", (paths.COURSE_DIR / "README.md").read_text())
    assert stated and int(stated.group(1)) == int(stated.group(2)) == len(mistakes.CATALOGUE)


@pytest.mark.parametrize("sample", WRONG, ids=lambda s: s.name)
def test_wrong_implementation_is_diagnosed_in_its_feedback(grader, sample):
    """Does every part this mistake costs say, in the autograded notebook and the student's HTML
    feedback, which catalogued mistake it is, with its hint?"""
    mistake = mistakes.BY_ID[sample.diagnosis]
    diagnosed_parts = sample.loses & set(mistake.parts)
    assert diagnosed_parts, f"{sample.name} loses none of the parts {mistake.id} applies to"
    printed = grader.messages(sample)
    for part in diagnosed_parts:
        assert f"Likely mistake ({mistake.id})" in printed[part], (part, printed[part])
    assert not autograde.generate_feedback(grader.course, progress=False, students=[sample.name])
    pages = " ".join(page.read_text() for page in (grader.course / "feedback" / sample.name).glob("*/*.html"))
    assert f"Likely mistake ({mistake.id})" in pages and "Hint:" in pages


def test_lms_csv_has_one_row_per_student_with_each_assignment(tmp_path):
    """Does grades-lms.csv give each student one row: points per assignment (empty when not
    submitted) and the total, as the README documents its columns?"""
    table = {("ada", "01_backprop"): {"gradient": (4.0, 4.0), "cost_regularised": (0.0, 2.0)},
             ("ada", "02_convolution"): {"convolution": (3.0, 3.0)},
             ("bob", "02_convolution"): {"convolution": (0.0, 3.0)}}
    rows = list(csv.reader(exports.write_lms_csv(tmp_path / "lms.csv", table).open()))
    assert rows == [["student_id", "01_backprop", "02_convolution", "total"],
                    ["ada", "4", "3", "7"], ["bob", "", "0", "0"]]
    readme = (paths.COURSE_DIR / "README.md").read_text()
    assert "| `grades-lms.csv` | one per student" in readme and "`student_id`" in readme


def test_class_summary_counts_the_diagnosed_mistakes(grader):
    """Do the grades' "most common mistakes" list what the checks named in the students' notebooks?"""
    sample = BY_NAME["wrong-gradient-forgot-one-over-m"]
    grader.parts(sample)
    found = gradebook.diagnoses(grader.course)
    assert found[(sample.name, "01_backprop")] == {"gradient": "gradient-forgot-one-over-m",
                                                   "gradient_regularised": "gradient-forgot-one-over-m"}
    assert not any(student == submissions.SOLUTION for student, _ in found)
    summary = gradebook.format_mistakes(found)
    assert summary.startswith("Most common mistakes") and "gradient-forgot-one-over-m" in summary


def test_class_summary_counts_what_no_mistake_explains(grader):
    """Are failures without a catalogued name counted too, grouped by where their error is (here:
    the blank release, whose functions raise NotImplementedError), from the cells' metadata?"""
    grader.parts(BY_NAME[submissions.BLANK])
    found = gradebook.diagnoses(grader.course)[(submissions.BLANK, "01_backprop")]
    assert found["cost_unregularised"] == "unrecognised (nnCostFunction raises NotImplementedError)"
    assert found["gradient"] == "unrecognised (nnGradientFunction raises NotImplementedError)"
    assert "unrecognised (nnCostFunction raises NotImplementedError)" in gradebook.format_mistakes(
        {(submissions.BLANK, "01_backprop"): found})


@pytest.mark.parametrize("sample", CORRECT, ids=lambda s: s.name)
def test_correct_implementation_gets_full_marks(grader, sample):
    """Does a correct answer written differently (loops, einsum, expit, float32, ...) get every point?"""
    parts = grader.parts(sample)
    lost = {part: score for part, (score, maximum) in parts.items() if score < maximum}
    assert not lost, f"{sample.name} lost {lost}"
    grader.assert_as_recorded(sample)


def test_grades_csv_and_feedback(grader, tmp_path):
    """Do grades.csv and the HTML feedback carry the graded students' per-part scores?"""
    grader.parts(BY_NAME[submissions.SOLUTION])
    grader.parts(BY_NAME[submissions.BLANK])
    scores = gradebook.scores(grader.course)
    path = exports.write_grades_csv(tmp_path / "grades.csv", scores)
    rows = list(csv.DictReader(path.open()))
    assert len(rows) == len(scores)
    row = {(r["student_id"], r["assignment"]): r for r in rows}
    solution, blank = row[(submissions.SOLUTION, "01_backprop")], row[(submissions.BLANK, "01_backprop")]
    assert float(solution["total"]) == float(solution["max_score"]) > 0
    assert float(solution["gradient"]) == 4 and float(blank["gradient"]) == 0 and float(blank["total"]) == 0

    autograde.generate_feedback(grader.course, progress=False)
    feedback = grader.course / "feedback"
    solution_page = (feedback / submissions.SOLUTION / "01_backprop" / "01_backprop.html").read_text()
    blank_page = (feedback / submissions.BLANK / "01_backprop" / "01_backprop.html").read_text()
    assert "Score: 16.0 / 16.0" in solution_page and "Score: 0.0 / 16.0" in blank_page


def test_a_broken_submission_costs_only_its_own_grade(grader):
    """Is a notebook that is not JSON graded as blank with the reason in the notes and the
    feedback, is a right answer whose test cell was deleted still graded (the cell is put back),
    and does the submission graded after them get its marks? Nothing in submitted/ changes."""
    course = grader.course
    release = course / "release" / "02_convolution" / "02_convolution.ipynb"
    corrupt = course / "submitted" / "corrupt-json" / "02_convolution" / release.name
    corrupt.parent.mkdir(parents=True)
    corrupt.write_text('{"cells": [')
    source = nbformat.read(course / "source" / "02_convolution" / release.name, 4)
    notebook = submissions.build_submission(BY_NAME[submissions.SOLUTION], nbformat.read(release, 4), source)
    notebook.cells = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "convolution"]
    deleted = course / "submitted" / "deleted-test-cell" / "02_convolution" / release.name
    deleted.parent.mkdir(parents=True)
    nbformat.write(notebook, deleted)
    submissions.write_submissions([submissions.Sample("after-them")], course, assignments=["02_convolution"])

    before = {path: path.read_bytes() for path in (course / "submitted").rglob("*.ipynb")}

    failures, notes = autograde.autograde(course, students=["corrupt-json", "deleted-test-cell", "after-them"],
                                          assignments_=["02_convolution"], progress=False)
    assert not failures
    assert any(note.startswith("corrupt-json/02_convolution: 02_convolution.ipynb is not a readable notebook")
               for note in notes), notes
    assert any("deleted-test-cell/02_convolution: restored deleted test cells convolution" in n for n in notes)
    scores = gradebook.scores(course)
    assert scores[("corrupt-json", "02_convolution")]["convolution"] == (0.0, 3.0)
    assert scores[("after-them", "02_convolution")]["convolution"] == (3.0, 3.0)
    assert scores[("deleted-test-cell", "02_convolution")]["convolution"] == (3.0, 3.0)
    assert {path: path.read_bytes() for path in before} == before
    graded = nbformat.read(course / "autograded" / "corrupt-json" / "02_convolution" / release.name, 4)
    assert "could not be graded as submitted" in graded.cells[0].source


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
