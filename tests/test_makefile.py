"""The Makefile's build rules, asked with `make -q` (is it up to date?) and `make -n` (what would run?)
in a copy of the course's inputs in a temporary folder, with placeholder outputs: no step really
runs, and the course's own data/, images/, source/ and release/ are never touched."""
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from backprop_lab import paths
from backprop_lab.authoring import build

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")

REPOSITORY = paths.COURSE_DIR
INPUTS = ["Makefile", "nbgrader_config.py", "pyproject.toml", "requirements.txt", "requirements-student.txt",
          "requirements-cnn.txt", "notebooks/*.py", "backprop_lab/**/*.py"]
STEPS = ["data", "figures", "source", "release", "student-kit"]
# Imported by every step but changes no byte a step writes: the folders' names (besides, below, the
# packages' __init__.py files that hold only a docstring).
NOT_INPUTS = {"backprop_lab/paths.py"}
OLD = time.time() - 3600  # the inputs' time; outputs are written after it, in pipeline order


def _figures():
    from backprop_lab.authoring.figures import FIGURES  # matplotlib: imported only by the tests that need it
    return FIGURES


def _outputs():
    """What each step writes, as the package names it, in the order the step writes it."""
    names = build.assignments()
    return {
        "data": [f"data/{paths.DATA_FILE}", f"data/{paths.TRAINED_FILE}"],
        "figures": [f"images/{name}" for name in _figures()],
        "source": [f"source/{name}/{name}.ipynb" for name in names],
        "release": [f"release/{name}/{name}.ipynb" for name in names],
        "student-kit": ["dist/student/README.md", "dist/backprop-lab-student-kit.zip"],
    }


def _make(course, *arguments):
    """make in the copy; its environment is venv/, whose .installed is newer than the requirements."""
    return subprocess.run(["make", "-C", str(course), f"VENV={course / 'venv'}", f"BIN={REPOSITORY / '.venv' / 'bin'}",
                           *arguments], capture_output=True, text=True, timeout=60)


def _up_to_date(course, target):
    result = _make(course, "-q", target)
    assert result.returncode in (0, 1), result.stderr  # 2: make itself failed (no rule, bad syntax)
    return result.returncode == 0


def _stale(course):
    """The steps that are out of date, in pipeline order."""
    return [step for step in STEPS if not _up_to_date(course, step)]


def _touch(course, relative, when=None):
    path = course / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
    os.utime(path, (when or time.time(),) * 2)


@pytest.fixture
def inputs(tmp_path):
    """A fresh clone's inputs, all older than anything built; no output, no stamp."""
    course = tmp_path / "course"
    for pattern in INPUTS:
        for path in REPOSITORY.glob(pattern):
            if path.is_file() and "__pycache__" not in path.parts:
                copy = course / path.relative_to(REPOSITORY)
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, copy)
                os.utime(copy, (OLD, OLD))
    _touch(course, "venv/.installed", OLD + 1)
    return course


@pytest.fixture(scope="module")
def outputs():
    return _outputs()


@pytest.fixture
def built(inputs, outputs):
    """The course after `make student-kit`: every output and stamp, written in pipeline order."""
    when = OLD + 10
    for step in STEPS:
        for relative in outputs[step]:
            when += 1
            _touch(inputs, relative, when)
        if step in ("figures", "source", "release"):
            when += 1
            _touch(inputs, f".make/{step}", when)
    return inputs


def test_the_makefile_names_the_files_each_step_writes(inputs):
    """Are the Makefile's data files and images the ones backprop_lab/paths.py and figures.FIGURES name?
    (fix: edit DATASET, TRAINED or IMAGES in the Makefile)"""
    printed = _make(inputs, "-s", "--no-print-directory", "--eval", "print-%: ; @echo $($*)",
                    "print-DATASET", "print-TRAINED", "print-IMAGES")
    assert printed.returncode == 0, printed.stderr
    dataset, trained, images = printed.stdout.splitlines()
    assert [dataset, trained] == [f"data/{paths.DATA_FILE}", f"data/{paths.TRAINED_FILE}"]
    assert images.split() == [f"images/{name}" for name in _figures()]


def test_a_built_course_is_up_to_date(built):
    """With every output newer than its inputs, does every step say it has nothing to do?"""
    assert _stale(built) == []


def test_an_edited_notebook_rebuilds_source_and_what_follows_only(built):
    """After editing notebooks/*.py, are source/, release/ and the kit out of date, and data/ and images/ not?"""
    _touch(built, "notebooks/01_backprop.py")
    assert _stale(built) == ["source", "release", "student-kit"]


def test_an_edit_elsewhere_in_the_package_rebuilds_nothing(built):
    """Does editing grading, results or test code, which no build step runs, leave every step up to date?"""
    for relative in ["backprop_lab/results/report.py", "backprop_lab/judging/mistakes.py", "backprop_lab/cli.py"]:
        _touch(built, relative)
    _touch(built, "tests/test_release.py")
    assert _stale(built) == []


def test_the_kit_follows_the_student_helpers(built):
    """Does editing the student's helpers (not the toy network the figures draw) or the kit's builder
    make only the kit out of date?"""
    _touch(built, "backprop_lab/student/check.py")
    _touch(built, "backprop_lab/authoring/kit.py")
    assert _stale(built) == ["student-kit"]


def _planned(course, *targets):
    """What `make -n TARGETS` would run."""
    planned = _make(course, "-n", *targets)
    assert planned.returncode == 0, planned.stderr
    return planned.stdout


def _steps(planned):
    """The steps of `python -m backprop_lab` (or of the stand-in below) in planned commands, in order."""
    return re.findall(r"(?:-m backprop_lab|step\.py) ([\w-]+)", planned)


@pytest.mark.parametrize("requirements", ["requirements.txt", "requirements-student.txt"])
def test_new_requirements_reinstall_and_rebuild_only_the_kit(built, requirements):
    """After editing a requirements file, does make reinstall the environment and rebuild no step for
    that alone, except the kit when the student's requirements changed?"""
    _touch(built, requirements)
    planned = _planned(built, *STEPS)
    assert "pip install" in planned
    assert _steps(planned) == (["student-kit"] if requirements == "requirements-student.txt" else [])


def _imported_files(module):
    """The files of backprop_lab that importing module loads, relative to the repository."""
    code = (f"import sys, {module}\n"
            "print('\\n'.join(m.__file__ for n, m in list(sys.modules.items()) "
            "if n.startswith('backprop_lab') and getattr(m, '__file__', None)))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPOSITORY, timeout=120)
    assert result.returncode == 0, result.stderr
    return sorted(Path(line).relative_to(REPOSITORY).as_posix() for line in result.stdout.split())


def _docstring_only(relative):
    body = ast.parse((REPOSITORY / relative).read_text()).body
    return len(body) <= 1 and all(isinstance(node, ast.Expr) for node in body)


@pytest.mark.parametrize("step, module", [("data", "backprop_lab.reference.data"),
                                          ("figures", "backprop_lab.authoring.figures"),
                                          ("source", "backprop_lab.authoring.build"),
                                          ("release", "backprop_lab.pipeline.nbgrader_api")])
def test_every_module_a_step_imports_is_its_input(built, step, module):
    """Does editing any module the step's code imports make that step out of date? (fix: add the file
    or its folder to the step's *_CODE list in the Makefile)"""
    files = [relative for relative in _imported_files(module)
             if relative not in NOT_INPUTS and not _docstring_only(relative)]
    assert files, f"{module} imports nothing of backprop_lab?"
    missed = []
    for relative in files:
        _touch(built, relative)
        if _up_to_date(built, step):
            missed.append(relative)
        os.utime(built / relative, (OLD, OLD))
    assert missed == [], f"`make {step}` does not notice an edit of {missed}"


def test_an_edited_network_retrains_and_redraws(built):
    """After editing reference/network.py, are the trained parameters and the figures out of date?"""
    _touch(built, "backprop_lab/reference/network.py")
    assert _stale(built) == STEPS


@pytest.mark.parametrize("step", STEPS)
def test_a_deleted_output_is_made_again(built, outputs, step):
    """With one output of a step deleted and its stamp still there, is the step out of date again?"""
    (built / outputs[step][0]).unlink()
    assert not _up_to_date(built, step)


def test_a_fresh_clone_builds_what_make_test_reads(inputs, outputs):
    """On a fresh clone (release/ committed, checked out at any time; no data/, images/, source/ or
    stamp), does `make test` build data, figures and source, each once, and `make release` regenerate
    release/ but not train?"""
    for relative in outputs["release"]:
        _touch(inputs, relative, OLD + 5)  # newer than the notebooks, as a checkout may leave it
    assert _steps(_planned(inputs, "test")) == ["data", "figures", "source"]
    assert _steps(_planned(inputs, "release")) == ["figures", "source", "release"]


STAND_IN = """\
import json, sys
from pathlib import Path
step, outputs, log = sys.argv[1], json.loads(Path(sys.argv[0]).with_name("outputs.json").read_text()), sys.argv[0] + ".log"
with open(log, "a") as record:
    record.write(step + "\\n")
for relative in outputs[step]:
    if step == "data" and relative.endswith("{trained}") and Path(relative).exists() and "--force" not in sys.argv:
        continue  # as the real command does: it keeps trained parameters that exist
    Path(relative).parent.mkdir(parents=True, exist_ok=True)
    Path(relative).write_text(step)
"""


@pytest.fixture
def stand_in(tmp_path, outputs):
    """A stand-in for `python -m backprop_lab STEP` that writes the step's files, as make's RUN, and
    the file where it records each step it ran."""
    script = tmp_path / "step.py"
    script.write_text(STAND_IN.format(trained=paths.TRAINED_FILE))
    (tmp_path / "outputs.json").write_text(json.dumps(outputs))
    return f"RUN={sys.executable} {script}", Path(f"{script}.log")


def _ran(log):
    return log.read_text().split() if log.exists() else []


def test_a_build_runs_each_step_once_and_a_second_build_nothing(inputs, stand_in):
    """Does `make student-kit` run every step once, in pipeline order, and leave nothing to do for a
    second `make student-kit` or `make test-fast`?"""
    run, log = stand_in
    first = _make(inputs, run, "student-kit")
    assert first.returncode == 0, first.stdout + first.stderr
    assert _ran(log) == STEPS
    second = _make(inputs, run, "student-kit", "data", "figures", "source", "release")
    assert second.returncode == 0, second.stdout + second.stderr
    assert _ran(log) == STEPS
    assert _steps(_planned(inputs, run, "test-fast")) == []
    assert _stale(inputs) == []


def test_an_edited_network_is_retrained_once(built, stand_in):
    """After an edit of reference/network.py, does `make data` retrain (the command alone would keep the
    trained parameters it has) and then say it is up to date?"""
    run, log = stand_in
    _touch(built, "backprop_lab/reference/network.py")
    made = _make(built, run, "data")
    assert made.returncode == 0, made.stdout + made.stderr
    assert _ran(log) == ["data"]
    assert _up_to_date(built, "data")


def test_no_rule_touches_the_class(built):
    """Are the steps that act on the class phony (they always run, make keeps no file of theirs), and does
    `make clean` leave submissions, grades, feedback and the gradebook alone?"""
    phony = next(line for line in (built / "Makefile").read_text().splitlines() if line.startswith(".PHONY:"))
    assert {"submissions", "autograde", "feedback", "grades", "report", "demo", "test", "test-fast"} <= set(phony.split())
    cleaning = _make(built, "-n", "clean")
    assert cleaning.returncode == 0, cleaning.stderr
    for kept in ["submitted", "autograded", "feedback", "gradebook", "grades", "release", "reports"]:
        assert kept not in cleaning.stdout, cleaning.stdout
