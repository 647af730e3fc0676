"""`make student-kit`: dist/student/, everything a student needs and nothing of the grader, and its zip.

    dist/student/
      README.md                  two commands: install, open
      requirements-student.txt   the pinned packages and the helper wheel
      requirements-cnn.txt       optional: Keras and PyTorch for 03_cnn_peek
      wheels/backprop_lab_student-VERSION-py3-none-any.whl   backprop_lab/student/, built by pip
      01_backprop/01_backprop.ipynb ...                        the release notebooks
      data/*.npz, images/*                                     what the notebooks read
    dist/backprop-lab-student-kit.zip

The kit is built only from release/, data/, images/ and backprop_lab/student/: the solutions, the
oracle, the checks and the samples never enter it. tests/test_kit.py installs it into a fresh
virtualenv and searches it for them.
"""
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from backprop_lab import paths

KIT_NAME = "backprop-lab-student"
VERSION = "0.1.0"
PYTHON_VERSIONS = ("3.11", "3.12", "3.13")  # numpy 2.4 and scipy 1.17 need 3.11; 3.10 reached its end in 2026
STUDENT_REQUIREMENTS = "requirements-student.txt"
CNN_REQUIREMENTS = "requirements-cnn.txt"
# Packages the helper wheel itself imports (the rest of requirements-student.txt is JupyterLab).
WHEEL_DEPENDENCIES = ("numpy", "matplotlib", "seaborn", "nbformat", "nbclient", "ipykernel")

PYPROJECT = """\
[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "{name}"
version = "{version}"
description = "Backprop Lab: the helpers the course's notebooks import (no solutions, no grader)"
requires-python = ">={oldest}"
license = "MIT"
dependencies = [{dependencies}]

[project.scripts]
backprop-lab-check = "backprop_lab.student.check:main"

[tool.setuptools]
packages = ["backprop_lab.student"]
"""

README = """\
# Backprop Lab: student kit

Neural networks and backpropagation from scratch in numpy: you compute a network's cost, write
backpropagation with linear algebra, check it against numerical gradients, train it on real MNIST
digits in seconds, look inside it, and slide convolution filters over images by hand.

## Two commands

From this folder, with Python {versions} (inside a virtual environment if you like:
`python -m venv .venv`, then activate it):

```sh
python -m pip install -r requirements-student.txt
python -m jupyterlab
```

Then open the notebooks in order: `01_backprop/01_backprop.ipynb`, `02_convolution/02_convolution.ipynb`,
and the optional `03_cnn_peek/03_cnn_peek.ipynb` (it needs `python -m pip install -r requirements-cnn.txt`
first: Keras and PyTorch, a large download).

## Check your notebook before you submit

```sh
python -m backprop_lab.student.check 01_backprop/01_backprop.ipynb
```

runs the notebook top to bottom in a fresh kernel, as the grader does, and lists what every visible
test says. The hidden tests run when you submit, on other inputs and network sizes: passing here
is necessary, not sufficient.

## What is here

| path | what |
|---|---|
| `NN_name/NN_name.ipynb` | the notebooks; answer cells say `YOUR CODE HERE` |
| `data/` | real MNIST digits (4,000 for training, 1,000 for testing) and networks trained for 500 iterations |
| `images/` | the pictures the notebooks read |
| `wheels/` | `{wheel}`: the course's helpers (`backprop_lab.student`) |
| `requirements-student.txt` | the pinned packages: numpy, scipy, matplotlib, seaborn, pillow, JupyterLab |
"""


def student_requirements(course_dir=paths.COURSE_DIR):
    """The pinned 'name==version' lines of requirements-student.txt. -> {name: version}"""
    pins = {}
    for line in (Path(course_dir) / STUDENT_REQUIREMENTS).read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[name.strip().lower()] = version.strip()
    return pins


def wheel_file_name():
    return f"{KIT_NAME.replace('-', '_')}-{VERSION}-py3-none-any.whl"


def build_wheel(out_dir, course_dir=paths.COURSE_DIR):
    """Build the helper wheel from backprop_lab/student/ alone, with pip (no network). -> its path"""
    pins = student_requirements(course_dir)
    dependencies = ", ".join(f'"{name}>={pins[name]}"' for name in WHEEL_DEPENDENCIES)
    with tempfile.TemporaryDirectory(prefix="backprop-lab-wheel-") as staging:
        staging = Path(staging)
        # Only the student folder: backprop_lab has no __init__.py in the wheel (a namespace
        # package), so `import backprop_lab.reference.network` fails on a student's machine.
        shutil.copytree(Path(__file__).parents[1] / "student", staging / "backprop_lab" / "student",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        (staging / "pyproject.toml").write_text(PYPROJECT.format(
            name=KIT_NAME, version=VERSION, oldest=PYTHON_VERSIONS[0], dependencies=dependencies))
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                        "--no-index", "--wheel-dir", str(out_dir), str(staging)], check=True)
    return Path(out_dir) / wheel_file_name()


def _copy_files(source, target, pattern):
    target.mkdir(parents=True, exist_ok=True)
    copied = []
    for path in sorted(Path(source).glob(pattern)):
        if path.is_file() and path.name != "README.md":
            shutil.copyfile(path, target / path.name)
            copied.append(target / path.name)
    return copied


def build_kit(out_dir=None, course_dir=paths.COURSE_DIR, data_dir=paths.DATA, images_dir=paths.IMAGES):
    """Write the student kit into out_dir (default dist/student/, replaced) and zip it. -> (folder, zip)"""
    course_dir = Path(course_dir)
    kit = Path(out_dir) if out_dir else course_dir / "dist" / "student"
    notebooks = sorted(paths.Course(course_dir).release.glob("*/*.ipynb"))
    missing = [name for name in (paths.DATA_FILE, paths.TRAINED_FILE) if not (Path(data_dir) / name).exists()]
    if not notebooks or missing:
        raise FileNotFoundError(f"the kit needs release/ (make release) and data/ (make data); missing: "
                                f"{'release notebooks' if not notebooks else ', '.join(missing)}")
    if kit.exists():
        shutil.rmtree(kit)  # a build output, made only by this function
    kit.mkdir(parents=True)
    for notebook in notebooks:
        _copy_files(notebook.parent, kit / notebook.parent.name, "*.ipynb")
    _copy_files(data_dir, kit / "data", "*.npz")
    _copy_files(images_dir, kit / "images", "*")
    wheel = build_wheel(kit / "wheels", course_dir)
    requirements = (course_dir / STUDENT_REQUIREMENTS).read_text()
    (kit / STUDENT_REQUIREMENTS).write_text(
        requirements + f"# The course's helpers, from this kit (run pip from this folder):\n"
                       f"./wheels/{wheel.name}\n")
    shutil.copyfile(course_dir / CNN_REQUIREMENTS, kit / CNN_REQUIREMENTS)
    versions = ", ".join(PYTHON_VERSIONS[:-1]) + f" or {PYTHON_VERSIONS[-1]}"
    (kit / "README.md").write_text(README.format(versions=versions, wheel=wheel.name))
    return kit, _zip(kit, kit.parent / f"{KIT_NAME}-kit.zip")


def _zip(folder, archive):
    """Zip folder under its own name, files in sorted order."""
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                bundle.write(path, Path(folder.name) / path.relative_to(folder))
    return archive


def kit_size(folder):
    """Bytes of every file under folder."""
    return sum(path.stat().st_size for path in Path(folder).rglob("*") if path.is_file())

