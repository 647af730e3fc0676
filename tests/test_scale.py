"""Grading a class: worker processes and a Dask cluster, without losing or duplicating a grade."""
import dataclasses
import json

import pytest

from backprop_lab import paths
from backprop_lab.authoring import submissions
from backprop_lab.pipeline import autograde
from backprop_lab.results import gradebook as results_gradebook  # these tests name nbgrader's Gradebook `gradebook`

pytestmark = pytest.mark.slow

ASSIGNMENT = "02_convolution"
MIX = [s for s in submissions.all_samples()
       if s.name in (submissions.SOLUTION, submissions.BLANK, "correct-loops", "wrong-convolution-flipped-kernel",
                     "wrong-convolution-no-padding", "correct-expit-float32")]
EXPECTED = {name: 0.0 if name.startswith(("wrong", "blank")) else 3.0 for name in (s.name for s in MIX)}


def _class(course, prefix, copies):
    """copies x the mix of samples as students PREFIX-NN-SAMPLE. -> {student: expected points}"""
    students = {}
    samples = []
    for copy in range(copies):
        for sample in MIX:
            name = f"{prefix}-{copy:02d}-{sample.name}"
            samples.append(dataclasses.replace(sample, name=name))
            students[name] = EXPECTED[sample.name]
    submissions.write_submissions(samples, course, assignments=[ASSIGNMENT])
    return students


def _check_graded_once(course, students):
    from nbgrader.api import Gradebook
    scores = results_gradebook.scores(course)
    got = {student: scores[(student, ASSIGNMENT)]["convolution"][0] for student in students}
    assert got == students
    with Gradebook(paths.Course(course).gradebook_url()) as gradebook:
        submitted = [s.student.id for s in gradebook.find_assignment(ASSIGNMENT).submissions if s.student.id in students]
    assert sorted(submitted) == sorted(students)  # one submission each: none lost, none duplicated
    log = [json.loads(line) for line in (paths.Course(course).grading_log).read_text().splitlines()]
    assert sorted(r["student"] for r in log if r["student"] in students) == sorted(students)
    assert all(r["success"] and r["seconds"] > 0 for r in log if r["student"] in students)


def test_worker_processes_grade_every_submission_exactly_once(course):
    """Two worker processes sharing the SQLite gradebook: is every grade there, once, and right?"""
    students = _class(course, "pool", copies=2)
    failures, _ = autograde.autograde(course, students=set(students), assignments_=[ASSIGNMENT], progress=False,
                                      workers=2)
    assert not failures, failures
    _check_graded_once(course, students)


def test_a_dask_cluster_grades_like_the_local_workers(course):
    """The same grading on a Dask cluster of separate worker processes, given its scheduler's address."""
    distributed = pytest.importorskip("distributed")
    students = _class(course, "dask", copies=1)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        failures, _ = autograde.autograde(course, students=set(students), assignments_=[ASSIGNMENT], progress=False,
                                          scheduler=cluster.scheduler_address)
    assert not failures, failures
    _check_graded_once(course, students)
