"""`make demo`, the README's first command, runs the whole instructor loop in a fresh course folder."""
import csv
import os
import shutil
import subprocess
import sys

import pytest

from backprop_lab import cli, paths, submissions

pytestmark = pytest.mark.slow


def test_demo_grades_the_sample_students(tmp_path):
    """Does `python -m backprop_lab demo` build, release, grade, give feedback and write grades.csv?"""
    for folder in ("notebooks", "samples"):
        shutil.copytree(paths.COURSE_DIR / folder, tmp_path / folder)
    shutil.copy(paths.COURSE_DIR / "nbgrader_config.py", tmp_path)
    shutil.copytree(paths.DATA, tmp_path / "data")  # the trained parameters take a minute to rebuild
    environment = dict(os.environ, BACKPROP_LAB_COURSE_DIR=str(tmp_path),
                       BACKPROP_LAB_DATA_DIR=str(tmp_path / "data"), BACKPROP_LAB_IMAGES_DIR=str(tmp_path / "images"))
    result = subprocess.run([sys.executable, "-m", "backprop_lab", "demo"], cwd=tmp_path, env=environment,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]

    rows = list(csv.DictReader((tmp_path / "grades.csv").open()))
    assert {row["student_id"] for row in rows} == set(cli.DEMO_STUDENTS)
    samples = {sample.name: sample for sample in submissions.all_samples(tmp_path / "samples")}
    parts = [name for name in rows[0] if name not in ("student_id", "assignment", "total", "max_score")]
    for row in rows:
        graded = {part for part in parts if row[part] != ""}  # the parts of this row's assignment
        lost = {part for part in graded if float(row[part]) == 0}  # every part is all-or-nothing
        sample = samples[row["student_id"]]
        expected = graded if sample.blank else sample.loses & graded
        assert lost == expected, f"{row['student_id']}/{row['assignment']} lost {lost}, expected {expected}: {row}"
        assert (tmp_path / "feedback" / row["student_id"] / row["assignment"]).is_dir()
    assert "instructor-solution" in result.stdout and "grades.csv" in result.stdout
    assert (tmp_path / "reports" / "index.html").exists() and (tmp_path / "grades-lms.csv").exists()
    for mistake in ("gradient-forgot-one-over-m", "cost-regularised-biases", "convolution-flipped-kernel"):
        assert mistake in result.stdout.split("Most common mistakes")[1]
