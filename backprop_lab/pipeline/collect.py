"""Import students' notebooks into submitted/STUDENT/ASSIGNMENT/NOTEBOOK.ipynb, where nbgrader
autograde reads them, from a folder of notebooks or an LMS bulk download (a Canvas or Moodle .zip).

Every file of the source ends up imported, already there, or skipped with the reason: a bad file
never reaches submitted/, and a submission there is replaced only when asked. When each one
arrived is recorded for the grader in submission-times.jsonl (submission_times.py), never written
into submitted/. The naming rules and which time each source gives are in docs/lms-import.md.
collect_files.py lists and reads the source safely; collect_names.py tells whose notebook a file is.
"""
import os
import warnings
import zipfile
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from backprop_lab import paths
from backprop_lab.pipeline import collect_files, collect_names, submission_times

MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024  # a released notebook is under 1 MB; 20 MB leaves room for outputs


@dataclass
class ImportReport:
    """What an import did. imported: (student, assignment, path) written, new or replacing an
    earlier submission (those are also in replaced); unchanged: already in submitted/ with the
    same content; skipped: (name in the source, reason); notes: what the instructor should know."""
    imported: list = field(default_factory=list)
    replaced: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    notes: list = field(default_factory=list)


@dataclass
class _Released:
    """An assignment of release/: its notebooks' file names and the grade ids of their nbgrader cells."""
    notebooks: list
    grade_ids: set


def import_submissions(source: str | os.PathLike[str], course_dir: str | os.PathLike[str],
                       assignment: str | None = None, overwrite: bool = False,
                       max_bytes: int = MAX_NOTEBOOK_BYTES) -> ImportReport:
    """Copy the notebooks of source (a folder or a .zip) into course_dir/submitted/ and create their
    students in the gradebook. -> ImportReport

    assignment: the assignment of notebooks whose file name is not a released notebook's; files of
    another assignment are then refused. overwrite: replace a submission that differs.
    Raises ValueError when source is neither a folder nor a zip, nothing is released, or assignment
    is not in release/.
    """
    source, course_dir = Path(source), Path(course_dir)
    released = _released_assignments(course_dir)
    if not released:
        raise ValueError(f"no released notebooks in {paths.Course(course_dir).release}: release the assignments first")
    if assignment is not None and assignment not in released:
        raise ValueError(f"assignment {assignment!r} is not in {paths.Course(course_dir).release} "
                         f"(released: {', '.join(sorted(released))})")
    report = ImportReport()
    with ExitStack() as stack:
        if source.is_dir():
            files = collect_files.folder_files(source, report.skipped)
        elif zipfile.is_zipfile(source):
            try:
                files = collect_files.zip_files(stack.enter_context(zipfile.ZipFile(source)), report.skipped)
            except zipfile.BadZipFile as error:
                raise ValueError(f"{source} is not a readable zip file: {error}") from error
        else:
            raise ValueError(f"{source} is neither a folder nor a .zip file")
        recognised = []
        for file in files:
            found = _problem(file, max_bytes) or collect_names.recognise(file, released, assignment)
            if isinstance(found, str):
                report.skipped.append((file.name, found))
            else:
                recognised.append(found)
        students: dict[str, dict[str, str]] = {}  # student -> the gradebook fields the source gives
        for submission in _newest_per_student(recognised, report.skipped):
            try:
                data = submission.file.read(max_bytes + 1)
            except collect_files.Unreadable as error:
                report.skipped.append((submission.file.name, str(error)))
                continue
            problem = _notebook_problem(data, submission.assignment, released, max_bytes)
            if problem:
                report.skipped.append((submission.file.name, problem))
            elif written := _write(submission, data, course_dir, overwrite, report):
                _record_time(course_dir, submission, written)
                students.setdefault(submission.student, {}).update(submission.student_fields)
                if submission.late:
                    report.notes.append(f"{submission.student}/{submission.assignment}: Canvas marked it LATE "
                                        f"({submission.file.name})")
    _record_students(course_dir, students)
    return report


def _released_assignments(course_dir):
    """{assignment: _Released} for every folder of release/ holding notebooks."""
    released = {}
    release = paths.Course(course_dir).release
    for folder in sorted(path for path in release.iterdir() if path.is_dir()) if release.is_dir() else []:
        notebooks = sorted(path.name for path in folder.glob("*.ipynb"))
        if notebooks:
            released[folder.name] = _Released(notebooks, set().union(
                *(_grade_ids(nbformat.read(folder / name, as_version=4)) for name in notebooks)))
    return released


def format_report(report: ImportReport) -> str:
    """The report as text for the instructor: one line per submission and per skipped file."""
    lines = [f"imported {len(report.imported)} ({len(report.replaced)} replacing an earlier submission), "
             f"{len(report.unchanged)} already there, {len(report.skipped)} skipped"]
    for entry in report.imported:
        student, assignment, path = entry
        verb = "replaced" if entry in report.replaced else "imported"
        lines.append(f"  {verb:9} {Path(*path.parts[-4:])}")
    for student, assignment, path in report.unchanged:
        lines.append(f"  unchanged {Path(*path.parts[-4:])} (identical content)")
    for name, reason in report.skipped:
        lines.append(f"  skipped   {name}: {reason}")
    lines += [f"  note      {note}" for note in report.notes]
    return "\n".join(lines)


# Choosing the files to import (whose notebook each is: collect_names.py).

def _problem(file, max_bytes):
    """Why the file cannot be a submission whatever its name says, or None."""
    parts = file.name.split("/")
    if any(collect_files.hidden(part) for part in parts):
        return "ignored: hidden file (checkpoints, OS or editor metadata)"
    if not parts[-1].lower().endswith(".ipynb"):
        return f"not a notebook ({Path(parts[-1]).suffix or 'no extension'}); only .ipynb files are imported"
    if file.size > max_bytes:
        return f"too large: {file.size / 2**20:.1f} MB (limit {max_bytes / 2**20:g} MB)"
    return None


def _newest_per_student(submissions, skipped):
    """One submission per student and assignment: the newest, the others reported as duplicates.

    Newer means a larger Canvas file id, then a larger copy suffix, then a later modification time
    (not for LMS files: their zip times are the download's); when the newest cannot be told apart,
    none is kept.
    """
    groups = {}
    for submission in submissions:
        groups.setdefault((submission.student, submission.assignment), []).append(submission)
    kept = []
    for (student, assignment), group in groups.items():
        group.sort(key=lambda s: s.order, reverse=True)
        newest = group[0]
        if len(group) > 1 and group[1].order == newest.order:
            names = ", ".join(s.file.name for s in group)
            skipped += [(s.file.name, f"duplicate: {student}/{assignment} comes from several notebooks and none "
                                      f"is newer ({names}); import the right one alone") for s in group]
            continue
        skipped += [(s.file.name, f"duplicate: {student}/{assignment} is imported from the newer "
                                  f"{newest.file.name}") for s in group[1:]]
        kept.append(newest)
    return kept


# Checking the content, writing it, recording the students.

def _grade_ids(notebook):
    ids = set()
    for cell in notebook.cells:
        metadata = cell.get("metadata", {}).get("nbgrader")
        if isinstance(metadata, dict) and isinstance(metadata.get("grade_id"), str):
            ids.add(metadata["grade_id"])
    return ids


def _notebook_problem(data, assignment, released, max_bytes):
    """Why these bytes cannot be imported as the assignment's notebook, or None."""
    if len(data) > max_bytes:
        return f"too large: over {max_bytes / 2**20:g} MB once read"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "not a valid notebook: not UTF-8 text"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # nbformat warns about old or odd notebooks it still reads
            notebook = nbformat.reads(text, as_version=4)
            nbformat.validate(notebook)
    except Exception as error:  # not JSON, not a notebook, invalid against the schema
        return f"not a valid notebook ({type(error).__name__}: {str(error).strip()[:200]})"
    ids = _grade_ids(notebook)
    if ids and not ids & released[assignment].grade_ids:
        owners = sorted(a for a, r in released.items() if ids & r.grade_ids)
        whose = f"{' and '.join(owners)}'s" if owners else "no released assignment's"
        return f"wrong assignment: its graded cells ({', '.join(sorted(ids)[:4])}) are {whose}, not {assignment}'s"
    return None


def _write(submission, data, course_dir, overwrite, report):
    """Write the notebook unless an earlier, different one is there and overwrite is off.
    -> "imported", "unchanged" (already there), or None when it is not in submitted/"""
    target = paths.Course(course_dir).submitted / submission.student / submission.assignment / submission.notebook
    entry = (submission.student, submission.assignment, target)
    if any(path.is_symlink() for path in (target.parents[2], target.parents[1], target.parent, target)):
        report.skipped.append((submission.file.name, f"{target} or a folder above it is a link; refused to write"))
        return False
    existed = target.exists()
    if existed and target.read_bytes() == data:
        report.unchanged.append(entry)
        return "unchanged"
    if existed and not overwrite:
        report.skipped.append((submission.file.name, f"already submitted: {target} differs; "
                                                     "use overwrite=True (--overwrite) to replace it"))
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.importing")  # never a half-written notebook in submitted/
    partial.write_bytes(data)
    os.replace(partial, target)
    report.imported.append(entry)
    if existed:
        report.replaced.append(entry)
    return "imported"


def _record_time(course_dir, submission, written):
    """Record when the submission arrived (submission_times.py): a folder file's time as received,
    a zip entry's time, Canvas's LATE flag; Moodle gives nothing. An unchanged submission keeps the
    time recorded when it first came."""
    student, assignment = submission.student, submission.assignment
    if written == "unchanged" and submission_times.trusted(course_dir, student, assignment)[0] is not None:
        return
    if submission.lms:
        time = None
        source = ("Canvas's LATE flag" if submission.late is not None
                  else "a Moodle download (no submission time in it)")
    else:
        time, source = submission.file.received, submission.file.clock
    submission_times.record(course_dir, student, assignment, time=time, late=submission.late, source=source,
                            origin=submission.file.name)


def _record_students(course_dir, students):
    """Create the students in the gradebook. Names only fill empty fields: an instructor's edits stay."""
    if not students:
        return
    from nbgrader.api import MissingEntry

    from backprop_lab.pipeline import nbgrader_api

    with nbgrader_api.nbgrader_api(course_dir).gradebook as gradebook:
        for student_id, fields in sorted(students.items()):
            try:
                existing = gradebook.find_student(student_id)
            except MissingEntry:
                existing = None
            missing = {key: value for key, value in fields.items() if value and not getattr(existing, key, None)}
            gradebook.update_or_create_student(student_id, **missing)
