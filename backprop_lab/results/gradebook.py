"""The gradebook read back: every part's score, what the checks diagnosed, as tables and text."""
from pathlib import Path

from backprop_lab import paths
from backprop_lab.pipeline.nbgrader_api import gradebook_url


def scores(course_dir=paths.COURSE_DIR, db_url=None):
    """{(student, assignment): {grade_id: (score, max_score)}} from the gradebook."""
    from nbgrader.api import Gradebook, MissingEntry

    table = {}
    with Gradebook(db_url or gradebook_url(course_dir)) as gradebook:
        for assignment in gradebook.assignments:
            for student in gradebook.students:
                try:
                    submission = gradebook.find_submission(assignment.name, student.id)
                except MissingEntry:
                    continue
                parts = {}
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        score = grade.manual_score if grade.manual_score is not None else grade.auto_score
                        parts[grade.name] = (float(score or 0.0), float(grade.max_score))
                table[(student.id, assignment.name)] = parts
    return table


def unrecognised(where=None):
    """The class report's key for failures no catalogued mistake explains, grouped by where their
    error is largest: what the catalogue is missing."""
    return f"unrecognised ({where})" if where else "unrecognised"


def diagnoses(course_dir=paths.COURSE_DIR):
    """{(student, assignment): {grade_id: mistake id or unrecognised(where)}}: what the checks
    found in each failed part of the autograded notebooks, from the facts the grader wrote into
    each graded cell's metadata (executor.Verdict.facts)."""
    import nbformat

    from backprop_lab.sandbox.executor import VERDICT_KEY

    found = {}
    for path in sorted((Path(course_dir) / "autograded").glob("*/*/*.ipynb")):
        named = {}
        for cell in nbformat.read(path, as_version=4).cells:
            facts, grade_id = cell.metadata.get(VERDICT_KEY), cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id and facts and not facts.get("passed"):
                named[grade_id] = facts.get("mistake") or unrecognised(facts.get("where"))
        if named:
            found.setdefault((path.parent.parent.name, path.parent.name), {}).update(named)
    return found


def format_mistakes(found):
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


def format_table(table):
    """The grade table as aligned text, one line per submission."""
    lines = []
    for assignment in sorted({a for _, a in table}):
        rows = {s: r for (s, a), r in table.items() if a == assignment}
        parts = sorted({p for r in rows.values() for p in r})
        width = max(len(s) for s in rows) + 2
        lines.append(f"\n{assignment}")
        lines.append("student".ljust(width) + " ".join(p.rjust(max(len(p), 5)) for p in parts) + "   total")
        for student, row in sorted(rows.items()):
            cells = " ".join(f"{row[p][0]:g}/{row[p][1]:g}".rjust(max(len(p), 5)) if p in row else "".rjust(len(p))
                             for p in parts)
            total = sum(s for s, _ in row.values())
            maximum = sum(m for _, m in row.values())
            lines.append(student.ljust(width) + cells + f"   {total:g}/{maximum:g}")
    return "\n".join(lines)
