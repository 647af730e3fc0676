"""Import students' notebooks into submitted/STUDENT/ASSIGNMENT/NOTEBOOK.ipynb, where nbgrader
autograde reads them, from a folder of notebooks or an LMS bulk download (a Canvas or Moodle .zip).

Every file of the source ends up imported, already there, or skipped with the reason: a bad file
never reaches submitted/, and a submission there is replaced only when asked. When each one
arrived is recorded for the grader in submission-times.jsonl (submission_times.py), never written
into submitted/. The naming rules and which time each source gives are in docs/lms-import.md.
"""
import os
import re
import stat
import warnings
import zipfile
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

import nbformat

from backprop_lab import submission_times

MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024  # a released notebook is under 1 MB; 20 MB leaves room for outputs

# A student id is a folder name under submitted/ and the gradebook's key for the student.
STUDENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")

# Canvas "Download Submissions" (canvas-lms lib/content_zipper.rb), one flat zip per assignment:
# the sortable name ("Smith, Bob") lower-cased with every non-word character removed, LATE when
# Canvas marked the submission late, the Canvas user id, the id of the uploaded file, and the name
# it was uploaded under; Canvas adds -1, -2... before .ipynb when the student's name was taken.
CANVAS = re.compile(r"(?P<name>\w+?)(?:_(?P<late>LATE|late))?"
                    r"_(?P<user_id>[1-9]\d*)_(?P<file_id>[1-9]\d*)_(?P<filename>.+)")
# With anonymous grading the name and user id are replaced by anon_ and the anonymous id.
CANVAS_ANONYMOUS = re.compile(r"(?:(?P<late>LATE|late)_)?(?P<anonymous_id>anon_[A-Za-z0-9]+)"
                              r"_(?P<file_id>[1-9]\d*)_(?P<filename>.+)")
# Moodle "Download all submissions" (mod/assign), the full name (underscores made spaces) and the
# participant id, then the plugin: a folder per student (Moodle >= 3.1; before 4.1 the folder name
# ends with "_"), or with "Download submissions in folders" unticked, one flat file per upload.
MOODLE_FOLDER = re.compile(r"(?P<full_name>[^_/]+)_(?P<participant_id>\d+)_assignsubmission_file_?")
MOODLE_FILE = re.compile(r"(?P<full_name>[^_/]+)_(?P<participant_id>\d+)_assignsubmission_file_(?P<filename>.+)")
MOODLE_BLIND_NAME = "Participant"  # what Moodle shows instead of a name under blind marking
# What an LMS or a browser appends to a file name already taken: "-1" (Canvas), " (1)" (browsers).
COPY_SUFFIX = re.compile(r"(?P<stem>.+?)(?: ?\((?P<browser>\d+)\))?(?:-(?P<canvas>\d+))?")
COPY_TAIL = r"(?: ?\(\d+\))?(?:-\d+)?"  # the same suffixes, inside a larger pattern

LAYOUTS = ("STUDENT/ASSIGNMENT/NOTEBOOK.ipynb, STUDENT/NOTEBOOK.ipynb, STUDENT_NOTEBOOK.ipynb, "
           "STUDENT.ipynb with an assignment given, or a Canvas or Moodle download")


class _Unreadable(OSError):
    """A file of the source that cannot be read (a corrupt zip entry, a permission); the message says why."""


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


@dataclass
class _File:
    """A file of the source: its '/'-separated path there, size, modification time, and a reader;
    received: when it arrived, if the source says (submission_times.py), and how that was told."""
    name: str
    size: int
    mtime: float
    read: Callable  # read(limit) -> at most limit bytes
    received: float = None
    clock: str = ""


@dataclass
class _Owner:
    """Whose notebook a file is, as its path says."""
    student: str
    filename: str               # the notebook's file name as the student (or the LMS) named it
    assignment: str = None      # the assignment its folder names, if any
    fields: dict = field(default_factory=dict)  # first_name, last_name, lms_user_id for the gradebook
    file_id: int = 0            # Canvas's id of the uploaded file: larger is newer
    late: bool = None           # Canvas marked the submission LATE (True) or not (False); None: no LMS verdict
    lms: bool = False           # from Canvas or Moodle, whose zip times are the download's, not the upload's


@dataclass
class _Submission:
    """A file recognised as one student's notebook for one assignment."""
    file: _File
    student: str
    assignment: str
    notebook: str        # the released notebook's file name: its name in submitted/
    order: tuple         # (Canvas file id, copy suffixes, mtime if not from an LMS): the larger, the newer
    student_fields: dict  # first_name, last_name, lms_user_id when the source gives them
    late: bool = None
    lms: bool = False


def import_submissions(source, course_dir, assignment=None, overwrite=False, max_bytes=MAX_NOTEBOOK_BYTES):
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
        raise ValueError(f"no released notebooks in {course_dir / 'release'}: release the assignments first")
    if assignment is not None and assignment not in released:
        raise ValueError(f"assignment {assignment!r} is not in {course_dir / 'release'} "
                         f"(released: {', '.join(sorted(released))})")
    report = ImportReport()
    with ExitStack() as stack:
        if source.is_dir():
            files = _folder_files(source, report.skipped)
        elif zipfile.is_zipfile(source):
            try:
                files = _zip_files(stack.enter_context(zipfile.ZipFile(source)), report.skipped)
            except zipfile.BadZipFile as error:
                raise ValueError(f"{source} is not a readable zip file: {error}") from error
        else:
            raise ValueError(f"{source} is neither a folder nor a .zip file")
        recognised = []
        for file in files:
            found = _problem(file, max_bytes) or _recognise(file, released, assignment)
            if isinstance(found, str):
                report.skipped.append((file.name, found))
            else:
                recognised.append(found)
        students = {}
        for submission in _newest_per_student(recognised, report.skipped):
            try:
                data = submission.file.read(max_bytes + 1)
            except _Unreadable as error:
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
    release = Path(course_dir) / "release"
    for folder in sorted(path for path in release.iterdir() if path.is_dir()) if release.is_dir() else []:
        notebooks = sorted(path.name for path in folder.glob("*.ipynb"))
        if notebooks:
            released[folder.name] = _Released(notebooks, set().union(
                *(_grade_ids(nbformat.read(folder / name, as_version=4)) for name in notebooks)))
    return released


def format_report(report):
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


# Listing the source: only regular files, each read at most to the size limit.

def _folder_files(folder, skipped):
    """The regular files under folder; links, special files and hidden folders are reported in skipped."""
    for root, folders, names in os.walk(folder):
        root = Path(root)
        for name in sorted(folders):
            relative = (root / name).relative_to(folder).as_posix()
            if (root / name).is_symlink():
                skipped.append((relative + "/", "a symbolic link; only regular files are imported"))
            elif _hidden(name):
                skipped.append((relative + "/", "ignored: hidden folder (checkpoints, OS or editor metadata)"))
        folders[:] = sorted(name for name in folders if not ((root / name).is_symlink() or _hidden(name)))
        for name in sorted(names):
            path = root / name
            relative = path.relative_to(folder).as_posix()
            status = path.lstat()
            if stat.S_ISLNK(status.st_mode):
                skipped.append((relative, "a symbolic link; only regular files are imported"))
            elif not stat.S_ISREG(status.st_mode):
                skipped.append((relative, "not a regular file"))
            else:
                yield _File(relative, status.st_size, status.st_mtime, lambda limit, path=path: _read_file(path, limit),
                            submission_times.received_time(status), "the folder file's time as received")


def _hidden(name):
    """Checkpoints, editor and OS metadata (.ipynb_checkpoints, .DS_Store, __MACOSX/): never a submission."""
    return name.startswith(".") or name == "__MACOSX"


def _read_file(path, limit):
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))  # a file swapped for a link is refused
        with os.fdopen(descriptor, "rb") as handle:
            return handle.read(limit)
    except OSError as error:
        raise _Unreadable(f"could not be read ({type(error).__name__}: {error})") from error


def _zip_files(archive, skipped):
    """The zip's file entries; links, absolute paths, '..' and encrypted entries are reported in skipped."""
    for info in archive.infolist():
        if info.is_dir():
            continue
        name = _entry_name(info)
        mode = info.external_attr >> 16
        parts = re.split(r"[\\/]", name)
        if stat.S_ISLNK(mode):
            skipped.append((name, "a symbolic link; only regular files are imported"))
        elif stat.S_IFMT(mode) not in (0, stat.S_IFREG):
            skipped.append((name, "not a regular file"))
        elif name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", name):
            skipped.append((name, "absolute path in the zip; refused, it would write outside submitted/"))
        elif ".." in parts:
            skipped.append((name, "'..' in the path (zip slip); refused, it would write outside submitted/"))
        elif info.flag_bits & 0x1:
            skipped.append((name, "encrypted zip entry"))
        else:
            parts = [part for part in parts if part not in ("", ".")]
            yield _File("/".join(parts), info.file_size, _zip_time(info),
                        lambda limit, info=info: _read_entry(archive, info, limit),
                        _zip_time(info) or None, "the zip entry's date and time (the grader's time zone)")


def _entry_name(info):
    """The entry's name; names stored without the zip's UTF-8 flag are often UTF-8 all the same."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("utf-8")
    except UnicodeError:
        return info.filename


def _zip_time(info):
    try:
        return datetime(*info.date_time).timestamp()
    except (ValueError, OverflowError):
        return 0.0


def _read_entry(archive, info, limit):
    try:
        with archive.open(info) as handle:
            return handle.read(limit)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError, ValueError) as error:
        raise _Unreadable(f"could not be read from the zip ({type(error).__name__}: {error})") from error


# Recognising whose notebook a file is, and for which assignment.

def _problem(file, max_bytes):
    """Why the file cannot be a submission whatever its name says, or None."""
    parts = file.name.split("/")
    if any(_hidden(part) for part in parts):
        return "ignored: hidden file (checkpoints, OS or editor metadata)"
    if not parts[-1].lower().endswith(".ipynb"):
        return f"not a notebook ({Path(parts[-1]).suffix or 'no extension'}); only .ipynb files are imported"
    if file.size > max_bytes:
        return f"too large: {file.size / 2**20:.1f} MB (limit {max_bytes / 2**20:g} MB)"
    return None


def _recognise(file, released, assignment):
    """The _Submission a file is, from its path, or the reason it is none."""
    owner = _owner(file.name.split("/"), released, assignment)
    if isinstance(owner, str):
        return owner
    if not STUDENT_ID.fullmatch(owner.student):
        return (f"student id {owner.student!r} is not a safe folder name (letters, digits, '_', '.', '-', "
                "starting with a letter or digit, at most 100 characters)")
    if owner.assignment and assignment and owner.assignment != assignment:
        return f"wrong assignment: in the folder {owner.assignment!r}, this import is for {assignment}"
    found = _which_notebook(owner.filename, owner.assignment or assignment, released)
    if isinstance(found, str):
        return found
    found_assignment, notebook, copy = found
    order = (owner.file_id, *copy, 0.0 if owner.lms else file.mtime)
    return _Submission(file, owner.student, found_assignment, notebook, order, owner.fields, owner.late, owner.lms)


def _owner(parts, released, assignment):
    """Whose notebook the path (split at '/') is, by the first layout of docs/lms-import.md it
    matches, or the reason it matches none."""
    if len(parts) > 1 and (match := MOODLE_FOLDER.fullmatch(parts[0])):
        return _Owner(match["participant_id"], parts[-1], fields=_moodle_names(match["full_name"]), lms=True)
    if len(parts) == 1:
        name = parts[0]
        if match := MOODLE_FILE.fullmatch(name):
            return _Owner(match["participant_id"], match["filename"], fields=_moodle_names(match["full_name"]),
                          lms=True)
        if match := CANVAS_ANONYMOUS.fullmatch(name):
            return _Owner(match["anonymous_id"], match["filename"], file_id=int(match["file_id"]),
                          late=bool(match["late"]), lms=True)
        if match := CANVAS.fullmatch(name):
            return _Owner(match["user_id"], match["filename"], fields={"lms_user_id": match["user_id"]},
                          file_id=int(match["file_id"]), late=bool(match["late"]), lms=True)
        student, filename = _student_from_file_name(name, released, assignment)
        if student is None:
            return f"cannot tell whose notebook this is; supported layouts: {LAYOUTS}"
        return _Owner(student, filename)
    if len(parts) == 2:
        return _Owner(parts[0], parts[1])
    if len(parts) == 3:
        if parts[1] not in released:
            return f"unknown assignment folder {parts[1]!r} (not in release/: {', '.join(sorted(released))})"
        return _Owner(parts[0], parts[2], assignment=parts[1])
    return f"too deeply nested; supported layouts: {LAYOUTS}"


def _student_from_file_name(filename, released, assignment):
    """(student, notebook file name) of STUDENT_NOTEBOOK.ipynb, or of STUDENT.ipynb when the
    assignment is given; (None, filename) when the name says no student."""
    stem = filename[:-len(".ipynb")]
    for notebook in sorted((n for r in released.values() for n in r.notebooks), key=len, reverse=True):
        released_stem = re.escape(notebook[:-len(".ipynb")])
        match = re.fullmatch(rf"(?P<student>.+?)[_-](?P<notebook>{released_stem}{COPY_TAIL})", stem, re.IGNORECASE)
        if match:
            return match["student"], match["notebook"] + ".ipynb"
    if assignment is not None and isinstance(_which_notebook(filename, None, released), str):
        return stem, filename
    return None, filename


def _which_notebook(filename, expected, released):
    """(assignment, released notebook name, copy number) of a submitted file name, or the reason it has none.

    The name is a released notebook's, maybe with a copy suffix ("-1", " (2)"); any other name is
    the expected assignment's notebook when that assignment has only one.
    """
    stem = filename[:-len(".ipynb")]
    by_stem = {name[:-len(".ipynb")].lower(): (a, name) for a, r in released.items() for name in r.notebooks}
    names = ", ".join(sorted(name for _, name in by_stem.values()))
    match, copy = by_stem.get(stem.lower()), (0, 0)
    suffixed = COPY_SUFFIX.fullmatch(stem)
    if match is None and suffixed and (suffixed["canvas"] or suffixed["browser"]):
        match = by_stem.get(suffixed["stem"].lower())
        copy = (int(suffixed["canvas"] or 0), int(suffixed["browser"] or 0))
    if match is None:
        if expected is None:
            return (f"unknown assignment: {filename!r} is not the name of a released notebook ({names}); "
                    "name the assignment to import it as that assignment's notebook")
        if len(released[expected].notebooks) != 1:
            return f"cannot tell which notebook of {expected} {filename!r} is"
        return expected, released[expected].notebooks[0], copy
    assignment, notebook = match
    if expected is not None and assignment != expected:
        return f"wrong assignment: {filename!r} is {assignment}'s notebook, this import is for {expected}"
    return assignment, notebook, copy


def _moodle_names(full_name):
    """Gradebook names from Moodle's full name, split at the last space (Moodle shows "First Last"
    by default), so that first and last joined by a space is the name Moodle gave."""
    if full_name == MOODLE_BLIND_NAME:
        return {}
    first, _, last = full_name.strip().rpartition(" ")
    return {"first_name": first or None, "last_name": last}


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
    target = course_dir / "submitted" / submission.student / submission.assignment / submission.notebook
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
