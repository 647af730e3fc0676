"""The gradebook read back: every part's score (Scores, which also knows the totals), what the checks
diagnosed, as tables and text."""
from __future__ import annotations

import os
from collections.abc import Mapping
from typing import NamedTuple

from backprop_lab import paths

# What the readers below accept: a Scores, or the plain {(student, assignment): {grade_id:
# (score, max_score)}} it equals.
Table = Mapping[tuple[str, str], Mapping[str, tuple[float, float]]]


class PartScore(NamedTuple):
    """One graded part of a submission: the points given, out of the points it is worth."""
    score: float
    max_score: float


class SubmissionScores(dict):
    """One submission's graded parts, {grade_id: PartScore}, with its totals. A dict, so it
    equals the plain {grade_id: (score, max_score)} it is built from."""

    def __init__(self, parts: Mapping[str, tuple[float, float]] | None = None):
        super().__init__((grade_id, PartScore(*part)) for grade_id, part in (parts or {}).items())

    @property
    def total(self) -> float:
        """The points given over every part (0 for a submission with no graded part)."""
        return sum(part.score for part in self.values())  # in the parts' order, as ever: a float sum depends on it

    @property
    def max_score(self) -> float:
        """The points every part is worth together."""
        return sum(part.max_score for part in self.values())


class Scores(dict):
    """The gradebook's scores, {(student, assignment): SubmissionScores}: a submission is a key, a
    missing one has none. A dict, so it equals the plain nested dict it is built from."""

    def __init__(self, table: Table | None = None):
        super().__init__((key, SubmissionScores(parts)) for key, parts in (table or {}).items())

    @property
    def assignments(self) -> list[str]:
        """Every assignment someone submitted, sorted."""
        return sorted({assignment for _, assignment in self})

    @property
    def students(self) -> list[str]:
        """Every student who submitted something, sorted."""
        return sorted({student for student, _ in self})

    def parts(self, assignment: str | None = None) -> list[str]:
        """The grade ids of one assignment's submissions (of every submission when None), sorted."""
        return sorted({grade_id for (_, of), parts in self.items() if assignment in (None, of) for grade_id in parts})

    def of_assignment(self, assignment: str) -> dict[str, SubmissionScores]:
        """{student: SubmissionScores} of one assignment's submissions, by student."""
        return {student: parts for (student, of), parts in sorted(self.items()) if of == assignment}

    def student_total(self, student: str) -> float:
        """A student's points over every assignment they submitted, added in assignment order."""
        return sum(self[(student, assignment)].total for assignment in self.assignments
                   if (student, assignment) in self)


def scores(course_dir: str | os.PathLike[str] = paths.COURSE_DIR, db_url: str | None = None) -> Scores:
    """{(student, assignment): {grade_id: PartScore(score, max_score)}} of every submission in the
    gradebook (course_dir's, or the one at db_url)."""
    from nbgrader.api import Gradebook, MissingEntry

    table = Scores()
    with Gradebook(db_url or paths.Course(course_dir).gradebook_url()) as gradebook:
        for assignment in gradebook.assignments:
            for student in gradebook.students:
                try:
                    submission = gradebook.find_submission(assignment.name, student.id)
                except MissingEntry:
                    continue
                parts = SubmissionScores()
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        score = grade.manual_score if grade.manual_score is not None else grade.auto_score
                        parts[grade.name] = PartScore(float(score or 0.0), float(grade.max_score))
                table[(student.id, assignment.name)] = parts
    return table


def unrecognised(where: str | None = None) -> str:
    """The class report's key for failures no catalogued mistake explains, grouped by where their
    error is largest: what the catalogue is missing."""
    return f"unrecognised ({where})" if where else "unrecognised"


def diagnoses(course_dir: str | os.PathLike[str] = paths.COURSE_DIR) -> dict[tuple[str, str], dict[str, str]]:
    """{(student, assignment): {grade_id: mistake id or unrecognised(where)}}: what the checks
    found in each failed part of the autograded notebooks, from the facts the grader wrote into
    each graded cell's metadata (executor.Verdict.facts)."""
    import nbformat

    from backprop_lab.sandbox.executor import VERDICT_KEY

    found: dict[tuple[str, str], dict[str, str]] = {}
    for path in sorted(paths.Course(course_dir).autograded.glob("*/*/*.ipynb")):
        named = {}
        for cell in nbformat.read(path, as_version=4).cells:
            facts, grade_id = cell.metadata.get(VERDICT_KEY), cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id and facts and not facts.get("passed"):
                named[grade_id] = facts.get("mistake") or unrecognised(facts.get("where"))
        if named:
            found.setdefault((path.parent.parent.name, path.parent.name), {}).update(named)
    return found


def format_mistakes(found: Mapping[tuple[str, str], Mapping[str, str]]) -> str:
    """The most common mistakes of the class, most frequent first, as aligned text."""
    from collections import Counter
    from backprop_lab.judging import mistakes
    students = Counter(mistake for named in found.values() for mistake in set(named.values()))
    if not students:
        return "No failed part."
    width = max(len(mistake) for mistake in students)
    lines = ["Most common mistakes (students):"]
    for mistake, count in students.most_common():
        title = mistakes.BY_ID[mistake].title if mistake in mistakes.BY_ID else ""
        lines.append(f"  {count:3d}  {mistake.ljust(width)}  {title}")
    return "\n".join(lines)


def format_table(table: Table) -> str:
    """The grade table as aligned text, one line per submission."""
    table = Scores(table)
    lines = []
    for assignment in table.assignments:
        rows = table.of_assignment(assignment)
        parts = table.parts(assignment)
        width = max(len(s) for s in rows) + 2
        lines.append(f"\n{assignment}")
        lines.append("student".ljust(width) + " ".join(p.rjust(max(len(p), 5)) for p in parts) + "   total")
        for student, row in rows.items():
            cells = " ".join(f"{row[p].score:g}/{row[p].max_score:g}".rjust(max(len(p), 5)) if p in row
                             else "".rjust(len(p)) for p in parts)
            lines.append(student.ljust(width) + cells + f"   {row.total:g}/{row.max_score:g}")
    return "\n".join(lines)
