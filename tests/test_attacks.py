"""Adversarial submissions, graded through the course's own loop (autograde.autograde, the sandbox).

Each attack is a submission of 02_convolution whose answer cell carries the attack. Attacks that
try to forge a verdict sit on a *wrong* convolve2d (flipped kernel), so any point they earn is a
forged one; attacks on the machine sit on a *right* one, so the student keeps what they earned
while the attack fails. One student with the right answer is graded first and one last: their
grades show that no attack reaches the students around it.

Resource attacks are bounded (a fork bomb of at most 300 processes, a memory bomb of at most
6 GB of address space, 50 MB of output, 20,000 empty files, a file 16 MB past the write quota);
the network attack targets a loopback port this test opens; the grading timeout is 10 s per cell
so that the slow attacks stay short.
"""
import hashlib
import re
import json
import os
import socket
import threading
import time
from pathlib import Path

import nbformat
import pytest

from backprop_lab import paths
from backprop_lab.authoring import submissions
from backprop_lab.sandbox import bubblewrap
from backprop_lab.pipeline import autograde
from backprop_lab.results import gradebook

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("attacks")]

ASSIGNMENT = "02_convolution"
TIMEOUT = 10
FIRST, LAST = "aaa-honest-first", "zzz-honest-last"
SECRET = "grader-secret-7f3a"          # in the grader's environment during grading
LEAK = "LEAKED"                        # attacks print this, followed by what they got, if they get anything
MARKER = "backprop-lab-attack-marker"  # in the command line of every process an attack leaves behind

# The forgers' base: a wrong convolve2d (flipped kernel), the sample of that mistake.
WRONG = "\n" + submissions.read_sample(submissions.SAMPLES / "wrong-convolution-flipped-kernel.py").cells["convolve2d"] + "\n"

# name -> attack code, appended to the wrong answer: any point it earns is forged.
FORGERS = {
    "assert-to-pass-ast-transformer": '''
import ast
class NoAsserts(ast.NodeTransformer):
    def visit_Assert(self, node):
        return ast.Pass()
get_ipython().ast_transformers.append(NoAsserts())
''',
    "input-transformer-empties-cells": '''
get_ipython().input_transformers_post.append(lambda lines: [] if any("check" in l for l in lines) else lines)
''',
    "prints-a-result-before-every-cell": '''
get_ipython().events.register("pre_run_cell", lambda *args: print(1.0))
get_ipython().events.register("post_run_cell", lambda *args: print("Passed: every check of this part."))
''',
    "custom-exception-handler": '''
get_ipython().set_custom_exc((BaseException,), lambda *args, **kwargs: None)
''',
    "rewrites-error-replies": '''
from ipykernel.ipkernel import IPythonKernel
_run = IPythonKernel.do_execute
async def _always_ok(self, *args, **kwargs):
    reply = await _run(self, *args, **kwargs)
    reply.update(status="ok")
    return reply
IPythonKernel.do_execute = _always_ok
get_ipython().showtraceback = lambda *args, **kwargs: None
''',
    "monkeypatches-numpy-and-builtins": '''
import builtins, numpy
numpy.allclose = lambda *args, **kwargs: True
numpy.isclose = lambda *args, **kwargs: True
numpy.testing.assert_allclose = lambda *args, **kwargs: None
builtins.abs = lambda x: 0
builtins.AssertionError = type("Harmless", (Exception,), {})
''',
    "replaces-modules": '''
import sys, types
fake = types.ModuleType("backprop_lab.judging.checks")
fake.check_convolution = lambda *args, **kwargs: None
sys.modules["backprop_lab.judging.checks"] = fake
import backprop_lab
backprop_lab.judging.checks = fake
checks = fake
''',
    "returns-object-equal-to-everything": '''
class Anything:
    shape = (16, 16)
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __array__(self, *args, **kwargs): raise TypeError("no")
    def __getitem__(self, key): return 3
_wrong = convolve2d
def convolve2d(image, kernel):
    return Anything()
''',
    "ndarray-subclass-equal-to-everything": '''
class Agreeable(np.ndarray):
    def __eq__(self, other): return np.ones(np.shape(self), dtype=bool)
_wrong = convolve2d
def convolve2d(image, kernel):
    return _wrong(image, kernel).view(Agreeable)
''',
    "reads-the-reference-package": '''
from backprop_lab.reference import convolution
def convolve2d(image, kernel):
    return convolution.correlate_same(image, kernel)
''',
    "grabs-inputs-to-answer-later": '''
import json
_seen = []
_wrong = convolve2d
def convolve2d(image, kernel):
    _seen.append((image.tolist(), kernel.tolist()))
    open("inputs.json", "w").write(json.dumps(_seen))
    return _wrong(image, kernel)
''',
}

# name -> attack code, appended to the right answer: the student keeps its 3 points, the attack fails.
MACHINE = {
    "reads-course-files": '''
import glob, os
for pattern in ["../../../source/*/*.ipynb", "../../../gradebook.db", "{course}/source/*/*.ipynb", "{course}/gradebook.db",
                "{repo}/notebooks/*.py", "{repo}/backprop_lab/judging/checks/*.py", "{repo}/backprop_lab/reference/network.py",
                "{course}/submitted/*/*/*.ipynb", "{course}/autograded/*/*/*.ipynb", "/root/*", "/root/.*", "/etc/shadow"]:
    for path in glob.glob(pattern):
        if os.path.realpath(path).startswith(os.getcwd()):
            continue  # its own folder is its to read
        try:
            with open(path, "rb") as handle:
                print("{leak}", path, handle.read(60))
        except OSError:
            pass
''',
    "writes-course-files": '''
import os
for path in ["../../../gradebook.db", "{course}/gradebook.db", "{course}/source/02_convolution/02_convolution.ipynb",
             "{course}/release/02_convolution/02_convolution.ipynb",
             "{course}/submitted/{first}/02_convolution/02_convolution.ipynb",
             "{course}/autograded/{first}/02_convolution/02_convolution.ipynb"]:
    try:
        with open(path, "a") as handle:
            handle.write("# attack")
        print("{leak} wrote", path)
    except OSError:
        pass
# The repository's own files: opened for writing, never written (a failing sandbox must not damage the checkout).
for path in ["{repo}/nbgrader_config.py", "{repo}/backprop_lab/judging/checks/pictures.py", "{repo}/backprop_lab/sandbox/executor.py"]:
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_APPEND))
        print("{leak} could write", path)
    except OSError:
        pass
import sqlite3
try:
    database = sqlite3.connect("{course}/gradebook.db")
    database.execute("update grade set auto_score = 100")
    database.commit()
    print("{leak} gradebook")
except Exception:
    pass
''',
    "reads-the-grader-environment": '''
import os
print(sorted(os.environ.items()))
print("UID=%d" % os.getuid())
''',
    "network-to-loopback": '''
import socket
for host in ["127.0.0.1", "localhost", "::1"]:
    try:
        connection = socket.create_connection((host, {port}), timeout=2)
        connection.sendall(b"{leak}")
        print("{leak} connected", host)
    except OSError:
        pass
''',
    "startup-file-for-the-next-student": '''
import os
for folder in [os.path.expanduser("~/.ipython/profile_default/startup"), "/root/.ipython/profile_default/startup",
               os.environ.get("IPYTHONDIR", "/nonexistent") + "/profile_default/startup"]:
    try:
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "00-attack.py"), "w") as handle:
            handle.write("print('{leak} from a startup file')\\n")
    except OSError:
        pass
''',
    "background-process-left-behind": '''
import os, subprocess, sys
subprocess.Popen([sys.executable, "-c", "import time, sys; time.sleep(300)", "{marker}"], start_new_session=True)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(300)", "{marker}"])
    os._exit(0)
''',
    "fork-bomb-bounded": '''
import os, time
children = 0
try:
    for _ in range(300):
        if os.fork() == 0:
            time.sleep(60)
            os._exit(0)
        children += 1
except OSError as error:
    print("fork stopped after", children, type(error).__name__)
''',
    "memory-bomb-bounded": '''
chunks = []
try:
    for _ in range(60):
        chunks.append(np.ones(100 * 2**20 // 8))
except MemoryError:
    print("memory stopped after", len(chunks) * 100, "MB")
try:
    huge = np.ones(6 * 2**30 // 8)
except MemoryError:
    print("6 GB refused")
del chunks
''',
    "huge-output": '''
for _ in range(500):
    print("x" * 100_000)
''',
    "huge-file": '''
try:
    with open("big.bin", "wb") as handle:
        for _ in range(100):
            handle.write(b"0" * 2**20)
except OSError as error:
    print("file stopped:", error)
''',
}

# name -> attack code, appended to the right answer: it fails in its cell when it reaches the kernel's
# write quota (bubblewrap.Limits), the student keeps its 3 points, and autograded/ keeps only what was submitted.
QUOTA = {
    "twenty-thousand-files": '''
for number in range(20_000):
    open("file-%d.txt" % number, "w").close()
''',
    "big-file-in-tmp": '''
with open("/tmp/big.bin", "wb") as handle:
    for _ in range({big_mb}):
        handle.write(b"0" * 2**20)
''',
}
QUOTA_SUBMITTED = "notes.txt"  # what the quota's attackers submit beside their notebook

# Attacks that cost the student the cell they sit in (so convolve2d is lost too): 0 points.
FAULTS = {
    "kills-its-kernel": "import os\nos._exit(1)\n",
    "sigkills-its-kernel": "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n",
    "loops-ignoring-interrupts": "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass\n",
    "loops-catching-keyboard-interrupt": "while True:\n    try:\n        while True:\n            pass\n    except KeyboardInterrupt:\n        pass\n",
}


def _solution(course):
    source = nbformat.read(course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    return submissions.solution_sources(source)["convolve2d"]


ANSWERS = {}  # student -> the answer cell they submitted


def _write(course, student, answer, notebook=None):
    ANSWERS[student] = answer
    release = nbformat.read(course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    notebook = notebook or release
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "convolve2d":
            cell.source = answer
    target = course / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, target)
    return target


def _tampered_notebooks(course, right):
    """Submissions that edit, duplicate, re-label or delete test cells around a wrong answer."""
    release = course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"

    def fresh():
        return nbformat.read(release, 4)

    def test_cell(notebook):
        return next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "convolution")

    edited = fresh()
    test_cell(edited).source = "pass"
    duplicated = fresh()
    duplicated.cells.insert(duplicated.cells.index(test_cell(duplicated)), nbformat.from_dict(
        json.loads(json.dumps(test_cell(duplicated)))))
    relabelled = fresh()
    test_cell(relabelled).metadata["nbgrader"].update(points=100, solution=True, grade=False)
    renamed = fresh()
    test_cell(renamed).metadata["nbgrader"]["grade_id"] = "my-own-test"
    moved_up = fresh()
    cell = test_cell(moved_up)
    moved_up.cells.remove(cell)
    moved_up.cells.insert(0, cell)
    return {"edits-test-cell": edited, "duplicates-test-cell": duplicated, "relabels-test-cell": relabelled,
            "renames-test-cell": renamed, "moves-test-cell-to-the-top": moved_up}


def _hashes(folders):
    """sha256 of every regular file under the folders (links, as the attacks made them, excluded)."""
    hashes = {}
    for folder in folders:
        for root, _, files in os.walk(folder):
            for name in files:
                path = Path(root) / name
                if not path.is_symlink():
                    hashes[path] = hashlib.sha256(path.read_bytes()).hexdigest()
    return hashes


class Listener:
    """A loopback TCP server that records every connection (the network attack's target)."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.connections = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                connection, address = self.server.accept()
            except OSError:
                return
            self.connections.append(address)
            connection.close()


def _processes_with(marker):
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and marker.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _startup_files():
    home = Path.home() / ".ipython"
    return sorted(str(p) for p in home.rglob("startup/*")) if home.exists() else []


@pytest.fixture(scope="module")
def graded(course):
    """Grade every attack between two honest students; -> what a test needs to look at."""
    right = _solution(course)
    values = dict(course=course, repo=paths.COURSE_DIR, leak=LEAK, marker=MARKER, first=FIRST)
    listener = Listener()
    values["port"] = listener.port
    values["big_mb"] = (bubblewrap.Limits().quota_bytes >> 20) + 16
    expected = {FIRST: 3, LAST: 3}
    _write(course, FIRST, right)
    for name, attack in FORGERS.items():
        _write(course, f"forge-{name}", WRONG + attack)
        expected[f"forge-{name}"] = 0
    for name, attack in MACHINE.items():
        _write(course, f"machine-{name}", right + "\n" + attack.format(**values))
        expected[f"machine-{name}"] = 3
    for name, attack in QUOTA.items():
        notebook = _write(course, f"quota-{name}", right + "\n" + attack.format(**values))
        (notebook.parent / QUOTA_SUBMITTED).write_text("submitted beside the notebook\n")
        expected[f"quota-{name}"] = 3
    for name, attack in FAULTS.items():
        _write(course, f"fault-{name}", right + "\n" + attack)
        expected[f"fault-{name}"] = 0
    for name, notebook in _tampered_notebooks(course, right).items():
        _write(course, f"tamper-{name}", WRONG, notebook)
        expected[f"tamper-{name}"] = 0
    # Links in the submission folder: to the gradebook and the solutions, and a notebook that is a link.
    linked = _write(course, "link-files-in-folder", right + "\n" + MACHINE["reads-course-files"].format(**values))
    for name, target in [("gradebook.db", course / "gradebook.db"), ("source", course / "source"),
                         ("solution.ipynb", course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")]:
        os.symlink(target, linked.parent / name)
    expected["link-files-in-folder"] = 3
    as_link = course / "submitted" / "link-notebook-is-a-link" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    as_link.parent.mkdir(parents=True)
    os.symlink(course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_link)
    expected["link-notebook-is-a-link"] = 0
    _write(course, LAST, right)

    protected = [course / "source", course / "release", course / "submitted"]
    before = _hashes(protected)
    config_before = (paths.COURSE_DIR / "nbgrader_config.py").read_bytes()
    startup_before = _startup_files()
    os.environ["BACKPROP_LAB_TEST_SECRET"] = SECRET
    started = time.monotonic()
    try:
        failures, notes = autograde.autograde(course, students=set(expected), assignments_=[ASSIGNMENT],
                                              progress=False, timeout=TIMEOUT)
    finally:
        del os.environ["BACKPROP_LAB_TEST_SECRET"]
    elapsed = time.monotonic() - started
    time.sleep(1)  # let anything an attack forked show itself
    feedback_failures = autograde.generate_feedback(course, progress=False, students=set(expected))
    autograded = {student: (course / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
                  for student in expected}
    return dict(course=course, expected=expected, failures=failures, notes=notes, elapsed=elapsed,
                scores=gradebook.scores(course), before=before, after=_hashes(protected), protected=protected,
                config_changed=(paths.COURSE_DIR / "nbgrader_config.py").read_bytes() != config_before,
                startup_added=sorted(set(_startup_files()) - set(startup_before)),
                listener=listener, leftovers=_processes_with(MARKER), feedback_failures=feedback_failures,
                autograded=autograded)


def _text(path):
    return path.read_text(errors="replace") if path.exists() else ""


def _outputs(path):
    """Everything the cells of an autograded notebook printed (not their source)."""
    if not path.exists():
        return ""
    return json.dumps([cell.get("outputs", []) for cell in nbformat.read(path, 4).cells])


def test_every_submission_is_graded_and_none_fails_the_run(graded):
    """Does every attacker get a grade (no failed autograde), with the honest students around them?"""
    assert not graded["failures"], [(f.student, f.reason[-300:]) for f in graded["failures"]]
    assert not graded["feedback_failures"], graded["feedback_failures"]
    missing = [s for s in graded["expected"] if (s, ASSIGNMENT) not in graded["scores"]]
    assert not missing, missing


@pytest.mark.parametrize("student", [FIRST, LAST])
def test_honest_students_around_the_attacks_keep_full_marks(graded, student):
    assert graded["scores"][(student, ASSIGNMENT)]["convolution"] == (3.0, 3.0)


def test_no_attack_gains_a_point(graded):
    """Does every attack on a wrong answer get 0, and every attack on a right answer exactly what
    the answer earns (the sandbox stops the attack, not the student's work)?"""
    got = {student: graded["scores"][(student, ASSIGNMENT)]["convolution"][0] for student in graded["expected"]}
    wrong = {student: (got[student], points) for student, points in graded["expected"].items() if got[student] != points}
    assert not wrong, wrong


def test_nothing_outside_the_submission_is_read(graded):
    """Did no attack read the course's files, the grader's home or environment, or see its uid be root?"""
    for student, path in graded["autograded"].items():
        printed = _outputs(path)
        assert LEAK not in printed and SECRET not in printed, (student, printed[:2000])
    environment = _outputs(graded["autograded"]["machine-reads-the-grader-environment"])
    assert "UID=" in environment and "HOME" in environment
    if os.geteuid() == 0:
        assert "UID=0\\n" not in environment


def test_nothing_outside_the_submission_is_changed(graded):
    """Are source/, release/, submitted/, the gradebook's grades and nbgrader_config.py untouched?"""
    changed = [str(p) for p in set(graded["before"]) | set(graded["after"])
               if graded["before"].get(p) != graded["after"].get(p)]
    assert not changed, changed
    assert not graded["config_changed"]
    assert all(score <= maximum for parts in graded["scores"].values() for score, maximum in parts.values())


def test_no_network_even_to_loopback(graded):
    assert graded["listener"].connections == []


def test_nothing_is_left_running_or_left_for_the_next_student(graded):
    """Are the attacks' processes gone, and no IPython startup file added to the grader's home?"""
    assert graded["leftovers"] == [], graded["leftovers"]
    assert graded["startup_added"] == []


def test_limits_bound_the_resource_attacks(graded):
    """Are the fork and memory bombs stopped by the limits, output cut, files capped, and the whole
    run bounded by the per-cell timeout?"""
    texts = {student: _text(path) for student, path in graded["autograded"].items()}
    assert "fork stopped after" in texts["machine-fork-bomb-bounded"]
    assert "6 GB refused" in texts["machine-memory-bomb-bounded"]
    assert "memory stopped after" in texts["machine-memory-bomb-bounded"]
    assert graded["autograded"]["machine-huge-output"].stat().st_size < 3 * 2**20
    assert "output cut" in texts["machine-huge-output"]
    assert "file stopped" in texts["machine-huge-file"]
    big = graded["course"] / "autograded" / "machine-huge-file" / ASSIGNMENT / "big.bin"
    assert not big.exists() or big.stat().st_size <= 64 * 2**20
    # every submission is a few seconds, every fault at most a timeout and a restart
    assert graded["elapsed"] < 10 * len(graded["expected"]) + 4 * (TIMEOUT + 10)


def _entries(folder):
    """Every file and folder under folder, relative to it."""
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


def test_write_quota_stops_the_cell_and_keeps_only_what_was_submitted(graded):
    """Does the answer cell of a submission that creates 20,000 files, or writes past the quota
    into /tmp, fail with "No space left on device" (the points its answer earns kept, see
    test_no_attack_gains_a_point), and does its autograded/ folder hold only the notebook and
    what was submitted, not what the kernel wrote?"""
    limits = bubblewrap.Limits()
    assert (limits.quota_bytes >> 20) + 16 < limits.file_bytes >> 20, "the quota, not the file size limit, must stop it"
    for name in QUOTA:
        student = f"quota-{name}"
        answer = next(cell for cell in nbformat.read(graded["autograded"][student], 4).cells
                      if cell.metadata.get("nbgrader", {}).get("grade_id") == "convolve2d")
        errors = [output for output in answer.outputs if output.output_type == "error"]
        assert errors and "No space left on device" in errors[0].evalue, (student, answer.outputs)
        submitted = graded["course"] / "submitted" / student / ASSIGNMENT
        autograded = graded["autograded"][student].parent
        assert _entries(submitted) == sorted([f"{ASSIGNMENT}.ipynb", QUOTA_SUBMITTED])
        assert _entries(autograded) == _entries(submitted), (student, len(_entries(autograded)))


def test_faults_say_what_happened(graded):
    """Does the student whose cell was stopped see why, in the autograded notebook and the feedback?"""
    for name in FAULTS:
        text = _text(graded["autograded"][f"fault-{name}"])
        assert "This cell was stopped" in text, name
    feedback = graded["course"] / "feedback" / "fault-loops-ignoring-interrupts" / ASSIGNMENT / f"{ASSIGNMENT}.html"
    assert "time limit" in _text(feedback)


def test_links_are_not_followed(graded):
    """Are links in a submission skipped (and said so), a notebook that is a link graded as blank?"""
    notes = "\n".join(graded["notes"])
    assert "link-files-in-folder/02_convolution: skipped gradebook.db" in notes
    assert "link-notebook-is-a-link/02_convolution: skipped 02_convolution.ipynb" in notes
    staged_copy = graded["course"] / "autograded" / "link-files-in-folder" / ASSIGNMENT
    assert not (staged_copy / "gradebook.db").exists() and not (staged_copy / "solution.ipynb").exists()


def test_feedback_shows_no_hidden_tests_or_reference(graded):
    """Does no autograded notebook or feedback page contain the hidden tests, the checks' code
    or a traceback into them?"""
    for student in graded["expected"]:
        pages = [graded["autograded"][student]] + list(
            (graded["course"] / "feedback" / student / ASSIGNMENT).glob("*.html"))
        for page in pages:
            text = _text(page)
            for secret in ("BEGIN HIDDEN TESTS", "check_convolution", "backprop_lab/judging/checks/", "correlate_same"):
                if secret in ANSWERS.get(student, ""):
                    continue  # the attacker's own code names it
                assert secret not in text, (student, page.name, secret)
    failing = _text(graded["course"] / "feedback" / "forge-assert-to-pass-ast-transformer" / ASSIGNMENT
                    / f"{ASSIGNMENT}.html")
    assert "convolve2d differs from the expected edge map" in failing


def test_a_kernel_killed_in_one_cell_costs_only_that_part(course):
    """A right 01_backprop whose training cell kills its kernel: the cells after it run in a new
    kernel (with the cells before replayed), so only trained_network is lost, with the reason."""
    sample = submissions.Sample("fault-kills-kernel-while-training",
                                cells={"training": "import os\nos._exit(1)\n"})
    submissions.write_submissions([sample], course, assignments=["01_backprop"])
    failures, _ = autograde.autograde(course, students=[sample.name], assignments_=["01_backprop"],
                                      progress=False, timeout=60)
    assert not failures
    parts = gradebook.scores(course)[(sample.name, "01_backprop")]
    assert {part for part, (score, _) in parts.items() if score == 0} == {"trained_network"}, parts
    assert sum(score for score, _ in parts.values()) == 14
    text = _outputs(course / "autograded" / sample.name / "01_backprop" / "01_backprop.ipynb")
    assert "This cell was stopped: the kernel died" in text


def test_the_attacks_aim_at_files_that_exist():
    """An attack on a file that was moved or renamed passes without testing anything: does every
    repository path the attacks read or write still name at least one file?"""
    import glob

    aimed = {path for code in MACHINE.values() for path in re.findall(r'"\{repo\}/([^"]+)"', code)}
    assert aimed
    for path in sorted(aimed):
        assert glob.glob(str(paths.COURSE_DIR / path)), f"the attacks aim at {path}, which names no file"
