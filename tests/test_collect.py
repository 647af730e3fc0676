"""Importing submissions into submitted/: Canvas and Moodle downloads and plain folders, built here
as real files from the released notebooks, with the bad files a real class hands in."""
import functools
import os
import shutil
import stat
import time
import zipfile
from datetime import datetime, timezone

import nbformat
import pytest
from nbgrader.api import Gradebook

from backprop_lab import paths
from backprop_lab.authoring import submissions
from backprop_lab.pipeline import collect, submission_times
from backprop_lab.pipeline import autograde, staging
from backprop_lab.results import gradebook


@pytest.fixture(scope="module")
def template(course, tmp_path_factory):
    """release/ and gradebook.db (it knows the assignments) of the session's course, copied once,
    without the students other tests may have graded in it."""
    root = tmp_path_factory.mktemp("collect-template")
    shutil.copytree(course / "release", root / "release")
    shutil.copy2(course / "gradebook.db", root / "gradebook.db")
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        for student in [student.id for student in gradebook.students]:
            gradebook.remove_student(student)
    return root


@pytest.fixture
def lab(template, tmp_path):
    """A course of our own with nothing submitted: imports never touch the session's course."""
    root = tmp_path / "course"
    shutil.copytree(template, root)
    return root


@functools.lru_cache(maxsize=None)
def _released(course, assignment):
    return nbformat.read(course / "release" / assignment / f"{assignment}.ipynb", as_version=4)


def notebook(course, assignment, note):
    """The released notebook opening with a markdown cell that says note: a valid, recognisable submission."""
    submission = nbformat.from_dict(_released(course, assignment))
    submission.cells = [nbformat.v4.new_markdown_cell(note), *submission.cells]
    return nbformat.writes(submission).encode()


def note_of(path):
    return nbformat.read(path, as_version=4).cells[0].source


def write_zip(path, entries):
    """A zip of {name: bytes, or a ZipInfo-ready (name, bytes, mode)}; names are stored as given."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            if isinstance(data, tuple):
                data, mode = data
                info = zipfile.ZipInfo(name, date_time=(2025, 3, 1, 12, 0, 0))
                info.external_attr = mode << 16
                archive.writestr(info, data)
            else:
                archive.writestr(zipfile.ZipInfo(name, date_time=(2025, 3, 1, 12, 0, 0)), data)
    return path


def imported(report):
    return {(student, assignment): path for student, assignment, path in report.imported}


def reasons(report):
    return dict(report.skipped)


def submitted_students(course):
    return sorted(path.name for path in (course / "submitted").iterdir())


def gradebook_student(course, student_id):
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        student = gradebook.find_student(student_id)
        return student.first_name, student.last_name, student.lms_user_id


def test_canvas_download(course, lab, tmp_path):
    """Does a Canvas zip give one notebook per Canvas user id, keep the newest of two uploads, take
    renamed and otherwise-named files as the assignment, and refuse every bad entry with its reason?"""
    nb01 = notebook(course, "01_backprop", "bob")
    download = write_zip(tmp_path / "submissions.zip", {
        "smithbob_123456_7890123_01_backprop.ipynb": nb01,
        "doejane_LATE_234567_7890200_01_backprop-1.ipynb": notebook(course, "01_backprop", "jane"),
        "leeann_345678_7890300_01_backprop.ipynb": notebook(course, "01_backprop", "ann, first upload"),
        "leeann_345678_7890301_01_backprop-1.ipynb": notebook(course, "01_backprop", "ann, second upload"),
        "nguyenhoa_111111_7890350_homework.ipynb": notebook(course, "01_backprop", "hoa"),
        "LATE_anon_x7Yq2_7890360_01_backprop.ipynb": notebook(course, "01_backprop", "anonymous"),
        "kimmo_456789_7890400_notes.txt": b"my notes",
        "parkjo_567890_7890500_01_backprop.ipynb": b'{"cells": [',
        "choimin_678901_7890600_02_convolution.ipynb": notebook(course, "02_convolution", "min"),
        "roesam_222222_7890700_01_backprop.ipynb": notebook(course, "02_convolution", "renamed 02"),
        "bigfile_333333_7890800_01_backprop.ipynb": b" " * (collect.MAX_NOTEBOOK_BYTES + 1),
        "../evil.ipynb": nb01,
        "/etc/evil.ipynb": nb01,
        "linkme_444444_7890900_01_backprop.ipynb": (b"/etc/passwd", stat.S_IFLNK | 0o777),
    })

    report = collect.import_submissions(download, lab, assignment="01_backprop")

    written = imported(report)
    assert sorted(written) == [(s, "01_backprop") for s in ["111111", "123456", "234567", "345678", "anon_x7Yq2"]]
    assert written[("123456", "01_backprop")] == lab / "submitted" / "123456" / "01_backprop" / "01_backprop.ipynb"
    assert note_of(written[("345678", "01_backprop")]) == "ann, second upload"
    assert note_of(written[("111111", "01_backprop")]) == "hoa"  # homework.ipynb, named by assignment=
    assert submitted_students(lab) == ["111111", "123456", "234567", "345678", "anon_x7Yq2"]
    why = reasons(report)
    assert "not a notebook (.txt)" in why["kimmo_456789_7890400_notes.txt"]
    assert why["parkjo_567890_7890500_01_backprop.ipynb"].startswith("not a valid notebook (NotJSONError")
    assert "is 02_convolution's notebook" in why["choimin_678901_7890600_02_convolution.ipynb"]
    assert "(convolution, convolve2d) are 02_convolution's" in why["roesam_222222_7890700_01_backprop.ipynb"]
    assert "duplicate" in why["leeann_345678_7890300_01_backprop.ipynb"]
    assert why["bigfile_333333_7890800_01_backprop.ipynb"].startswith("too large: 20.0 MB (limit 20 MB)")
    assert "zip slip" in why["../evil.ipynb"] and "absolute path" in why["/etc/evil.ipynb"]
    assert "symbolic link" in why["linkme_444444_7890900_01_backprop.ipynb"]
    assert len(report.skipped) == 9 and not report.unchanged and not report.replaced
    assert not (tmp_path / "evil.ipynb").exists() and not (lab / "evil.ipynb").exists()
    assert any(note.startswith("234567/01_backprop: Canvas marked it LATE") for note in report.notes)
    assert gradebook_student(lab, "123456") == (None, None, "123456")  # Canvas squashes the name: not split
    assert gradebook_student(lab, "anon_x7Yq2") == (None, None, None)


def test_moodle_download(course, lab, tmp_path):
    """Does a Moodle zip (a folder per participant, old and new folder names, flat files) give one
    notebook per participant id and assignment, with the full name in the gradebook, and refuse
    the rest with its reason, including two notebooks of which none is newer?"""
    download = write_zip(tmp_path / "COURSE-Lab-42.zip", {
        "Jane Doe_101_assignsubmission_file/01_backprop.ipynb": notebook(course, "01_backprop", "jane 01"),
        "Jane Doe_101_assignsubmission_file/02_convolution.ipynb": notebook(course, "02_convolution", "jane 02"),
        "Mary Ann Smith_102_assignsubmission_file_/01_backprop (1).ipynb": notebook(course, "01_backprop", "mary"),
        "Li Wei_103_assignsubmission_file/essay.ipynb": notebook(course, "01_backprop", "li essay"),
        "Li Wei_103_assignsubmission_onlinetext/onlinetext.html": b"<p>see my notebook</p>",
        "Zoë Ångström_104_assignsubmission_file/01_backprop.ipynb": notebook(course, "01_backprop", "zoë"),
        "Ola Nordmann_105_assignsubmission_file_02_convolution.ipynb": notebook(course, "02_convolution", "ola"),
        "Sam Roe_106_assignsubmission_file/01_backprop.ipynb": notebook(course, "01_backprop", "sam a"),
        "Sam Roe_106_assignsubmission_file/old/01_backprop.ipynb": notebook(course, "01_backprop", "sam b"),
        "Participant_107_assignsubmission_file/01_backprop.ipynb": notebook(course, "01_backprop", "blind"),
        "__MACOSX/Jane Doe_101_assignsubmission_file/._01_backprop.ipynb": b"\x00\x05\x16\x07",
    })

    report = collect.import_submissions(download, lab)

    written = imported(report)
    assert sorted(written) == [("101", "01_backprop"), ("101", "02_convolution"), ("102", "01_backprop"),
                               ("104", "01_backprop"), ("105", "02_convolution"), ("107", "01_backprop")]
    assert note_of(written[("101", "02_convolution")]) == "jane 02"
    assert written[("102", "01_backprop")].name == "01_backprop.ipynb"
    assert note_of(written[("105", "02_convolution")]) == "ola"
    why = reasons(report)
    assert "unknown assignment: 'essay.ipynb'" in why["Li Wei_103_assignsubmission_file/essay.ipynb"]
    assert "not a notebook (.html)" in why["Li Wei_103_assignsubmission_onlinetext/onlinetext.html"]
    assert "ignored: hidden file" in why["__MACOSX/Jane Doe_101_assignsubmission_file/._01_backprop.ipynb"]
    for name in ["Sam Roe_106_assignsubmission_file/01_backprop.ipynb",
                 "Sam Roe_106_assignsubmission_file/old/01_backprop.ipynb"]:
        assert "none is newer" in why[name]
    assert len(report.skipped) == 5
    assert gradebook_student(lab, "101") == ("Jane", "Doe", None)
    assert gradebook_student(lab, "102") == ("Mary Ann", "Smith", None)
    assert gradebook_student(lab, "104") == ("Zoë", "Ångström", None)
    assert gradebook_student(lab, "107") == (None, None, None)  # blind marking: no name to record


def test_plain_folder(course, lab, tmp_path):
    """Does a folder give STUDENT/NOTEBOOK, STUDENT/ASSIGNMENT/NOTEBOOK and STUDENT_NOTEBOOK,
    keep the newer of two files of one student, and refuse links, unsafe names, checkpoints,
    files too large and files that say no student or no known assignment?"""
    folder = tmp_path / "class"
    files = {
        "alice/01_backprop (1).ipynb": notebook(course, "01_backprop", "alice"),
        "alice/.ipynb_checkpoints/01_backprop-checkpoint.ipynb": notebook(course, "01_backprop", "checkpoint"),
        "bob/02_convolution/02_convolution.ipynb": notebook(course, "02_convolution", "bob"),
        "carol_02_convolution.ipynb": notebook(course, "02_convolution", "carol"),
        "dave/01_backprop.ipynb": notebook(course, "01_backprop", "dave, older"),
        "dave/01_backprop/01_backprop.ipynb": notebook(course, "01_backprop", "dave, newer"),
        "eve smith/01_backprop.ipynb": notebook(course, "01_backprop", "eve"),
        "frank/unknown/01_backprop.ipynb": notebook(course, "01_backprop", "frank"),
        "01_backprop.ipynb": notebook(course, "01_backprop", "whose?"),
        "readme.txt": b"hello",
    }
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    now = time.time()
    os.utime(folder / "dave/01_backprop.ipynb", (now - 3600, now - 3600))
    secret = tmp_path / "secret.ipynb"
    secret.write_bytes(notebook(course, "01_backprop", "outside the folder"))
    (folder / "mallory").mkdir()
    (folder / "mallory" / "01_backprop.ipynb").symlink_to(secret)
    (folder / "linked").symlink_to(folder / "alice")
    (folder / "big").mkdir()
    with open(folder / "big" / "01_backprop.ipynb", "wb") as handle:
        handle.truncate(collect.MAX_NOTEBOOK_BYTES + 1)

    report = collect.import_submissions(folder, lab)

    written = imported(report)
    assert sorted(written) == [("alice", "01_backprop"), ("bob", "02_convolution"), ("carol", "02_convolution"),
                               ("dave", "01_backprop")]
    assert written[("alice", "01_backprop")].name == "01_backprop.ipynb"
    assert note_of(written[("dave", "01_backprop")]) == "dave, newer"
    assert submitted_students(lab) == ["alice", "bob", "carol", "dave"]
    why = reasons(report)
    assert why["alice/.ipynb_checkpoints/"].startswith("ignored: hidden folder")
    assert "imported from the newer dave/01_backprop/01_backprop.ipynb" in why["dave/01_backprop.ipynb"]
    assert "not a safe folder name" in why["eve smith/01_backprop.ipynb"]
    assert "unknown assignment folder 'unknown'" in why["frank/unknown/01_backprop.ipynb"]
    assert "cannot tell whose notebook this is" in why["01_backprop.ipynb"]
    assert "not a notebook (.txt)" in why["readme.txt"]
    assert "symbolic link" in why["mallory/01_backprop.ipynb"] and "symbolic link" in why["linked/"]
    assert why["big/01_backprop.ipynb"].startswith("too large")
    assert len(report.skipped) == 9
    assert gradebook_student(lab, "carol") == (None, None, None)


def test_notebooks_named_after_students(course, lab, tmp_path):
    """Is FOLDER/STUDENT.ipynb the named assignment's notebook, and refused when none is named?"""
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "gina.ipynb").write_bytes(notebook(course, "02_convolution", "gina"))

    refused = collect.import_submissions(folder, lab)
    assert not refused.imported and "cannot tell whose" in reasons(refused)["gina.ipynb"]

    report = collect.import_submissions(folder, lab, assignment="02_convolution")
    assert imported(report) == {("gina", "02_convolution"): lab / "submitted/gina/02_convolution/02_convolution.ipynb"}


def test_reimport_never_overwrites_silently(course, lab, tmp_path):
    """Is an identical re-import left alone, a different one refused unless overwrite=True (then
    replaced and reported so), and does a re-import keep the names an instructor corrected?"""
    download = tmp_path / "moodle.zip"
    write_zip(download, {"Jane Doe_101_assignsubmission_file/01_backprop.ipynb": notebook(course, "01_backprop", "v1")})
    target = lab / "submitted" / "101" / "01_backprop" / "01_backprop.ipynb"
    first = collect.import_submissions(download, lab)
    assert imported(first) == {("101", "01_backprop"): target}
    written_at = target.stat().st_mtime_ns
    with Gradebook(f"sqlite:///{lab / 'gradebook.db'}") as gradebook:
        gradebook.update_or_create_student("101", last_name="Doe-Martin")

    again = collect.import_submissions(download, lab)
    assert not again.imported and not again.skipped
    assert again.unchanged == [("101", "01_backprop", target)] and target.stat().st_mtime_ns == written_at
    assert gradebook_student(lab, "101") == ("Jane", "Doe-Martin", None)

    write_zip(download, {"Jane Doe_101_assignsubmission_file/01_backprop.ipynb": notebook(course, "01_backprop", "v2")})
    refused = collect.import_submissions(download, lab)
    assert not refused.imported and note_of(target) == "v1"
    assert "already submitted" in reasons(refused)["Jane Doe_101_assignsubmission_file/01_backprop.ipynb"]

    replaced = collect.import_submissions(download, lab, overwrite=True)
    assert replaced.imported == replaced.replaced == [("101", "01_backprop", target)]
    assert note_of(target) == "v2"
    assert "replaced  submitted/101/01_backprop/01_backprop.ipynb" in collect.format_report(replaced)


def test_bad_sources_and_assignments_are_refused(lab, tmp_path):
    """Does an import of something that is neither a folder nor a zip, or for an assignment that is
    not released, stop before touching anything?"""
    text = tmp_path / "grades.txt"
    text.write_text("not a zip")
    with pytest.raises(ValueError, match="neither a folder nor a .zip"):
        collect.import_submissions(text, lab)
    with pytest.raises(ValueError, match="'04_rnn' is not in"):
        collect.import_submissions(tmp_path, lab, assignment="04_rnn")
    assert not (lab / "submitted").exists()


@pytest.mark.slow
def test_an_imported_submission_is_graded(course, lab, tmp_path):
    """Does a correct notebook imported from a Canvas download get full marks from autograde?"""
    release = nbformat.read(course / "release" / "02_convolution" / "02_convolution.ipynb", as_version=4)
    source = nbformat.read(course / "source" / "02_convolution" / "02_convolution.ipynb", as_version=4)
    solution = submissions.build_submission(submissions.Sample(submissions.SOLUTION), release, source)
    download = write_zip(tmp_path / "submissions.zip", {
        "turingalan_424242_9000001_02_convolution.ipynb": nbformat.writes(solution).encode()})
    assert imported(collect.import_submissions(download, lab))

    failures, _ = autograde.autograde(lab, students=["424242"], assignments_=["02_convolution"], progress=False)

    assert not failures, failures
    assert gradebook.scores(lab)[("424242", "02_convolution")] == {"convolution": (3.0, 3.0)}


def test_submission_times_are_recorded_by_the_grader(course, lab, tmp_path):
    """Does an import record each submission's time as received (a folder file's modification
    time, Canvas's LATE flag, nothing from Moodle), keep it on an identical re-import, record the
    replacement's, and does staging write only that time into the staged timestamp.txt, ignoring
    the student's own and any record whose notebook was since replaced by hand?"""
    folder = tmp_path / "class"
    (folder / "alice" / "02_convolution").mkdir(parents=True)
    (folder / "alice" / "02_convolution" / "02_convolution.ipynb").write_bytes(notebook(course, "02_convolution", "v1"))
    (folder / "alice" / "02_convolution" / "timestamp.txt").write_text("2000-01-01 00:00:00.000000 UTC")
    received = datetime(2025, 3, 1, 12, 30, tzinfo=timezone.utc).timestamp()
    os.utime(folder / "alice" / "02_convolution" / "02_convolution.ipynb", (received, received))

    report = collect.import_submissions(folder, lab)
    assert "not a notebook (.txt)" in reasons(report)["alice/02_convolution/timestamp.txt"]
    record, problem = submission_times.trusted(lab, "alice", "02_convolution")
    assert problem is None and datetime.fromisoformat(record["time"]).timestamp() == received
    assert not (lab / "submitted" / "alice" / "02_convolution" / "timestamp.txt").exists()

    (lab / "submitted" / "alice" / "02_convolution" / "timestamp.txt").write_text("2000-01-01 00:00:00.000000 UTC")
    notes = staging.stage_submission(lab, "alice", "02_convolution")
    staged = paths.Course(lab).staging / "alice" / "02_convolution" / "timestamp.txt"
    assert not notes and staged.read_text() == "2025-03-01 12:30:00.000000 UTC"

    os.utime(folder / "alice" / "02_convolution" / "02_convolution.ipynb", (received + 60, received + 60))
    assert collect.import_submissions(folder, lab).unchanged
    assert submission_times.trusted(lab, "alice", "02_convolution")[0]["time"] == record["time"]
    (folder / "alice" / "02_convolution" / "02_convolution.ipynb").write_bytes(notebook(course, "02_convolution", "v2"))
    os.utime(folder / "alice" / "02_convolution" / "02_convolution.ipynb", (received + 120, received + 120))
    assert collect.import_submissions(folder, lab, overwrite=True).replaced
    assert datetime.fromisoformat(submission_times.trusted(lab, "alice", "02_convolution")[0]["time"]).timestamp() \
        == received + 120

    (lab / "submitted" / "alice" / "02_convolution" / "02_convolution.ipynb").write_bytes(
        notebook(course, "02_convolution", "copied in by hand"))
    assert submission_times.trusted(lab, "alice", "02_convolution")[1].startswith("its notebooks changed")
    notes = staging.stage_submission(lab, "alice", "02_convolution")
    assert not staged.exists() and "graded without a submission time" in notes[0]

    download = write_zip(tmp_path / "lms.zip", {
        "doejane_LATE_234567_7890200_02_convolution.ipynb": notebook(course, "02_convolution", "jane"),
        "smithbob_123456_7890123_02_convolution.ipynb": notebook(course, "02_convolution", "bob"),
    })
    collect.import_submissions(download, lab)
    moodle = write_zip(tmp_path / "moodle.zip", {
        "Li Wei_103_assignsubmission_file/02_convolution.ipynb": notebook(course, "02_convolution", "li")})
    collect.import_submissions(moodle, lab)
    verdicts = {student: {key: submission_times.trusted(lab, student, "02_convolution")[0][key] for key in ("time", "late")}
                for student in ("234567", "123456", "103")}
    assert verdicts == {"234567": {"time": None, "late": True}, "123456": {"time": None, "late": False},
                        "103": {"time": None, "late": None}}
