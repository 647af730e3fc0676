"""The grader's record of when each submission arrived: submission-times.jsonl, next to the gradebook.

A student writes everything inside a submission, nbgrader's timestamp.txt included, and names an
exchange submission with any time. So the time is taken when the grader collects the submission,
from what the student cannot set back, and appended here (docs/lms-import.md, "Submission times"):

| route | time recorded |
|---|---|
| nbgrader exchange (exchange.py) | the newest inode change time (ctime) in the submission's inbound folder |
| folder or zip (collect.py) | the file's modification time as received (its ctime too when someone else owns it); a zip entry's date and time |
| Canvas zip | no time: Canvas's LATE flag (late or on time, by Canvas's own due dates) |
| Moodle zip | nothing (its zip times are the download's) |

Staging (staging.stage_submission) writes the staged copy's timestamp.txt from the last record of
the submission, and only when the notebooks in submitted/ are still the ones recorded.
"""
import hashlib
import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from backprop_lab import paths

RECORD = "submission-times.jsonl"  # one JSON object per line, appended by collect, read by staging
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"  # nbgrader's timestamp.txt (Exchange.timestamp_format)


def notebook_digests(folder: str | os.PathLike[str]) -> dict[str, str]:
    """{file name: sha256} of the regular .ipynb files directly in folder (what is graded)."""
    digests = {}
    for path in sorted(Path(folder).glob("*.ipynb")) if Path(folder).is_dir() else []:
        if not path.is_symlink() and path.is_file():
            digests[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


def record(course_dir: str | os.PathLike[str], student: str, assignment: str, time: float | None = None,
           late: bool | None = None, source: str = "", origin: str = "") -> dict[str, Any]:
    """Append when submitted/STUDENT/ASSIGNMENT arrived. -> the record (a dict)

    time: seconds since the epoch (or None when the source gives none); late: the LMS's own
    verdict when it gives one (Canvas's LATE flag), else None; source: how the time was taken;
    origin: the file or folder it came from. The notebooks' digests tie the record to the
    content now in submitted/.
    """
    entry = {"student": student, "assignment": assignment,
             "time": None if time is None else datetime.fromtimestamp(time, timezone.utc).isoformat(),
             "late": late, "source": source, "origin": origin,
             "notebooks": notebook_digests(paths.Course(course_dir).submitted / student / assignment),
             "recorded": datetime.now(timezone.utc).isoformat()}
    with open(Path(course_dir) / RECORD, "a", encoding="utf-8") as log:
        log.write(json.dumps(entry) + "\n")
    return entry


def trusted(course_dir: str | os.PathLike[str], student: str,
            assignment: str) -> tuple[dict[str, Any], None] | tuple[None, str | None]:
    """The last record of submitted/STUDENT/ASSIGNMENT. -> (record, None), (None, None) when there
    is none, or (None, why) when its notebooks changed since (another copy put there by hand or by
    a command that records no time)."""
    path = Path(course_dir) / RECORD
    last = None
    for line in path.read_text(encoding="utf-8").splitlines() if path.is_file() else []:
        try:
            entry = json.loads(line)
        except ValueError:  # a line cut short by a killed run
            continue
        if isinstance(entry, dict) and entry.get("student") == student and entry.get("assignment") == assignment:
            last = entry
    if last is None:
        return None, None
    if last.get("notebooks") != notebook_digests(paths.Course(course_dir).submitted / student / assignment):
        return None, (f"its notebooks changed after their time was recorded ({last.get('recorded')}, "
                      f"from {last.get('origin')})")
    return last, None


def tree_ctime(folder: str | os.PathLike[str]) -> float:
    """The newest inode change time (ctime) of folder and everything under it, links not followed.

    Writing, renaming, linking or re-dating a file (touch -d) all set its ctime to now, and nobody
    but root or the clock can set it back: it bounds from below when the content got its final form.
    """
    newest = os.lstat(folder).st_ctime
    for root, folders, files in os.walk(folder):
        for name in folders + files:
            newest = max(newest, os.lstat(os.path.join(root, name)).st_ctime)
    return newest


def received_time(status: os.stat_result) -> float:
    """When a file of a folder was received, from its lstat: its modification time when the grader
    owns it (as copied, downloaded or unzipped), else also its change time, because its owner can
    set the modification time back (touch -d) but not the change time."""
    if status.st_uid == os.geteuid():
        return status.st_mtime
    return max(status.st_mtime, status.st_ctime)


def nbgrader_timestamp(moment: datetime) -> str:
    """A datetime (naive ones are UTC, as in nbgrader's gradebook) as timestamp.txt's text."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime(TIMESTAMP_FORMAT)
