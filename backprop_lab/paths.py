"""The course directory: every path says which pipeline step a file belongs to."""
import os
from pathlib import Path

COURSE_DIR = Path(os.environ.get("BACKPROP_LAB_COURSE_DIR", Path(__file__).resolve().parents[1]))

NOTEBOOKS = COURSE_DIR / "notebooks"    # what authors edit (jupytext percent format)
SOURCE = COURSE_DIR / "source"          # nbgrader instructor notebooks, built from notebooks/
RELEASE = COURSE_DIR / "release"        # student notebooks, built from source/ by nbgrader
SUBMITTED = COURSE_DIR / "submitted"    # submissions, one folder per student
AUTOGRADED = COURSE_DIR / "autograded"  # what nbgrader made of the submissions
FEEDBACK = COURSE_DIR / "feedback"      # HTML feedback for each student
DATA = Path(os.environ.get("BACKPROP_LAB_DATA_DIR", COURSE_DIR / "data"))
IMAGES = Path(os.environ.get("BACKPROP_LAB_IMAGES_DIR", COURSE_DIR / "images"))

DATA_FILE = "dataMNISTNeuralNetwork.npz"
TRAINED_FILE = "500IterationsTrainedThetasLambdas0_1_10_100.npz"
