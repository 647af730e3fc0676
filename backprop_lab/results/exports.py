"""The grades exported: grades.csv, the LMS import, nbgrader's own CSV."""
import csv
from pathlib import Path

from backprop_lab.pipeline.nbgrader_api import gradebook_url


def write_grades_csv(path, table):
    """One row per student and assignment: a column per graded part, then total and max."""
    parts = sorted({part for row in table.values() for part in row})
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", "assignment", *parts, "total", "max_score"])
        for (student, assignment), row in sorted(table.items()):
            writer.writerow([student, assignment,
                             *(f"{row[p][0]:g}" if p in row else "" for p in parts),
                             f"{sum(s for s, _ in row.values()):g}", f"{sum(m for _, m in row.values()):g}"])
    return Path(path)


def write_lms_csv(path, table):
    """One row per student, for an LMS gradebook import: student_id, the points of each
    assignment (empty when not submitted), total. The student ids are those of submitted/ (the
    Canvas user id or Moodle participant id when `collect` imported them)."""
    assignments_ = sorted({assignment for _, assignment in table})
    students = sorted({student for student, _ in table})
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", *assignments_, "total"])
        for student in students:
            points = [sum(score for score, _ in table[(student, a)].values()) if (student, a) in table else None
                      for a in assignments_]
            writer.writerow([student, *("" if p is None else f"{p:g}" for p in points),
                             f"{sum(p for p in points if p is not None):g}"])
    return Path(path)


def export_nbgrader(course_dir, path, db_url=None):
    """nbgrader's own CSV export (what `nbgrader export` writes) of the whole gradebook."""
    from nbgrader.api import Gradebook
    from nbgrader.plugins.export import CsvExportPlugin
    plugin = CsvExportPlugin()
    plugin.to = str(path)
    with Gradebook(db_url or gradebook_url(course_dir)) as gradebook:
        plugin.export(gradebook)
    return Path(path)
