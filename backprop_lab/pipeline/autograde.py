"""Autograde and feedback: every submission staged and graded in its own sandboxed kernel, by a
pool of worker processes or a Dask cluster, each logged to grading-log.jsonl.

.grading/submitted/ -> autograded/ (autograde) -> feedback/ (generate_feedback).
"""
import dataclasses
import json
import os
import random
import shutil
import time
from collections.abc import Collection, Iterable
from concurrent.futures import as_completed
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from backprop_lab import paths
from backprop_lab.sandbox import bubblewrap
from backprop_lab.pipeline.nbgrader_api import (graded_assignments, nbgrader_api,
                                               submitted_students)
from backprop_lab.pipeline.staging import stage_submission

DB_RETRIES = 3                     # a submission whose gradebook write collided is graded again
_APIS: dict[tuple, Any] = {}       # one nbgrader API per process and setting: its start-up is paid once


@dataclass
class AutogradeFailure:
    student: str
    assignment: str
    reason: str


@dataclass
class Graded:
    """What grading one submission did."""
    student: str
    assignment: str
    seconds: float
    success: bool
    reason: str = ""
    notes: list = field(default_factory=list)


def grade_submission(course_dir: str | os.PathLike[str], student: str, assignment: str, sandboxed: bool = True,
                     timeout: int | None = None, db_url: str | None = None) -> Graded:
    """Stage and autograde one submission. -> Graded. Runs in the grader or in a worker process."""
    key = (str(course_dir), sandboxed, timeout, db_url)
    if key not in _APIS:
        _APIS[key] = nbgrader_api(course_dir, staged=True, sandboxed=sandboxed, timeout=timeout, db_url=db_url)
    started, notes = time.perf_counter(), []
    for attempt in range(DB_RETRIES + 1):
        try:
            notes = stage_submission(course_dir, student, assignment, db_url)
            result = _APIS[key].autograde(assignment, student)
        except OSError as problem:  # e.g. an unreadable file in the submission
            result = {"success": False, "error": f"could not stage the submission: {problem}"}
        finally:
            shutil.rmtree(paths.Course(course_dir).staging / student / assignment, ignore_errors=True)
        error = result.get("error") or ""
        if result.get("success") or not any(clash in error for clash in ("database is locked", "IntegrityError")):
            break
        time.sleep(0.5 + attempt + random.random())  # another worker held the SQLite gradebook
    return Graded(student, assignment, time.perf_counter() - started, bool(result.get("success")),
                  "" if result.get("success") else error[-2000:], notes)


def _executor(workers, scheduler):
    """concurrent.futures-style executor: local processes, or a Dask cluster's workers."""
    if scheduler:
        from distributed import Client
        client = Client(scheduler)
        return client.get_executor(pure=False), client.close
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    # spawn: a fresh interpreter per worker, not a fork of a process holding sockets and database handles
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    return pool, pool.shutdown


def _create_students(db_url, students):
    """Add the students to the gradebook before the workers do it at the same time."""
    from nbgrader.api import Gradebook
    with Gradebook(db_url) as gradebook:
        for student in sorted(set(students)):
            gradebook.update_or_create_student(student)


def autograde(course_dir: str | os.PathLike[str] = paths.COURSE_DIR, students: Collection[str] | None = None,
              assignments_: Iterable[str] | None = None, progress: bool = True, sandboxed: bool = True,
              timeout: int | None = None, workers: int = 1, scheduler: str | None = None,
              db_url: str | None = None) -> tuple[list[AutogradeFailure], list[str]]:
    """Autograde every submission (or the given ones), each in its own sandboxed kernel.

    workers > 1 grades in that many local processes; scheduler (a Dask scheduler's address,
    e.g. tcp://host:8786) on that cluster's workers instead. A submission that cannot be graded
    is reported and the others carry on. Every graded submission is appended to
    grading-log.jsonl. Raises bubblewrap.SandboxUnavailable when bubblewrap is missing, unless
    sandboxed=False. -> (failures, notes)
    """
    if sandboxed:
        bubblewrap.check_available()
    course_dir = Path(course_dir).resolve()
    db_url = db_url or paths.Course(course_dir).gradebook_url()
    jobs = [(student, assignment)
            for assignment in (assignments_ or graded_assignments(course_dir))
            for student in submitted_students(course_dir, assignment)
            if students is None or student in students]
    failures, all_notes = [], []
    bar = tqdm(total=len(jobs), desc="autograde", unit="notebook", disable=not progress)

    def record(graded):
        for note in graded.notes:
            tqdm.write(note)
        all_notes.extend(graded.notes)
        if not graded.success:
            failures.append(AutogradeFailure(graded.student, graded.assignment, graded.reason))
            tqdm.write(f"{graded.student}/{graded.assignment}: could not be graded")
        with open(paths.Course(course_dir).grading_log, "a") as log:
            log.write(json.dumps(dict(dataclasses.asdict(graded), finished=datetime.now(timezone.utc).isoformat()))
                      + "\n")
        bar.set_postfix_str(f"failed {len(failures)}" if failures else graded.student)
        bar.update()

    if jobs and (workers > 1 or scheduler):
        _create_students(db_url, [student for student, _ in jobs])
        executor, close = _executor(workers, scheduler)
        try:
            futures = [executor.submit(grade_submission, course_dir, student, assignment, sandboxed, timeout, db_url)
                       for student, assignment in jobs]
            for future in as_completed(futures):
                record(future.result())
        finally:
            close()
    else:
        for student, assignment in jobs:
            bar.set_postfix_str(f"{student}/{assignment}")
            record(grade_submission(course_dir, student, assignment, sandboxed, timeout, db_url))
    bar.close()
    return failures, all_notes


def read_grading_log(course_dir: str | os.PathLike[str] = paths.COURSE_DIR
                     ) -> tuple[dict[tuple[str, str], dict[str, Any]], int] | None:
    """The last record of each (student, assignment) in grading-log.jsonl.

    -> ({(student, assignment): record}, number of unreadable lines), or None when there is no log.
    A line that is not a JSON object with a student and an assignment (a run killed mid-write) is
    counted, not fatal.
    """
    path = paths.Course(course_dir).grading_log
    if not path.is_file():
        return None
    last, unreadable = {}, 0
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            unreadable += 1
            continue
        if not isinstance(record, dict) or not record.get("student") or not record.get("assignment"):
            unreadable += 1
            continue
        last[(str(record["student"]), str(record["assignment"]))] = record
    return last, unreadable


def generate_feedback(course_dir: str | os.PathLike[str] = paths.COURSE_DIR, progress: bool = True,
                      students: Collection[str] | None = None) -> list[AutogradeFailure]:
    """HTML feedback for every autograded submission: feedback/STUDENT/ASSIGNMENT/*.html.

    -> list of AutogradeFailure for the submissions whose feedback could not be made.
    """
    api = nbgrader_api(course_dir)
    autograded = paths.Course(course_dir).autograded
    jobs = sorted((s.parent.name, s.name) for s in autograded.glob("*/*")
                  if s.is_dir() and (students is None or s.parent.name in students))
    failures = []
    for student, assignment in tqdm(jobs, desc="feedback", unit="notebook", disable=not progress):
        result = api.generate_feedback(assignment, student)
        if not result.get("success"):
            failures.append(AutogradeFailure(student, assignment, (result.get("error") or "")[-2000:]))
    return failures
