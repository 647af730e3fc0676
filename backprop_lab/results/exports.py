"""The grades exported: grades.csv, the LMS import, nbgrader's own CSV."""
from __future__ import annotations

import csv
import os
from pathlib import Path

from backprop_lab import paths
from backprop_lab.results.gradebook import Scores, Table


def write_grades_csv(path: str | os.PathLike[str], table: Table) -> Path:
    """One row per student and assignment: a column per graded part, then total and max."""
    table = Scores(table)
    parts = table.parts()
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", "assignment", *parts, "total", "max_score"])
        for (student, assignment), row in sorted(table.items()):
            writer.writerow([student, assignment, *(f"{row[p].score:g}" if p in row else "" for p in parts),
                             f"{row.total:g}", f"{row.max_score:g}"])
    return Path(path)


def write_lms_csv(path: str | os.PathLike[str], table: Table) -> Path:
    """One row per student, for an LMS gradebook import: student_id, the points of each
    assignment (empty when not submitted), total. The student ids are those of submitted/ (the
    Canvas user id or Moodle participant id when `collect` imported them)."""
    table = Scores(table)
    assignments = table.assignments
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", *assignments, "total"])
        for student in table.students:
            points = (f"{table[(student, a)].total:g}" if (student, a) in table else "" for a in assignments)
            writer.writerow([student, *points, f"{table.student_total(student):g}"])
    return Path(path)


def export_nbgrader(course_dir: str | os.PathLike[str], path: str | os.PathLike[str],
                    db_url: str | None = None) -> Path:
    """nbgrader's own CSV export (what `nbgrader export` writes) of the whole gradebook."""
    from nbgrader.api import Gradebook
    from nbgrader.plugins.export import CsvExportPlugin
    plugin = CsvExportPlugin()
    plugin.to = str(path)
    with Gradebook(db_url or paths.Course(course_dir).gradebook_url()) as gradebook:
        plugin.export(gradebook)
    return Path(path)
