"""The instructor loop on nbgrader's Python API, one process for many notebooks.

source/ -> release/ (generate_assignment) -> submitted/ -> autograded/ (autograde)
-> feedback/ (generate_feedback) -> grades.csv.
"""
import csv
import os
import re
import shutil
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

from tqdm.auto import tqdm

from backprop_lab import paths, sandbox


class GradingError(RuntimeError):
    """An nbgrader step failed; the message carries nbgrader's own log."""


# nbgrader's gradebook code trips SQLAlchemy's "not in session" warning on every autograde; it is
# harmless upstream noise that would bury the messages an instructor needs to read.
warnings.filterwarnings("ignore", message=r"Object of type <\w+> not in session", module="nbgrader")


STAGING = Path(".grading") / "submitted"  # checked copies of submissions, what nbgrader grades


def nbgrader_api(course_dir=paths.COURSE_DIR, staged=False, sandboxed=True, timeout=None):
    """NbGraderAPI configured by the course's nbgrader_config.py, rooted at course_dir.

    staged: autograde the checked copies in .grading/submitted/ instead of submitted/.
    sandboxed=False runs kernels without isolation (the checks stay in the grader).
    timeout: seconds a cell may run, instead of nbgrader_config.py's.
    """
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    course_dir = Path(course_dir).resolve()
    config = PyFileConfigLoader("nbgrader_config.py", path=str(paths.COURSE_DIR)).load_config()
    config.CourseDirectory.root = str(course_dir)
    config.CourseDirectory.db_url = f"sqlite:///{course_dir / 'gradebook.db'}"
    if staged:
        config.CourseDirectory.submitted_directory = str(STAGING)
    config.TrustedExecute.sandbox = sandboxed
    if timeout is not None:
        config.TrustedExecute.timeout = timeout
    # The kernels must find the course's data and images wherever course_dir is.
    os.environ.setdefault("BACKPROP_LAB_DATA_DIR", str(paths.DATA))
    os.environ.setdefault("BACKPROP_LAB_IMAGES_DIR", str(paths.IMAGES))
    # One BLAS thread per kernel: graders run kernels side by side, and spinning BLAS threads that
    # outnumber the cores slow every submission down many times over (bench/README.md).
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")
    # nbgrader runs the `alembic` command when it creates a gradebook: find ours without an activated venv.
    bin_dir = os.path.dirname(sys.executable)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def _check(result, what):
    if not result.get("success"):
        raise GradingError(f"{what} failed:\n{result.get('error') or ''}\n{result.get('log') or ''}")
    return result


def assignments(course_dir=paths.COURSE_DIR):
    """Assignment names found in source/."""
    return sorted(p.name for p in (Path(course_dir) / "source").iterdir() if p.is_dir())


def graded_assignments(course_dir=paths.COURSE_DIR):
    """Assignments whose source notebook has at least one graded cell."""
    import nbformat

    def graded(notebook):
        return any(cell.metadata.get("nbgrader", {}).get("grade") for cell in nbformat.read(notebook, 4).cells)

    return [a for a in assignments(course_dir) if any(graded(nb) for nb in (Path(course_dir) / "source" / a).glob("*.ipynb"))]


def release(course_dir=paths.COURSE_DIR):
    """nbgrader generate_assignment for every assignment: source/ -> release/."""
    api = nbgrader_api(course_dir)
    for assignment in assignments(course_dir):
        _check(api.generate_assignment(assignment), f"generate_assignment {assignment}")


def submitted_students(course_dir, assignment):
    folder = Path(course_dir) / "submitted"
    return sorted(p.name for p in folder.iterdir() if (p / assignment).is_dir()) if folder.is_dir() else []


@dataclass
class AutogradeFailure:
    student: str
    assignment: str
    reason: str


def _grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def restore_test_cells(submitted, released):
    """Put back the test cells a student deleted, each after the cell it followed in the release.

    nbgrader restores the text of test cells but not a missing cell, which would cost its points
    silently. -> the grade ids restored
    """
    present = {_grade_id(cell) or cell.get("id") for cell in submitted.cells}
    restored = []
    for index, cell in enumerate(released.cells):
        if not cell.metadata.get("nbgrader", {}).get("grade") or _grade_id(cell) in present:
            continue
        position = 0
        for earlier in reversed(released.cells[:index]):
            key = _grade_id(earlier) or earlier.get("id")
            matches = [i for i, c in enumerate(submitted.cells) if (_grade_id(c) or c.get("id")) == key]
            if matches:
                position = matches[0] + 1
                break
        submitted.cells.insert(position, cell)
        present.add(_grade_id(cell))
        restored.append(_grade_id(cell))
    return restored


def _blank_with_reason(release_path, reason):
    """The release notebook, unanswered, opening with why the submission was not graded."""
    import nbformat
    notebook = nbformat.read(release_path, as_version=4)
    notebook.cells.insert(0, nbformat.v4.new_markdown_cell(
        f"**This notebook could not be graded as submitted:** {reason}\n\n"
        "It was graded as the unanswered notebook instead. Fix the file and submit it again."))
    return notebook


def normalise_graded_cells(notebook, released):
    """Give the first cell of each graded id the release's cell type and nbgrader metadata
    (points, flags); later copies, and ids the release does not have, become plain cells.
    -> the grade ids dropped"""
    import copy
    originals = {_grade_id(cell): cell for cell in released.cells if _grade_id(cell)}
    seen, dropped = set(), []
    for cell in notebook.cells:
        grade_id = _grade_id(cell)
        if grade_id is None and "nbgrader" in cell.metadata:
            del cell.metadata["nbgrader"]
        if grade_id is None:
            continue
        if grade_id in seen or grade_id not in originals:
            del cell.metadata["nbgrader"]
            dropped.append(grade_id)
        else:
            original = originals[grade_id]
            cell.metadata["nbgrader"] = copy.deepcopy(original.metadata["nbgrader"])
            if cell.cell_type != original.cell_type:
                cell.cell_type = original.cell_type
                cell.source = original.source
                if cell.cell_type == "code":
                    cell.outputs, cell.execution_count = [], None
                else:
                    cell.pop("outputs", None)
                    cell.pop("execution_count", None)
        seen.add(grade_id)
    return dropped


def stage_submission(course_dir, student, assignment):
    """Copy submitted/STUDENT/ASSIGNMENT into .grading/submitted/ as nbgrader should see it.

    Only regular files are copied (a symlink could point at the gradebook or the solutions);
    a notebook that cannot be read is replaced by the blank release that says why; graded cells
    get the release's metadata back, deleted test cells are put back and duplicated ones dropped.
    submitted/ itself is never changed.
    -> notes for the instructor
    """
    import nbformat

    course_dir = Path(course_dir)
    original = course_dir / "submitted" / student / assignment
    staged = course_dir / STAGING / student / assignment
    if staged.exists():
        shutil.rmtree(staged)
    staged.mkdir(parents=True)
    notes = []
    for path in sorted(original.rglob("*")):
        relative = path.relative_to(original)
        if path.is_symlink() or not (path.is_file() or path.is_dir()):
            reason = f"{relative} is a link or a special file, not a regular file"
            notes.append(f"{student}/{assignment}: skipped {relative} ({reason[len(str(relative)) + 1:]})")
            release_path = course_dir / "release" / assignment / path.name
            if path.suffix == ".ipynb" and path.parent == original and release_path.exists():
                nbformat.write(_blank_with_reason(release_path, reason), staged / relative)
        elif path.is_dir():
            (staged / relative).mkdir(parents=True, exist_ok=True)
        elif any(parent.is_symlink() for parent in path.parents if original in parent.parents):
            continue
        elif path.suffix != ".ipynb" or path.parent != original:
            shutil.copyfile(path, staged / relative)
        else:
            release_path = course_dir / "release" / assignment / path.name
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
                released = nbformat.read(release_path, as_version=4)
                dropped = normalise_graded_cells(notebook, released)
                if dropped:
                    notes.append(f"{student}/{assignment}: ignored extra or duplicated graded cells {', '.join(dropped)}")
                restored = restore_test_cells(notebook, released)
                if restored:
                    notes.append(f"{student}/{assignment}: restored deleted test cells {', '.join(restored)}")
            nbformat.write(notebook, staged / relative)
    return notes


def autograde(course_dir=paths.COURSE_DIR, students=None, assignments_=None, progress=True, sandboxed=True,
              timeout=None):
    """Autograde every submission (or the given ones) in the sandbox. -> (failures, notes)

    A submission that cannot be graded is reported and the others carry on. Raises
    sandbox.SandboxUnavailable when bubblewrap is missing, unless sandboxed=False.
    """
    if sandboxed:
        sandbox.check_available()
    api = nbgrader_api(course_dir, staged=True, sandboxed=sandboxed, timeout=timeout)
    jobs = [(student, assignment)
            for assignment in (assignments_ or graded_assignments(course_dir))
            for student in submitted_students(course_dir, assignment)
            if students is None or student in students]
    failures, all_notes = [], []
    with tqdm(jobs, desc="autograde", unit="notebook", disable=not progress) as bar:
        for student, assignment in bar:
            bar.set_postfix_str(f"{student}/{assignment}")
            try:
                notes = stage_submission(course_dir, student, assignment)
                for note in notes:
                    tqdm.write(note)
                all_notes += notes
                result = api.autograde(assignment, student)
            except OSError as error:  # e.g. an unreadable file in the submission
                result = {"success": False, "error": f"could not stage the submission: {error}"}
            finally:
                shutil.rmtree(Path(course_dir) / STAGING / student / assignment, ignore_errors=True)
            if not result.get("success"):
                failures.append(AutogradeFailure(student, assignment, (result.get("error") or "")[-2000:]))
    return failures, all_notes


def generate_feedback(course_dir=paths.COURSE_DIR, progress=True, students=None):
    """HTML feedback for every autograded submission: feedback/STUDENT/ASSIGNMENT/*.html.

    -> list of AutogradeFailure for the submissions whose feedback could not be made.
    """
    api = nbgrader_api(course_dir)
    autograded = Path(course_dir) / "autograded"
    jobs = sorted((s.parent.name, s.name) for s in autograded.glob("*/*")
                  if s.is_dir() and (students is None or s.parent.name in students))
    failures = []
    for student, assignment in tqdm(jobs, desc="feedback", unit="notebook", disable=not progress):
        result = api.generate_feedback(assignment, student)
        if not result.get("success"):
            failures.append(AutogradeFailure(student, assignment, (result.get("error") or "")[-2000:]))
    return failures


def scores(course_dir=paths.COURSE_DIR):
    """{(student, assignment): {grade_id: (score, max_score)}} from the gradebook."""
    from nbgrader.api import Gradebook, MissingEntry

    course_dir = Path(course_dir)
    table = {}
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gradebook:
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


DIAGNOSIS = re.compile(r"Likely mistake \(([a-z0-9-]+)\)")


def diagnoses(course_dir=paths.COURSE_DIR):
    """{(student, assignment): {grade_id: mistake id}}: the catalogued mistakes the checks named
    in the autograded notebooks (what each student's feedback says)."""
    import nbformat

    found = {}
    for path in sorted((Path(course_dir) / "autograded").glob("*/*/*.ipynb")):
        named = {}
        for cell in nbformat.read(path, as_version=4).cells:
            grade_id = _grade_id(cell)
            for output in cell.get("outputs", []) if grade_id else []:
                match = DIAGNOSIS.search(output.get("evalue", ""))
                if output.get("ename") == "CheckFailed" and match:
                    named[grade_id] = match.group(1)
        if named:
            found.setdefault((path.parent.parent.name, path.parent.name), {}).update(named)
    return found


def format_mistakes(found):
    """The most common mistakes of the class, most frequent first, as aligned text."""
    from collections import Counter
    from backprop_lab import mistakes
    students = Counter(mistake for named in found.values() for mistake in set(named.values()))
    if not students:
        return "No catalogued mistake recognised."
    width = max(len(mistake) for mistake in students)
    lines = ["Most common mistakes (students):"]
    for mistake, count in students.most_common():
        title = mistakes.BY_ID[mistake].title if mistake in mistakes.BY_ID else ""
        lines.append(f"  {count:3d}  {mistake.ljust(width)}  {title}")
    return "\n".join(lines)


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
