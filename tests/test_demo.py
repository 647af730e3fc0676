"""`make demo`, the README's first command, runs the whole instructor loop in demo/, a scratch course
folder of its own, and no command replaces a submission an instructor collected."""
import argparse
import csv
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys

import pytest

from backprop_lab import cli, paths
from backprop_lab.authoring import submissions
from backprop_lab.demo import DEMO_MARKER, DEMO_STUDENTS, demo_folder_problem, fresh_demo_course


def _files(root, skip=()):
    """{path relative to root: SHA-256} of every file under root, but those under the top folders in skip."""
    return {path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob("*")) if path.is_file() and path.relative_to(root).parts[0] not in skip}


def _gradebook_rows(database):
    """{table: sorted rows} of every table of an SQLite gradebook, read without writing to it."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        tables = [name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {table: sorted(map(repr, connection.execute(f'SELECT * FROM "{table}"'))) for table in tables}


def _run(course, environment, *arguments, timeout=900):
    result = subprocess.run([sys.executable, "-m", "backprop_lab", *arguments], cwd=course, env=environment,
                            capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


@pytest.mark.slow
def test_demo_grades_the_samples_in_demo_and_leaves_the_class_alone(tmp_path):
    """In a course that has collected and graded a class, does `python -m backprop_lab demo` build,
    release, grade, give feedback and write grades.csv in demo/, and leave every collected file,
    every graded file and every gradebook row of the course as it was?"""
    course = tmp_path / "course"
    for folder in ("notebooks", "samples"):
        shutil.copytree(paths.COURSE_DIR / folder, course / folder)
    shutil.copy(paths.COURSE_DIR / "nbgrader_config.py", course)
    shutil.copytree(paths.DATA, course / "data")  # the trained parameters take a minute to rebuild
    environment = dict(os.environ, BACKPROP_LAB_COURSE_DIR=str(course),
                       BACKPROP_LAB_DATA_DIR=str(course / "data"), BACKPROP_LAB_IMAGES_DIR=str(course / "images"))
    environment.pop("BACKPROP_LAB_DB_URL", None)  # this course's gradebook is its gradebook.db
    for step in ("figures", "source", "release"):  # `make figures release`, as an instructor starts
        _run(course, environment, step)

    # A small class: alice submitted both assignments; a student whose id is a demo sample's submitted one.
    incoming = tmp_path / "class"
    incoming.mkdir()
    for student, assignment in [("alice", "01_backprop"), ("alice", "02_convolution"),
                                ("instructor-solution", "02_convolution")]:
        shutil.copy(course / "release" / assignment / f"{assignment}.ipynb", incoming / f"{student}_{assignment}.ipynb")
    _run(course, environment, "collect", str(incoming))
    _run(course, environment, "autograde", "--workers=1")
    _run(course, environment, "grades")
    before = _files(course, skip=("data", "images"))  # the demo rebuilds data/ and images/ as `make data figures` do
    rows = _gradebook_rows(course / "gradebook.db")
    assert {"submitted/alice/01_backprop/01_backprop.ipynb", "submitted/alice/02_convolution/02_convolution.ipynb",
            "submitted/instructor-solution/02_convolution/02_convolution.ipynb", "grades.csv"} <= set(before)
    assert sum("'alice'" in row for row in rows["student"]) == 1 and rows["grade"], rows

    result = _run(course, environment, "demo")

    after = _files(course, skip=("data", "images", "demo"))
    assert after == before, (f"changed or removed: {sorted(k for k in before if after.get(k) != before[k])}, "
                             f"added: {sorted(set(after) - set(before))}")
    assert _gradebook_rows(course / "gradebook.db") == rows
    demo = course / "demo"
    assert (demo / DEMO_MARKER).is_file()
    rows = list(csv.DictReader((demo / "grades.csv").open()))
    assert {row["student_id"] for row in rows} == set(DEMO_STUDENTS)
    samples = {sample.name: sample for sample in submissions.all_samples(course / "samples")}
    parts = [name for name in rows[0] if name not in ("student_id", "assignment", "total", "max_score")]
    for row in rows:
        graded = {part for part in parts if row[part] != ""}  # the parts of this row's assignment
        lost = {part for part in graded if float(row[part]) == 0}  # every part is all-or-nothing
        sample = samples[row["student_id"]]
        expected = graded if sample.blank else sample.loses & graded
        assert lost == expected, f"{row['student_id']}/{row['assignment']} lost {lost}, expected {expected}: {row}"
        assert (demo / "feedback" / row["student_id"] / row["assignment"]).is_dir()
    assert "instructor-solution" in result.stdout and "demo/grades.csv" in result.stdout
    assert "demo/reports/index.html" in result.stdout
    assert (demo / "reports" / "index.html").exists() and (demo / "grades-lms.csv").exists()
    for mistake in ("gradient-forgot-one-over-m", "cost-regularised-biases", "convolution-flipped-kernel"):
        assert mistake in result.stdout.split("Most common mistakes")[1]


@pytest.fixture
def scratch_course(course, tmp_path, monkeypatch):
    """A released course in tmp_path, and the command line's paths pointing at it."""
    for folder in ("source", "release"):
        shutil.copytree(course / folder, tmp_path / folder)
    monkeypatch.setattr(paths, "COURSE_DIR", tmp_path)
    monkeypatch.setattr(paths, "SUBMITTED", tmp_path / "submitted")
    return tmp_path


def _collect_by_hand(course, student, assignment):
    """submitted/STUDENT/ASSIGNMENT/ as `collect` leaves it: the student's notebook, nothing else."""
    target = course / "submitted" / student / assignment / f"{assignment}.ipynb"
    target.parent.mkdir(parents=True)
    shutil.copy(course / "release" / assignment / target.name, target)


def test_submissions_refuses_a_collected_folder_with_a_sample_name(scratch_course, capsys):
    """A collected student whose id is a demo sample's: does `submissions` refuse, say which folder,
    and change nothing, neither that folder nor another student's?"""
    _collect_by_hand(scratch_course, "alice", "02_convolution")
    _collect_by_hand(scratch_course, "blank-release", "02_convolution")
    before = _files(scratch_course)

    assert cli.step_submissions(argparse.Namespace(all=False)) is True
    assert "blank-release" in capsys.readouterr().err
    assert _files(scratch_course) == before


def test_submissions_replaces_its_own_samples_and_nothing_else(scratch_course, capsys):
    """Run again, does `submissions` rewrite its samples beside a collected student left as is, and
    refuse once one of its samples was edited?"""
    _collect_by_hand(scratch_course, "alice", "02_convolution")
    alice = _files(scratch_course / "submitted" / "alice")
    assert not cli.step_submissions(argparse.Namespace(all=False))
    first = _files(scratch_course)
    written = {path.split("/")[1] for path in first if path.startswith("submitted/")} - {"alice"}
    assert written == set(DEMO_STUDENTS)

    assert not cli.step_submissions(argparse.Namespace(all=False))
    assert _files(scratch_course) == first
    assert _files(scratch_course / "submitted" / "alice") == alice

    edited = scratch_course / "submitted" / "instructor-solution" / "02_convolution" / "02_convolution.ipynb"
    edited.write_text(edited.read_text().replace("def ", "def  ", 1))
    before = _files(scratch_course)
    assert cli.step_submissions(argparse.Namespace(all=False)) is True
    assert "instructor-solution" in capsys.readouterr().err
    assert _files(scratch_course) == before


DEMO_ARGS = argparse.Namespace(idx_dir=None, iterations=500, force=False, workers=1, scheduler=None,
                               unsafe_no_sandbox=False)


@pytest.mark.parametrize("layout", [{"notes.txt": "mine"},
                                    {DEMO_MARKER: "", "submitted/alice/02_convolution/02_convolution.ipynb": "{}"}])
def test_demo_refuses_a_folder_that_is_not_its_own(tmp_path, monkeypatch, capsys, layout):
    """demo/ without the demo's marker, or with a student who is not one of its samples: does the
    demo refuse before doing anything, and leave the folder as it was?"""
    for name, text in layout.items():
        (tmp_path / "demo" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "demo" / name).write_text(text)
    monkeypatch.setattr(paths, "COURSE_DIR", tmp_path)
    before = _files(tmp_path)

    assert cli.step_demo(DEMO_ARGS) is True
    assert "demo: refused" in capsys.readouterr().err
    assert _files(tmp_path) == before


def test_demo_rebuilds_its_own_folder(tmp_path, monkeypatch):
    """demo/ left by an earlier demo: is it accepted, wiped, and rebuilt from the course's sources
    and its built data and images?"""
    for folder in ("notebooks", "samples"):
        shutil.copytree(paths.COURSE_DIR / folder, tmp_path / folder)
    shutil.copy(paths.COURSE_DIR / "nbgrader_config.py", tmp_path)
    demo = tmp_path / "demo"
    (demo / "reports").mkdir(parents=True)
    (demo / DEMO_MARKER).write_text("")
    (demo / "reports" / "stale.png").write_text("from the last demo")
    monkeypatch.setattr(paths, "COURSE_DIR", tmp_path)

    assert demo_folder_problem(demo) is None
    fresh_demo_course(demo)
    assert not (demo / "reports").exists() and (demo / DEMO_MARKER).is_file()
    for folder, source in [("notebooks", tmp_path / "notebooks"), ("samples", tmp_path / "samples"),
                           ("data", paths.DATA), ("images", paths.IMAGES)]:
        assert _files(demo / folder) == _files(source), folder
    assert (demo / "nbgrader_config.py").read_bytes() == (tmp_path / "nbgrader_config.py").read_bytes()
