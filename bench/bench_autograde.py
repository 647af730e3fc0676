"""Autograde time per submission: nbgrader's Python API in one process (what `make autograde`
does) against one `nbgrader autograde` command per submission.

Both grade the same copies of the instructor solution in a throw-away course directory built
from notebooks/, with the course's nbgrader_config.py (sandboxed kernels, checks in the grader;
submitted/ directly, without the staging step, which both would share); the difference is the
command's start-up (Python, traitlets, the gradebook). bench_sandbox.py prices the sandbox.
"""
import argparse
import dataclasses
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT  # noqa: F401  (puts the project on sys.path)

from backprop_lab import paths
from backprop_lab.authoring import build, submissions
from backprop_lab.pipeline import nbgrader_api


def _course(root, students):
    build.build_source(source_dir=root / "source")
    nbgrader_api.release(root)
    solution = submissions.Sample(submissions.SOLUTION)
    copies = [dataclasses.replace(solution, name=student) for student in students]
    submissions.write_submissions(copies, root, assignments=nbgrader_api.graded_assignments(root))


def _time_api(root, students, assignment):
    api = nbgrader_api.nbgrader_api(root)
    times = []
    for student in students:
        started = time.perf_counter()
        result = api.autograde(assignment, student)
        times.append(time.perf_counter() - started)
        assert result["success"], result.get("error")
    return times


def _time_command(root, students, assignment):
    nbgrader = Path(sys.executable).with_name("nbgrader")
    times = []
    for student in students:
        started = time.perf_counter()
        subprocess.run([str(nbgrader), "autograde", assignment, "--student", student, "--force",
                        f"--CourseDirectory.root={root}", f"--CourseDirectory.db_url=sqlite:///{root / 'gradebook.db'}"],
                       cwd=paths.COURSE_DIR, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return times


def run(submissions_per_notebook=4):
    """Markdown table: median seconds per submission, per notebook, API vs command."""
    students = [f"student{i:02d}" for i in range(submissions_per_notebook)]
    rows = ["| notebook | nbgrader API, one process (s/submission) | `nbgrader autograde` per submission (s) | command ÷ API |",
            "| --- | ---: | ---: | ---: |"]
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        _course(root, students)
        for assignment in nbgrader_api.graded_assignments(root):
            api = statistics.median(_time_api(root, students, assignment))
            command = statistics.median(_time_command(root, students, assignment))
            rows.append(f"| {assignment} | {api:.2f} | {command:.2f} | {command / api:.2f} |")
    return "\n".join(rows) + (f"\n\nMedian of {submissions_per_notebook} submissions of the instructor solution "
                              "per notebook; each includes starting the kernel and running every cell.")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=4)
    args = parser.parse_args(argv)
    os.environ.setdefault("BACKPROP_LAB_DATA_DIR", str(paths.DATA))
    print(run(args.submissions))


if __name__ == "__main__":
    main()
