"""Whose notebook a file of a collect source (collect.py) is, and which released notebook, as its
path says: the Canvas, Moodle and folder layouts of docs/lms-import.md."""
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from backprop_lab.pipeline.collect_files import File

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


@dataclass
class _Owner:
    """Whose notebook a file is, as its path says."""
    student: str
    filename: str               # the notebook's file name as the student (or the LMS) named it
    assignment: str | None = None  # the assignment its folder names, if any
    fields: dict = field(default_factory=dict)  # first_name, last_name, lms_user_id for the gradebook
    file_id: int = 0            # Canvas's id of the uploaded file: larger is newer
    late: bool | None = None    # Canvas marked the submission LATE (True) or not (False); None: no LMS verdict
    lms: bool = False           # from Canvas or Moodle, whose zip times are the download's, not the upload's


@dataclass
class Submission:
    """A file recognised as one student's notebook for one assignment."""
    file: File
    student: str
    assignment: str
    notebook: str        # the released notebook's file name: its name in submitted/
    order: tuple         # (Canvas file id, copy suffixes, mtime if not from an LMS): the larger, the newer
    student_fields: dict  # first_name, last_name, lms_user_id when the source gives them
    late: bool | None = None
    lms: bool = False


def recognise(file: File, released: Mapping[str, Any], assignment: str | None) -> Submission | str:
    """The Submission a file is, from its path, or the reason it is none."""
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
    return Submission(file, owner.student, found_assignment, notebook, order, owner.fields, owner.late, owner.lms)


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
