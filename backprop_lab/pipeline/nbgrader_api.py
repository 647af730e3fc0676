"""nbgrader's Python API set up for this course, and what it finds there: assignments, submissions.

source/ -> release/ (generate_assignment); staging and autograde build on the API configured here.
"""
from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from backprop_lab import paths

if TYPE_CHECKING:  # imported where it is used, so that importing this module loads no nbgrader
    from nbgrader.apps import NbGraderAPI



class GradingError(RuntimeError):
    """An nbgrader step failed; the message carries nbgrader's own log."""


def quiet_gradebook_warning() -> None:
    """Silence SQLAlchemy's "not in session" warning, which nbgrader's gradebook code trips on every
    autograde: harmless upstream noise that would bury the messages an instructor needs to read."""
    warnings.filterwarnings("ignore", message=r"Object of type <\w+> not in session", module="nbgrader")


def nbgrader_api(course_dir: str | os.PathLike[str] = paths.COURSE_DIR, staged: bool = False, sandboxed: bool = True,
                 timeout: int | None = None, db_url: str | None = None) -> NbGraderAPI:
    """NbGraderAPI configured by the course's nbgrader_config.py, rooted at course_dir.

    staged: autograde the checked copies in .grading/submitted/ instead of submitted/.
    sandboxed=False runs kernels without isolation (the checks stay in the grader).
    timeout: seconds a cell may run, instead of nbgrader_config.py's.
    """
    quiet_gradebook_warning()  # here, not on import: importing this module changes nothing
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    course_dir = Path(course_dir).resolve()
    config = PyFileConfigLoader("nbgrader_config.py", path=str(paths.COURSE_DIR)).load_config()
    config.CourseDirectory.root = str(course_dir)
    config.CourseDirectory.db_url = db_url or paths.Course(course_dir).gradebook_url()
    if staged:
        config.CourseDirectory.submitted_directory = str(paths.STAGING)
    config.TrustedExecute.sandbox = sandboxed
    if timeout is not None:
        config.TrustedExecute.timeout = timeout
    # The kernels' environment (the course's data, one BLAS thread) is sandbox.kernel's to give.
    # nbgrader runs the `alembic` command when it creates a gradebook: find ours without an activated venv.
    bin_dir = os.path.dirname(sys.executable)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def _check(result, what):
    if not result.get("success"):
        raise GradingError(f"{what} failed:\n{result.get('error') or ''}\n{result.get('log') or ''}")
    return result


def assignments(course_dir: str | os.PathLike[str] = paths.COURSE_DIR) -> list[str]:
    """Assignment names found in source/."""
    return sorted(p.name for p in paths.Course(course_dir).source.iterdir() if p.is_dir())


def graded_assignments(course_dir: str | os.PathLike[str] = paths.COURSE_DIR) -> list[str]:
    """Assignments whose source notebook has at least one graded cell."""
    import nbformat

    def graded(notebook):
        return any(cell.metadata.get("nbgrader", {}).get("grade") for cell in nbformat.read(notebook, 4).cells)

    source = paths.Course(course_dir).source
    return [a for a in assignments(course_dir) if any(graded(nb) for nb in (source / a).glob("*.ipynb"))]


def release(course_dir: str | os.PathLike[str] = paths.COURSE_DIR, db_url: str | None = None) -> None:
    """nbgrader generate_assignment for every assignment: source/ -> release/, recorded in the
    gradebook at db_url (default: the course's, paths.Course.gradebook_url)."""
    api = nbgrader_api(course_dir, db_url=db_url)
    for assignment in assignments(course_dir):
        _check(api.generate_assignment(assignment), f"generate_assignment {assignment}")


def submitted_students(course_dir: str | os.PathLike[str], assignment: str) -> list[str]:
    folder = paths.Course(course_dir).submitted
    return sorted(p.name for p in folder.iterdir() if (p / assignment).is_dir()) if folder.is_dir() else []
