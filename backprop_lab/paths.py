"""The course directory: every path says which pipeline step a file belongs to.

`Course(root)` is the one place that names the folders of a course, wherever it is (the course
itself, `make demo`'s demo/, a scratch course); the folder names are nbgrader's own defaults,
which nbgrader_config.py keeps (tests/test_architecture.py checks).
"""
import os
from pathlib import Path

COURSE_DIR = Path(os.environ.get("BACKPROP_LAB_COURSE_DIR", Path(__file__).resolve().parents[1]))
STAGING = Path(".grading") / "submitted"  # checked copies of submissions (pipeline/staging.py), what nbgrader grades
GRADING_LOG = "grading-log.jsonl"         # one JSON line per graded submission: what the class report reads


class Course:
    """The folders and files of a course rooted at `root`."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"Course({str(self.root)!r})"

    @property
    def notebooks(self) -> Path:   # what authors edit (jupytext percent format)
        return self.root / "notebooks"

    @property
    def source(self) -> Path:      # nbgrader instructor notebooks, built from notebooks/
        return self.root / "source"

    @property
    def release(self) -> Path:     # student notebooks, built from source/ by nbgrader
        return self.root / "release"

    @property
    def submitted(self) -> Path:   # submissions, one folder per student
        return self.root / "submitted"

    @property
    def staging(self) -> Path:     # the checked copies of submissions that nbgrader grades
        return self.root / STAGING

    @property
    def autograded(self) -> Path:  # what nbgrader made of the submissions
        return self.root / "autograded"

    @property
    def feedback(self) -> Path:    # HTML feedback for each student
        return self.root / "feedback"

    @property
    def reports(self) -> Path:     # the class report
        return self.root / "reports"

    @property
    def grading_log(self) -> Path:  # one JSON line per graded submission
        return self.root / GRADING_LOG

    @property
    def gradebook(self) -> Path:   # the course's own SQLite gradebook
        return self.root / "gradebook.db"

    def gradebook_url(self) -> str:
        """The gradebook's SQLAlchemy URL: $BACKPROP_LAB_DB_URL (e.g. postgresql://user@host/course),
        else gradebook.db in the course, where a writer waits up to 60 s for another to finish."""
        return os.environ.get("BACKPROP_LAB_DB_URL") or self.own_gradebook_url()

    def own_gradebook_url(self) -> str:
        """The course's own SQLite gradebook, whatever $BACKPROP_LAB_DB_URL says (scratch courses)."""
        return f"sqlite:///{self.gradebook.resolve()}?timeout=60"


COURSE = Course(COURSE_DIR)
NOTEBOOKS = COURSE.notebooks
SOURCE = COURSE.source
RELEASE = COURSE.release
SUBMITTED = COURSE.submitted
AUTOGRADED = COURSE.autograded
FEEDBACK = COURSE.feedback
DATA = Path(os.environ.get("BACKPROP_LAB_DATA_DIR", COURSE_DIR / "data"))
IMAGES = Path(os.environ.get("BACKPROP_LAB_IMAGES_DIR", COURSE_DIR / "images"))


def course_file_variables() -> dict[str, str]:
    """The environment a kernel needs to find the course's data and images, wherever it runs."""
    return {"BACKPROP_LAB_DATA_DIR": str(DATA), "BACKPROP_LAB_IMAGES_DIR": str(IMAGES)}


DATA_FILE = "dataMNISTNeuralNetwork.npz"
TRAINED_FILE = "500IterationsTrainedThetasLambdas0_1_10_100.npz"
