"""nbgrader's exchange for real: the instructor releases into a local exchange folder, two students
with homes of their own fetch, answer and submit with nbgrader's commands, the instructor collects,
grades, makes and releases feedback, and each student fetches their own. Then the formgrader is
asked over its REST API, and forged submission times are tried by every route."""
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook
from nbgrader.utils import parse_utc

from backprop_lab import paths
from backprop_lab.authoring import submissions
from backprop_lab.pipeline import collect, exchange, submission_times
from backprop_lab.pipeline import autograde, nbgrader_api
from backprop_lab.results import gradebook as results_gradebook  # these tests name nbgrader's Gradebook `gradebook`

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("exchange")]

ASSIGNMENT = "02_convolution"
COURSE_ID = "backprop-lab"  # nbgrader_config.py's CourseDirectory.course_id
WRONG = "wrong-convolution-flipped-kernel"
NBGRADER = str(Path(sys.executable).parent / "nbgrader")
FORGED = "2000-01-01 00:00:00.000000 UTC"  # what a student writes to look early


def new_course(course, root):
    """A course folder of our own: the session course's source/, released again by the course's own
    release (nbgrader generate_assignment), with the course's nbgrader_config.py, so that nbgrader's
    commands run in it as an instructor's would."""
    shutil.copytree(course / "source", root / "source")
    shutil.copy(paths.COURSE_DIR / "nbgrader_config.py", root)
    nbgrader_api.release(root)
    return root


def new_exchange(root):
    """An exchange folder as nbgrader wants it: writable by everyone, created before any command."""
    root.mkdir()
    root.chmod(0o777)
    return root


def nbgrader(*args, cwd, home=None):
    """Run an nbgrader command; a student's runs with their own HOME (their nbgrader cache) and cwd."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("JUPYTER", "XDG_"))}
    if home is not None:
        environment["HOME"] = str(home)
    result = subprocess.run([NBGRADER, *args], cwd=cwd, env=environment, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout + result.stderr


def student_command(command, student, home, exchange_root, *extra):
    return nbgrader(command, ASSIGNMENT, f"--course={COURSE_ID}", f"--Exchange.root={exchange_root}",
                    f"--CourseDirectory.student_id={student}", *extra, cwd=home, home=home)


def fetch_answer_submit(course, student, sample, home, exchange_root):
    """The student's side: fetch the release, answer as the sample does, submit."""
    home.mkdir(parents=True)
    student_command("fetch_assignment", student, home, exchange_root)
    fetched = home / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    source = nbformat.read(course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    nbformat.write(submissions.build_submission(sample, nbformat.read(fetched, as_version=4), source), fetched)
    student_command("submit", student, home, exchange_root)


def sample(name):
    return next(s for s in submissions.all_samples() if s.name == name)


def expected_scores(course, sample_):
    """{grade_id: (score, max)} the sample must get: full points except the parts it says it loses."""
    source = nbformat.read(course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    points = {cell.metadata["nbgrader"]["grade_id"]: float(cell.metadata["nbgrader"]["points"])
              for cell in source.cells if cell.metadata.get("nbgrader", {}).get("grade")}
    return {part: (0.0 if part in sample_.loses else maximum, maximum) for part, maximum in points.items()}


@pytest.fixture(scope="module")
def round_trip(course, tmp_path_factory):
    """The whole exchange loop for alice (the solution) and bob (the flipped kernel)."""
    tmp = tmp_path_factory.mktemp("exchange")
    root, exchange_root = new_course(course, tmp / "course"), new_exchange(tmp / "exchange")
    students = {"alice": sample(submissions.SOLUTION), "bob": sample(WRONG)}
    homes = {student: tmp / "home" / student for student in students}
    started = time.time()

    nbgrader("release_assignment", ASSIGNMENT, f"--Exchange.root={exchange_root}", cwd=root)
    for student, sample_ in students.items():
        fetch_answer_submit(root, student, sample_, homes[student], exchange_root)
    nbgrader_env = dict(os.environ, BACKPROP_LAB_COURSE_DIR=str(root))  # the course's own collect command
    collected = subprocess.run([sys.executable, "-m", "backprop_lab", "exchange-collect", ASSIGNMENT,
                                f"--exchange-root={exchange_root}"], cwd=root, env=nbgrader_env,
                               capture_output=True, text=True, timeout=300)
    assert collected.returncode == 0, collected.stdout[-3000:] + collected.stderr[-3000:]
    submitted_at = time.time()
    failures, notes = autograde.autograde(root, assignments_=[ASSIGNMENT], progress=False)
    assert not failures, failures
    assert not autograde.generate_feedback(root, progress=False)
    nbgrader("release_feedback", ASSIGNMENT, f"--Exchange.root={exchange_root}", cwd=root)
    for student in students:
        student_command("fetch_feedback", student, homes[student], exchange_root)
    return dict(root=root, exchange=exchange_root, students=students, homes=homes, started=started,
                submitted_at=submitted_at, notes=notes, scores=results_gradebook.scores(root))


def test_students_submit_and_fetch_their_own_feedback_through_the_exchange(round_trip):
    """Do both students' submissions travel release -> fetch -> submit -> collect -> autograde ->
    feedback -> release_feedback -> fetch_feedback, with the expected scores, each student getting
    their own feedback and nothing of the other's?"""
    root, students, homes = round_trip["root"], round_trip["students"], round_trip["homes"]
    assert nbgrader_api.submitted_students(root, ASSIGNMENT) == sorted(students)
    for student, sample_ in students.items():
        assert round_trip["scores"][(student, ASSIGNMENT)] == expected_scores(root, sample_), student
    assert expected_scores(root, students["alice"]) != expected_scores(root, students["bob"])
    assert not round_trip["notes"]

    mine = {student: (root / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html").read_bytes()
            for student in students}
    assert mine["alice"] != mine["bob"]
    for student in students:
        fetched = sorted(path for path in (homes[student] / ASSIGNMENT / "feedback").rglob("*") if path.is_file())
        assert [path.name for path in fetched] == [f"{ASSIGNMENT}.html"], fetched
        assert fetched[0].read_bytes() == mine[student]
        others = [other for other in students if other != student]
        everything = [path.read_bytes() for path in homes[student].rglob("*") if path.is_file()]
        assert not any(mine[other] in data for other in others for data in everything)


def test_the_exchange_collect_records_when_each_submission_arrived(round_trip):
    """Is each collected submission's time, from the exchange's own change times, recorded beside
    the gradebook, within the time the students were submitting, and given to nbgrader?"""
    root = round_trip["root"]
    for student in round_trip["students"]:
        record, problem = submission_times.trusted(root, student, ASSIGNMENT)
        assert problem is None and record["source"] == exchange.SOURCE
        moment = datetime.fromisoformat(record["time"]).timestamp()
        assert round_trip["started"] - 1 <= moment <= round_trip["submitted_at"] + 1
        with Gradebook(paths.Course(root).gradebook_url()) as gradebook:
            graded_at = gradebook.find_submission(ASSIGNMENT, student).timestamp
        assert abs(graded_at.replace(tzinfo=timezone.utc).timestamp() - moment) < 1e-3


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_formgrader_lists_and_autogrades_the_collected_submissions(round_trip, tmp_path):
    """Does nbgrader's formgrader, on a Jupyter server started for the course, list its assignments
    and the collected submissions, and does its autograde endpoint give the course's scores?"""
    root = round_trip["root"]
    port, token = free_port(), "formgrader-test-token"
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("JUPYTER", "XDG_"))}
    environment.update(HOME=str(tmp_path), JUPYTER_CONFIG_DIR=str(tmp_path / "config"))
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "jupyter-server"), "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
         "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", "--ServerApp.open_browser=False",
         f"--ServerApp.root_dir={root}",
         "--ServerApp.jpserver_extensions={'nbgrader.server_extensions.formgrader': True}",
         *(["--ServerApp.allow_root=True"] if os.geteuid() == 0 else [])],
        cwd=root, env=environment, stdout=subprocess.DEVNULL, stderr=open(tmp_path / "server.log", "wb"))

    def api(path, method="GET"):
        request = urllib.request.Request(f"http://127.0.0.1:{port}/formgrader/api/{path}", method=method,
                                         headers={"Authorization": f"token {token}"},
                                         data=b"" if method == "POST" else None)
        with urllib.request.urlopen(request, timeout=300) as response:
            return json.loads(response.read())

    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                assignments = api("assignments")
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, (tmp_path / "server.log").read_text()
                time.sleep(0.5)
        assert {a["name"] for a in assignments} >= set(nbgrader_api.graded_assignments(root))
        listed = {s["student"]: s for s in api(f"submissions/{ASSIGNMENT}") if s["submitted"]}
        assert sorted(listed) == sorted(round_trip["students"])
        # The formgrader counts a submission as autograded only when the gradebook's time equals
        # submitted/.../timestamp.txt, the student's own; the course grades with the exchange's
        # time, so it lists them as waiting for autograde, with the student's time.
        for student, listing in listed.items():
            own = (root / "submitted" / student / ASSIGNMENT / "timestamp.txt").read_text()
            assert listing["autograded"] is False and listing["timestamp"] == parse_utc(own).isoformat()

        for student in round_trip["students"]:
            result = api(f"submission/{ASSIGNMENT}/{student}/autograde", method="POST")
            assert result["success"], result.get("error", "")[-3000:] + result.get("log", "")[-3000:]
        assert {key: value for key, value in results_gradebook.scores(root).items() if key[1] == ASSIGNMENT} == \
            {key: value for key, value in round_trip["scores"].items() if key[1] == ASSIGNMENT}
        listed = {s["student"]: s for s in api(f"submissions/{ASSIGNMENT}") if s["submitted"]}
        assert {s: (listed[s]["autograded"], listed[s]["score"]) for s in listed} == {
            s: (True, sum(points for points, _ in round_trip["scores"][(s, ASSIGNMENT)].values())) for s in listed}
        # nbgrader's own autograde (no staging) believed the student's timestamp.txt: the gap
        # docs/jupyterhub.md describes. Grade with the course's command.
        with Gradebook(paths.Course(root).gradebook_url()) as gradebook:
            for student in listed:
                own = (root / "submitted" / student / ASSIGNMENT / "timestamp.txt").read_text()
                assert gradebook.find_submission(ASSIGNMENT, student).timestamp == parse_utc(own)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_forged_submission_times_do_not_escape_the_late_penalty(course, tmp_path, monkeypatch):
    """With a due date in the past and nbgrader's 'zero' late penalty, does a timestamp.txt dated
    2000 change nothing, whether it comes in a folder, a Canvas zip or through the exchange, while
    submissions the grader's record dates before the due date keep their points?"""
    root = new_course(course, tmp_path / "course")
    with open(root / "nbgrader_config.py", "a") as config:
        config.write('\nc.LateSubmissionPlugin.penalty_method = "zero"\n')
    monkeypatch.setattr(paths, "COURSE_DIR", root)  # grading reads this course's nbgrader_config.py
    due = datetime(2001, 1, 1, tzinfo=timezone.utc)
    with Gradebook(paths.Course(root).gradebook_url()) as gradebook:
        gradebook.update_or_create_assignment(ASSIGNMENT, duedate=due)
    release = nbformat.read(root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    source = nbformat.read(root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    solution = nbformat.writes(submissions.build_submission(sample(submissions.SOLUTION), release, source)).encode()
    on_time = {}  # student: whether the grader's record puts the submission before the due date

    # A folder: the forged timestamp.txt beside the notebook; the file's time as received counts.
    folder = tmp_path / "class"
    for student, received in [("folder-late", None), ("folder-early", datetime(2000, 6, 1, tzinfo=timezone.utc))]:
        (folder / student / ASSIGNMENT).mkdir(parents=True)
        (folder / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").write_bytes(solution)
        (folder / student / ASSIGNMENT / "timestamp.txt").write_text(FORGED)
        if received:
            os.utime(folder / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", (received.timestamp(),) * 2)
        on_time[student] = received is not None
    report = collect.import_submissions(folder, root)
    assert {s for s, _, _ in report.imported} == {"folder-late", "folder-early"}
    assert sum("timestamp.txt" in name for name, _ in report.skipped) == 2

    # A Canvas zip, its entries dated 2000 and a forged timestamp.txt uploaded too: Canvas's LATE counts.
    download = tmp_path / "canvas.zip"
    with zipfile.ZipFile(download, "w") as archive:
        for name, data in [("doejane_LATE_234567_9000001_02_convolution.ipynb", solution),
                           ("doejane_LATE_234567_9000002_timestamp.txt", FORGED.encode()),
                           ("smithbob_123456_9000003_02_convolution.ipynb", solution)]:
            archive.writestr(zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0)), data)
    report = collect.import_submissions(download, root)
    assert {s for s, _, _ in report.imported} == {"234567", "123456"}
    on_time.update({"234567": False, "123456": True})

    # The exchange: carol submits now, then rewrites her timestamp.txt and renames her folder to 2000.
    exchange_root = new_exchange(tmp_path / "exchange")
    nbgrader("release_assignment", ASSIGNMENT, f"--Exchange.root={exchange_root}", cwd=root)
    fetch_answer_submit(root, "carol", sample(submissions.SOLUTION), tmp_path / "carol", exchange_root)
    inbound = exchange_root / COURSE_ID / "inbound"
    [submitted] = inbound.iterdir()
    (submitted / "timestamp.txt").chmod(0o644)
    (submitted / "timestamp.txt").write_text(FORGED)
    os.utime(submitted / "timestamp.txt", (0, 0))
    name = submitted.name.split("+")
    submitted.rename(inbound / "+".join([name[0], name[1], FORGED, name[3]]))
    assert exchange.collect(ASSIGNMENT, root, exchange_root=exchange_root)["success"]
    on_time["carol"] = False
    assert (root / "submitted" / "carol" / ASSIGNMENT / "timestamp.txt").read_text() == FORGED

    failures, _ = autograde.autograde(root, assignments_=[ASSIGNMENT], progress=False)

    assert not failures, failures
    assert (root / "submitted" / "carol" / ASSIGNMENT / "timestamp.txt").read_text() == FORGED  # never changed
    with Gradebook(paths.Course(root).gradebook_url()) as gradebook:
        for student, early in sorted(on_time.items()):
            submission = gradebook.find_submission(ASSIGNMENT, student)
            assert submission.score == 3.0, student  # every one is the solution
            penalty = 0.0 if early else submission.score
            assert (submission.late_submission_penalty, submission.total_seconds_late > 0) == (penalty, not early), \
                f"{student}: submitted {submission.timestamp}, due {submission.duedate}"
            recorded = submission_times.trusted(root, student, ASSIGNMENT)[0]
            if student in ("234567", "123456"):  # Canvas gives a verdict, not a time
                assert (recorded["time"], recorded["late"]) == (None, not early)
            else:
                assert submission.timestamp.replace(tzinfo=timezone.utc) == datetime.fromisoformat(recorded["time"])
