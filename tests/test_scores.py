"""The grade table as a type: Scores, each submission's totals, and the readers that print them.

In-process and quick: the tables are written by hand (fractional scores, a missing submission, a
submission with no graded part), and the one gradebook is made with nbgrader's API, no grading.
"""
import csv
import os
import sys

from backprop_lab.results import exports, gradebook, report
from backprop_lab.results.gradebook import PartScore, Scores, SubmissionScores

# ada submitted both assignments, bob only the first, cy a notebook with no graded part.
TABLE = {
    ("bob", "01_backprop"): {"gradient": (0.5, 4.0), "cost_regularised": (1.5, 2.0)},
    ("ada", "01_backprop"): {"gradient": (4.0, 4.0), "cost_regularised": (1.25, 2.0)},
    ("ada", "02_convolution"): {"convolution": (1.5, 3.0)},
    ("cy", "02_convolution"): {},
}


def test_scores_equal_the_plain_table_they_are_built_from():
    """Do a Scores, its submissions and their parts still equal plain dicts and tuples, so code
    comparing against {grade_id: (score, max_score)} keeps working?"""
    scores = Scores(TABLE)
    assert scores == TABLE
    assert scores[("ada", "02_convolution")] == {"convolution": (1.5, 3.0)}
    part = scores[("ada", "02_convolution")]["convolution"]
    assert isinstance(part, PartScore) and (part.score, part.max_score) == (1.5, 3.0)
    assert all(isinstance(parts, SubmissionScores) for parts in scores.values())
    assert Scores(scores) == scores and Scores() == {}


def test_a_submission_totals_its_parts():
    """Are a submission's total and maximum the sums of its parts' scores and worths, 0 for none?"""
    scores = Scores(TABLE)
    assert (scores[("bob", "01_backprop")].total, scores[("bob", "01_backprop")].max_score) == (2.0, 6.0)
    assert (scores[("ada", "01_backprop")].total, scores[("ada", "01_backprop")].max_score) == (5.25, 6.0)
    assert (scores[("cy", "02_convolution")].total, scores[("cy", "02_convolution")].max_score) == (0, 0)


def test_a_total_adds_the_parts_in_their_order():
    """Does a total add its parts in the gradebook's order, as grades.csv always did? A float sum
    depends on its order: here 1 + 1e16 - 1e16 is 0.0 in order, 1.0 sorted by grade id."""
    parts = SubmissionScores({"z": (1.0, 1.0), "a": (1e16, 1e16), "m": (-1e16, 0.0)})
    assert parts.total == 0.0


def test_the_table_lists_its_assignments_students_and_parts_sorted():
    scores = Scores(TABLE)
    assert scores.assignments == ["01_backprop", "02_convolution"]
    assert scores.students == ["ada", "bob", "cy"]
    assert scores.parts("01_backprop") == ["cost_regularised", "gradient"]
    assert scores.parts("02_convolution") == ["convolution"]
    assert scores.parts() == ["convolution", "cost_regularised", "gradient"]
    assert list(scores.of_assignment("01_backprop")) == ["ada", "bob"]
    assert scores.of_assignment("02_convolution") == {"ada": {"convolution": (1.5, 3.0)}, "cy": {}}


def test_a_students_total_counts_only_what_they_submitted():
    """Is a student's total over assignments the sum of their submissions' totals, with nothing
    for an assignment they did not submit?"""
    scores = Scores(TABLE)
    assert scores.student_total("ada") == 5.25 + 1.5
    assert scores.student_total("bob") == 2.0
    assert scores.student_total("cy") == 0
    assert scores.student_total("nobody") == 0


def test_grades_csv_carries_each_submissions_total(tmp_path):
    """Does grades.csv give each submission its parts, total and maximum, the same from a Scores
    as from the plain table?"""
    path = exports.write_grades_csv(tmp_path / "grades.csv", TABLE)
    rows = list(csv.reader(path.open()))
    assert rows == [["student_id", "assignment", "convolution", "cost_regularised", "gradient", "total", "max_score"],
                    ["ada", "01_backprop", "", "1.25", "4", "5.25", "6"],
                    ["ada", "02_convolution", "1.5", "", "", "1.5", "3"],
                    ["bob", "01_backprop", "", "1.5", "0.5", "2", "6"],
                    ["cy", "02_convolution", "", "", "", "0", "0"]]
    again = exports.write_grades_csv(tmp_path / "again.csv", Scores(TABLE))
    assert again.read_bytes() == path.read_bytes()


def test_lms_csv_totals_each_student_over_the_assignments(tmp_path):
    rows = list(csv.reader(exports.write_lms_csv(tmp_path / "lms.csv", Scores(TABLE)).open()))
    assert rows == [["student_id", "01_backprop", "02_convolution", "total"],
                    ["ada", "5.25", "1.5", "6.75"], ["bob", "2", "", "2"], ["cy", "", "0", "0"]]


def test_the_printed_table_ends_each_line_with_the_total():
    lines = gradebook.format_table(TABLE).splitlines()
    assert [line.split()[-1] for line in lines if line.startswith(("ada", "bob", "cy"))] == \
        ["5.25/6", "2/6", "1.5/3", "0/0"]


def test_the_reports_assignment_totals():
    """Are the report's mean and median totals, and its points, those of the submissions' totals?"""
    rows = {row.assignment: row for row in report.assignment_stats(TABLE, None)}
    assert (rows["01_backprop"].submissions, rows["01_backprop"].points) == (2, 6.0)
    assert rows["01_backprop"].mean == rows["01_backprop"].median == (5.25 + 2.0) / 2
    assert (rows["02_convolution"].submissions, rows["02_convolution"].points) == (2, 3.0)
    assert rows["02_convolution"].mean == 0.75 and rows["02_convolution"].failed is None


def test_gradebook_scores_reads_a_scores_table(tmp_path, monkeypatch):
    """Does gradebook.scores give a Scores, with an instructor's manual score over the autograder's?"""
    from nbgrader.api import Gradebook

    # nbgrader runs the `alembic` command when it creates a gradebook: find the venv's.
    monkeypatch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    db_url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with Gradebook(db_url) as book:
        book.add_assignment("01_backprop")
        book.add_notebook("01_backprop", "01_backprop")
        book.add_grade_cell("gradient", "01_backprop", "01_backprop", max_score=4.0, cell_type="code")
        book.add_grade_cell("cost_regularised", "01_backprop", "01_backprop", max_score=2.0, cell_type="code")
        book.add_student("ada")
        book.add_submission("01_backprop", "ada")
        book.find_grade("gradient", "01_backprop", "01_backprop", "ada").auto_score = 4.0
        graded = book.find_grade("cost_regularised", "01_backprop", "01_backprop", "ada")
        graded.auto_score, graded.manual_score = 2.0, 0.5
        book.db.commit()
    scores = gradebook.scores(db_url=db_url)
    assert isinstance(scores, Scores)
    assert scores == {("ada", "01_backprop"): {"gradient": (4.0, 4.0), "cost_regularised": (0.5, 2.0)}}
    assert scores[("ada", "01_backprop")].total == 4.5
