"""The instructor loop on nbgrader's Python API, one process for many notebooks.

source/ -> release/ (generate_assignment) -> submitted/ -> autograded/ (autograde)
-> feedback/ (generate_feedback) -> grades.csv.
"""
import csv
import dataclasses
import json
import os
import random
import shutil
import sys
import time
import warnings
from concurrent.futures import as_completed
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from tqdm.auto import tqdm

from backprop_lab import paths, sandbox


class GradingError(RuntimeError):
    """An nbgrader step failed; the message carries nbgrader's own log."""


# nbgrader's gradebook code trips SQLAlchemy's "not in session" warning on every autograde; it is
# harmless upstream noise that would bury the messages an instructor needs to read.
warnings.filterwarnings("ignore", message=r"Object of type <\w+> not in session", module="nbgrader")


STAGING = Path(".grading") / "submitted"  # checked copies of submissions, what nbgrader grades


def gradebook_url(course_dir=paths.COURSE_DIR):
    """The gradebook's SQLAlchemy URL: $BACKPROP_LAB_DB_URL (e.g. postgresql://user@host/course),
    else course_dir/gradebook.db, where a writer waits up to 60 s for another to finish."""
    return os.environ.get("BACKPROP_LAB_DB_URL") or f"sqlite:///{Path(course_dir).resolve() / 'gradebook.db'}?timeout=60"


def nbgrader_api(course_dir=paths.COURSE_DIR, staged=False, sandboxed=True, timeout=None, db_url=None):
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
    config.CourseDirectory.db_url = db_url or gradebook_url(course_dir)
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


def stage_submission(course_dir, student, assignment, db_url=None):
    """Copy submitted/STUDENT/ASSIGNMENT into .grading/submitted/ as nbgrader should see it.

    Only regular files are copied (a symlink could point at the gradebook or the solutions);
    a notebook that cannot be read is replaced by the blank release that says why; graded cells
    get the release's metadata back, deleted test cells are put back and duplicated ones dropped.
    The student's own timestamp.txt is never copied: the staged one is the grader's record of
    when the submission arrived (_stage_submission_time). submitted/ itself is never changed.
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
        elif relative == Path("timestamp.txt"):  # written by the student's side: never believed
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
    notes += _stage_submission_time(course_dir, student, assignment, staged, db_url)
    return notes


def _stage_submission_time(course_dir, student, assignment, staged, db_url=None):
    """Write staged/timestamp.txt, the time nbgrader's late penalty reads, from the grader's record
    (submission_times.py), never from the submission. A Canvas LATE flag without a time counts as
    one second after the assignment's due date in the gradebook. No record: no timestamp.txt, so
    no late penalty, and a note when the submission carried its own. -> notes"""
    from backprop_lab import submission_times
    where = f"{student}/{assignment}"
    own = course_dir / "submitted" / student / assignment / "timestamp.txt"
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
        with Gradebook(db_url or gradebook_url(course_dir)) as gradebook:
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


GRADING_LOG = "grading-log.jsonl"  # one JSON line per graded submission: what the class report reads
DB_RETRIES = 3                     # a submission whose gradebook write collided is graded again
_APIS = {}                         # one nbgrader API per process and setting: its start-up is paid once


@dataclass
class Graded:
    """What grading one submission did."""
    student: str
    assignment: str
    seconds: float
    success: bool
    reason: str = ""
    notes: list = field(default_factory=list)


def grade_submission(course_dir, student, assignment, sandboxed=True, timeout=None, db_url=None):
    """Stage and autograde one submission. -> Graded. Runs in the grader or in a worker process."""
    key = (str(course_dir), sandboxed, timeout, db_url)
    if key not in _APIS:
        _APIS[key] = nbgrader_api(course_dir, staged=True, sandboxed=sandboxed, timeout=timeout, db_url=db_url)
    started, notes = time.perf_counter(), []
    for attempt in range(DB_RETRIES + 1):
        try:
            notes = stage_submission(course_dir, student, assignment, db_url)
            result = _APIS[key].autograde(assignment, student)
        except OSError as error:  # e.g. an unreadable file in the submission
            result = {"success": False, "error": f"could not stage the submission: {error}"}
        finally:
            shutil.rmtree(Path(course_dir) / STAGING / student / assignment, ignore_errors=True)
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


def autograde(course_dir=paths.COURSE_DIR, students=None, assignments_=None, progress=True, sandboxed=True,
              timeout=None, workers=1, scheduler=None, db_url=None):
    """Autograde every submission (or the given ones), each in its own sandboxed kernel.

    workers > 1 grades in that many local processes; scheduler (a Dask scheduler's address,
    e.g. tcp://host:8786) on that cluster's workers instead. A submission that cannot be graded
    is reported and the others carry on. Every graded submission is appended to
    grading-log.jsonl. Raises sandbox.SandboxUnavailable when bubblewrap is missing, unless
    sandboxed=False. -> (failures, notes)
    """
    if sandboxed:
        sandbox.check_available()
    course_dir = Path(course_dir).resolve()
    db_url = db_url or gradebook_url(course_dir)
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
        with open(course_dir / GRADING_LOG, "a") as log:
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


def read_grading_log(course_dir=paths.COURSE_DIR):
    """The last record of each (student, assignment) in grading-log.jsonl.

    -> ({(student, assignment): record}, number of unreadable lines), or None when there is no log.
    A line that is not a JSON object with a student and an assignment (a run killed mid-write) is
    counted, not fatal.
    """
    path = Path(course_dir) / GRADING_LOG
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

    from backprop_lab.executor import VERDICT_KEY

    found = {}
    for path in sorted((Path(course_dir) / "autograded").glob("*/*/*.ipynb")):
        named = {}
        for cell in nbformat.read(path, as_version=4).cells:
            facts, grade_id = cell.metadata.get(VERDICT_KEY), _grade_id(cell)
            if grade_id and facts and not facts.get("passed"):
                named[grade_id] = facts.get("mistake") or unrecognised(facts.get("where"))
        if named:
            found.setdefault((path.parent.parent.name, path.parent.name), {}).update(named)
    return found


def format_mistakes(found):
    """The most common mistakes of the class, most frequent first, as aligned text."""
    from collections import Counter
    from backprop_lab import mistakes
    students = Counter(mistake for named in found.values() for mistake in set(named.values()))
    if not students:
        return "No failed part."
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
