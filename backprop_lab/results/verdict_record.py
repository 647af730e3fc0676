"""The record of what real grading says about every sample: each graded part's score and facts.

A refactor must not change a single verdict. ``python -m backprop_lab verdicts`` grades every
sample (both notebooks, through nbgrader and the sandbox) in a scratch course and writes
``samples/verdicts.json``; ``tests/test_grading.py`` grades each sample again and compares it with
its entry. Regenerate the record only when a change of verdict is intended (a new sample, a new
catalogue entry), and read its diff: each changed line is a student whose grade or diagnosis moved.

``scratch_course`` builds that throw-away course; bench/bench_diagnosis.py grades its classes in one too.
"""
from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from backprop_lab import paths
from backprop_lab.results.gradebook import Table

if TYPE_CHECKING:  # for the annotations only: submissions imports jupytext, slow to load
    from backprop_lab.authoring.submissions import Sample

RECORD = paths.COURSE_DIR / "samples" / "verdicts.json"


@dataclass(frozen=True)
class ScratchCourse:
    """A throw-away course folder, its own SQLite gradebook, and the assignments it was given."""
    root: Path
    db_url: str
    assignments: list[str]


@contextlib.contextmanager
def scratch_course(students: Iterable[Sample], assignments: Iterable[str] | None = None) -> Iterator[ScratchCourse]:
    """A course in a temporary folder, deleted on leaving: notebooks/ built into source/, released,
    and each sample in ``students`` submitted (under its name) for ``assignments`` (default: every
    graded one). It has its own SQLite gradebook, ``db_url``, even when $BACKPROP_LAB_DB_URL names
    a shared one: grade it with that."""
    from backprop_lab.authoring import build, submissions
    from backprop_lab.pipeline import nbgrader_api

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder).resolve()
        db_url = paths.Course(root).own_gradebook_url()
        build.build_source(source_dir=paths.Course(root).source)
        nbgrader_api.release(root, db_url=db_url)
        assignments = list(assignments) if assignments is not None else nbgrader_api.graded_assignments(root)
        submissions.write_submissions(list(students), root, assignments=assignments)
        yield ScratchCourse(root, db_url, assignments)


def graded_facts(course_dir: str | os.PathLike[str], student: str, assignments: Iterable[str],
                 scores: Table) -> dict[str, dict]:
    """{grade_id: {score, max, mistake, where}} of a student's autograded notebooks: the gradebook's
    score and the facts the grader wrote into each graded cell (executor.Verdict.facts)."""
    import nbformat

    from backprop_lab.sandbox.executor import VERDICT_KEY

    facts = {}
    for assignment in assignments:
        for grade_id, (score, maximum) in scores[(student, assignment)].items():
            facts[grade_id] = {"score": score, "max": maximum, "mistake": None, "where": None}
        for path in sorted((paths.Course(course_dir).autograded / student / assignment).glob("*.ipynb")):
            for cell in nbformat.read(path, as_version=4).cells:
                grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
                verdict = cell.metadata.get(VERDICT_KEY)
                if grade_id in facts and verdict:
                    facts[grade_id].update(mistake=verdict.get("mistake"), where=verdict.get("where"))
    return facts


def grade_every_sample(workers: int = 2, progress: bool = True) -> dict[str, dict[str, dict]]:
    """{sample: {grade_id: facts}}: every sample, both notebooks, graded in a scratch course."""
    from backprop_lab.authoring import submissions
    from backprop_lab.pipeline import autograde
    from backprop_lab.results import gradebook

    samples = submissions.all_samples()
    with scratch_course(samples) as course:
        failures, _ = autograde.autograde(course.root, assignments_=course.assignments, progress=progress,
                                          workers=workers, db_url=course.db_url)
        if failures:
            raise RuntimeError("could not grade: " + ", ".join(f"{f.student}/{f.assignment}" for f in failures))
        scores = gradebook.scores(course.root, db_url=course.db_url)
        return {sample.name: graded_facts(course.root, sample.name, course.assignments, scores)
                for sample in samples}


def write(record: Mapping[str, Mapping[str, dict]], path: str | os.PathLike[str] = RECORD) -> str | os.PathLike[str]:
    """Write the record sorted, one part per line, so that its diff reads student by student."""
    lines = ["{"]
    for index, (student, parts) in enumerate(sorted(record.items())):
        lines.append(f"  {json.dumps(student)}: {{")
        for position, (grade_id, facts) in enumerate(sorted(parts.items())):
            comma = "," if position < len(parts) - 1 else ""
            lines.append(f"    {json.dumps(grade_id)}: {json.dumps(facts, sort_keys=True)}{comma}")
        lines.append("  }" + ("," if index < len(record) - 1 else ""))
    lines.append("}")
    Path(path).write_text("\n".join(lines) + "\n")
    return path


def read(path: str | os.PathLike[str] = RECORD) -> dict[str, dict[str, dict]]:
    """The record, or {} when it has not been written."""
    path = Path(path)
    return json.loads(path.read_text()) if path.is_file() else {}


def differences(expected: Mapping[str, dict], found: Mapping[str, dict]) -> list[str]:
    """Lines saying which parts' verdicts differ (expected -> found); [] when they agree."""
    lines = []
    for grade_id in sorted(set(expected) | set(found)):
        if expected.get(grade_id) != found.get(grade_id):
            lines.append(f"{grade_id}: recorded {expected.get(grade_id)}, graded {found.get(grade_id)}")
    return lines

