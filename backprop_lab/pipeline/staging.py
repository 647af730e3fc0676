"""Staging: submitted/STUDENT/ASSIGNMENT copied into .grading/submitted/ as nbgrader should see it.

submitted/ -> .grading/submitted/ (stage_submission) -> autograded/ (autograde.py). submitted/ is never changed.
Staging works on files (links, unreadable notebooks, the submission time); the cells are repaired by
nbgrader's sanitize step (repairs.py), whichever route grades.
"""
import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

from backprop_lab import paths
from backprop_lab.pipeline import repairs


def _blank_with_reason(release_path, reason):
    """The release notebook, unanswered, opening with why the submission was not graded."""
    import nbformat
    notebook = nbformat.read(release_path, as_version=4)
    notebook.cells.insert(0, nbformat.v4.new_markdown_cell(
        f"**This notebook could not be graded as submitted:** {reason}\n\n"
        "It was graded as the unanswered notebook instead. Fix the file and submit it again."))
    return notebook


def stage_submission(course_dir: str | os.PathLike[str], student: str, assignment: str,
                     db_url: str | None = None) -> list[str]:
    """Copy submitted/STUDENT/ASSIGNMENT into .grading/submitted/ as nbgrader should see it.

    Only regular files are copied (a symlink could point at the gradebook or the solutions);
    a notebook that cannot be read is replaced by the blank release that says why. Its cells are
    copied as submitted: the notes say what the sanitize step's repairs (repairs.py) will change.
    The student's own timestamp.txt is never copied: the staged one is the grader's record of
    when the submission arrived (_stage_submission_time). submitted/ itself is never changed.
    -> notes for the instructor
    """
    import nbformat

    course_dir = Path(course_dir)
    original = paths.Course(course_dir).submitted / student / assignment
    staged = paths.Course(course_dir).staging / student / assignment
    if staged.exists():
        shutil.rmtree(staged)
    staged.mkdir(parents=True)
    notes = []
    for path in sorted(original.rglob("*")):
        relative = path.relative_to(original)
        if path.is_symlink() or not (path.is_file() or path.is_dir()):
            reason = f"{relative} is a link or a special file, not a regular file"
            notes.append(f"{student}/{assignment}: skipped {relative} ({reason[len(str(relative)) + 1:]})")
            release_path = paths.Course(course_dir).release / assignment / path.name
            if path.suffix == ".ipynb" and path.parent == original and release_path.exists():
                nbformat.write(_blank_with_reason(release_path, reason), staged / relative)
        elif path.is_dir():
            (staged / relative).mkdir(parents=True, exist_ok=True)
        elif any(parent.is_symlink() for parent in path.parents if original in parent.parents):
            continue
        elif relative == Path("timestamp.txt"):  # written by the student's side: never believed
            continue
        elif path.suffix != ".ipynb" or path.parent != original:
            shutil.copyfile(path, staged / relative)
        else:
            release_path = paths.Course(course_dir).release / assignment / path.name
            try:
                notebook = nbformat.read(path, as_version=4)
                nbformat.validate(notebook)
            except Exception as error:  # not JSON, not a notebook
                reason = f"{path.name} is not a readable notebook ({type(error).__name__}: {str(error)[:300]})"
                notes.append(f"{student}/{assignment}: {reason}; graded as unanswered")
                if release_path.exists():
                    nbformat.write(_blank_with_reason(release_path, reason), staged / relative)
                continue
            if release_path.exists():
                notes += repairs.notes(f"{student}/{assignment}", notebook, nbformat.read(release_path, as_version=4))
            nbformat.write(notebook, staged / relative)
    notes += _stage_submission_time(course_dir, student, assignment, staged, db_url)
    return notes


def _stage_submission_time(course_dir, student, assignment, staged, db_url=None):
    """Write staged/timestamp.txt, the time nbgrader's late penalty reads, from the grader's record
    (submission_times.py), never from the submission. A Canvas LATE flag without a time counts as
    one second after the assignment's due date in the gradebook. No record: no timestamp.txt, so
    no late penalty, and a note when the submission carried its own. -> notes"""
    from backprop_lab.pipeline import submission_times
    where = f"{student}/{assignment}"
    own = paths.Course(course_dir).submitted / student / assignment / "timestamp.txt"
    entry, problem = submission_times.trusted(course_dir, student, assignment)
    if entry is None:
        if problem or own.is_file():
            why = problem or "no submission time was recorded when it was collected"
            return [f"{where}: {why}; graded without a submission time (no late penalty)"
                    + (", its own timestamp.txt ignored" if own.is_file() else "")]
        return []
    if entry.get("time"):
        moment = datetime.fromisoformat(entry["time"])
    elif entry.get("late"):
        from datetime import timedelta

        from nbgrader.api import Gradebook, MissingEntry
        with Gradebook(db_url or paths.Course(course_dir).gradebook_url()) as gradebook:
            try:
                duedate = gradebook.find_assignment(assignment).duedate
            except MissingEntry:
                duedate = None
        if duedate is None:
            return [f"{where}: {entry.get('source')} says late, but {assignment} has no due date in the gradebook; "
                    "no late penalty"]
        moment = duedate.replace(tzinfo=timezone.utc) + timedelta(seconds=1)
    else:
        return []
    (staged / "timestamp.txt").write_text(submission_times.nbgrader_timestamp(moment))
    return []
