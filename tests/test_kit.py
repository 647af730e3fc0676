"""The student kit (`make student-kit`): installed into a fresh virtualenv of the oldest Python its
pins support, from its own files with no package index. Does it run on its own, and does it hold
no solution, no oracle, no hidden check and no sample answer?"""
import ast
import copy
import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import nbformat
import pytest

from backprop_lab import paths
from backprop_lab.authoring import kit

pytestmark = pytest.mark.slow

GRADER_MODULES = ["backprop_lab.reference.network", "backprop_lab.reference.convolution", "backprop_lab.judging.checks", "backprop_lab.judging.diagnosis",
                  "backprop_lab.judging.diagnosis_pictures",
                  "backprop_lab.judging.mistakes", "backprop_lab.sandbox.executor", "backprop_lab.pipeline.autograde",
                  "backprop_lab.reference.toy_worked", "nbgrader"]
# Oracle functions that the lesson itself gives students in code, so they are in the kit on purpose.
GIVEN_IN_THE_LESSON = {
    "sigmoid": "the notebook gives mySigmoid; students write its gradient",
}
INSTRUCTOR_MARKERS = ["BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "checks.check_",
                      "backprop_lab import checks", "backprop_lab.reference.network"]


# --------------------------------------------------------------------------- normalised code

class _Canonical(ast.NodeTransformer):
    """Names and arguments renamed by order of first appearance; attributes and constants kept."""

    def __init__(self):
        self.names = {}

    def _rename(self, name):
        return self.names.setdefault(name, f"v{len(self.names)}")

    def visit_Name(self, node):
        return ast.copy_location(ast.Name(id=self._rename(node.id), ctx=node.ctx), node)

    def visit_arg(self, node):
        return ast.copy_location(ast.arg(arg=self._rename(node.arg)), node)


def _without_docstring(body):
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
            and isinstance(body[0].value.value, str):
        return body[1:]
    return body


def canonical(statements):
    """One string for a run of statements, the same however its variables are named."""
    transformer = _Canonical()
    return "\n".join(ast.dump(transformer.visit(copy.deepcopy(statement)), annotate_fields=False)
                     for statement in statements)


def statement_lists(tree):
    """Every list of statements in the tree: the module's, and every function's, loop's, branch's body."""
    lists = [tree.body]
    for node in ast.walk(tree):
        for field in ("body", "orelse", "finalbody"):
            value = getattr(node, field, None)
            if isinstance(value, list) and value and isinstance(value[0], ast.stmt) and node is not tree:
                lists.append(_without_docstring(value) if isinstance(node, (ast.FunctionDef, ast.ClassDef)) else value)
    return [body for body in lists if body]


def parse(code):
    """Python code of a file or a notebook cell (IPython magics dropped). -> ast.Module or None"""
    lines = [line for line in code.splitlines() if not line.lstrip().startswith(("%", "!"))]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return None


def run_index(trees, lengths):
    """{canonical run of n statements: where} for every run of the given lengths in the trees."""
    index = {}
    for where, tree in trees:
        for body in statement_lists(tree):
            for n in lengths:
                for start in range(len(body) - n + 1):
                    index.setdefault(canonical(body[start:start + n]), where)
    return index


WINDOW = 3  # a run of three statements of an answer is already most of a short one


def leaks(answers, trees):
    """The answers found in the trees. answers: {name: statements}; -> {name: where}"""
    lengths = {min(len(body), WINDOW) for body in answers.values()} | {len(body) for body in answers.values()}
    index = run_index(trees, lengths)
    found = {}
    for name, body in answers.items():
        runs = [body] + [body[start:start + WINDOW] for start in range(len(body) - WINDOW + 1)]
        for run in runs:
            if canonical(run) in index:
                found[name] = index[canonical(run)]
                break
    return found


# --------------------------------------------------------------------------- what must not leak

def _solution_regions(text):
    """The code between the solution markers of a cell, dedented."""
    regions, current = [], None
    for line in text.splitlines():
        if "### BEGIN SOLUTION" in line:
            current = []
        elif "### END SOLUTION" in line:
            regions.append("\n".join(current))
            current = None
        elif current is not None:
            current.append(line)
    return [textwrap.dedent(region) for region in regions]


def source_notebooks():
    return sorted(paths.SOURCE.glob("*/*.ipynb"))


def answers():
    """Every answer a student must not get: {name: statements}."""
    found = {}
    for notebook_path in source_notebooks():
        for cell in nbformat.read(notebook_path, as_version=4).cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
            for i, region in enumerate(_solution_regions(cell.source) if cell.cell_type == "code" else []):
                tree = parse(region)
                if tree is not None and tree.body:
                    found[f"{notebook_path.stem}:{grade_id}:{i}"] = tree.body
    for module in ("network.py", "convolution.py"):
        tree = ast.parse((paths.COURSE_DIR / "backprop_lab" / "reference" / module).read_text())
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name not in GIVEN_IN_THE_LESSON:
                found[f"{module}:{node.name}"] = _without_docstring(node.body)
    for sample in sorted((paths.COURSE_DIR / "samples").glob("correct-*.py")):
        for node in ast.walk(ast.parse(sample.read_text())):
            if isinstance(node, ast.FunctionDef):
                found[f"{sample.name}:{node.name}"] = _without_docstring(node.body)
    return {name: body for name, body in found.items() if body}


def hidden_test_lines():
    lines = set()
    for notebook_path in source_notebooks():
        for cell in nbformat.read(notebook_path, as_version=4).cells:
            inside = False
            for line in cell.source.splitlines():
                if "BEGIN HIDDEN TESTS" in line:
                    inside = True
                elif "END HIDDEN TESTS" in line:
                    inside = False
                elif inside and line.strip():
                    lines.add(line.strip())
    return lines


# --------------------------------------------------------------------------- the kit, installed

@pytest.fixture(scope="module")
def student_kit(tmp_path_factory):
    folder, archive = kit.build_kit(tmp_path_factory.mktemp("dist") / "student")
    return folder, archive


def _oldest_python():
    """An interpreter of the oldest Python version the kit's pins support. -> (path, version)"""
    oldest = kit.PYTHON_VERSIONS[0]
    for candidate in (sys._base_executable, shutil.which(f"python{oldest}"), f"/usr/bin/python{oldest}"):
        if candidate and os.path.exists(candidate):
            version = subprocess.run([candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                                     capture_output=True, text=True).stdout.strip()
            if version == oldest:
                return candidate, version
    pytest.fail(f"no Python {oldest} here: the kit must be tested on the oldest Python its pins support")


@pytest.fixture(scope="module")
def student_env(student_kit, tmp_path_factory):
    """A fresh virtualenv with the kit installed from local files only (--no-index)."""
    folder, _ = student_kit
    python, _ = _oldest_python()
    root = tmp_path_factory.mktemp("student-env")
    subprocess.run([python, "-m", "venv", str(root / "env")], check=True)
    env_python = str(root / "env" / "bin" / "python")
    wheelhouse = root / "wheelhouse"
    # The third-party packages come from the package index, as for a student; the kit's own
    # package only from the kit (a local file; pip never looks it up in an index).
    third_party = [line for line in (folder / kit.STUDENT_REQUIREMENTS).read_text().splitlines()
                   if line and not line.startswith(("#", "./"))]
    subprocess.run([env_python, "-m", "pip", "download", "--quiet", "--dest", str(wheelhouse), *third_party],
                   check=True)
    subprocess.run([env_python, "-m", "pip", "install", "--quiet", "--no-index", "--find-links", str(wheelhouse),
                    "-r", kit.STUDENT_REQUIREMENTS], check=True, cwd=folder)
    return env_python


def _in_env(env_python, *args, cwd=None, **kwargs):
    """Run the student environment's Python, by default in its own folder: never from this
    repository, whose backprop_lab would be importable from the working folder."""
    environment = {name: value for name, value in os.environ.items()
                   if not name.startswith(("BACKPROP_LAB_", "PYTHON", "VIRTUAL_ENV"))}
    return subprocess.run([env_python, *args], capture_output=True, text=True, env=environment,
                          cwd=cwd or Path(env_python).parents[2], **kwargs)


def _installed_package_files(env_python):
    site = _in_env(env_python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip()
    return sorted(path for path in Path(site, "backprop_lab").rglob("*") if path.is_file())


def _kit_code(folder, env_python):
    """(where, ast) for every piece of Python in the kit and in the installed package."""
    trees = []
    for path in sorted(folder.rglob("*")):
        if path.suffix == ".ipynb":
            for number, cell in enumerate(nbformat.read(path, as_version=4).cells):
                tree = parse(cell.source) if cell.cell_type == "code" else None
                if tree is not None:
                    trees.append((f"{path.relative_to(folder)} cell {number + 1}", tree))
        elif path.suffix == ".whl":
            with zipfile.ZipFile(path) as wheel:
                for name in wheel.namelist():
                    if name.endswith(".py"):
                        trees.append((f"{path.name}/{name}", ast.parse(wheel.read(name).decode())))
    for path in _installed_package_files(env_python):
        if path.suffix == ".py":
            trees.append((str(path), ast.parse(path.read_text())))
    return trees


def _kit_text(folder, archive, env_python):
    """(where, text) of every text file in the kit, the zip and the installed package."""
    texts = []
    for path in sorted(folder.rglob("*")):
        if path.suffix in (".ipynb", ".py", ".md", ".txt"):
            texts.append((str(path.relative_to(folder)), path.read_text()))
        elif path.suffix == ".whl":
            with zipfile.ZipFile(path) as wheel:
                texts += [(f"{path.name}/{name}", wheel.read(name).decode()) for name in wheel.namelist()]
    with zipfile.ZipFile(archive) as bundle:
        texts += [(f"{archive.name}/{name}", bundle.read(name).decode()) for name in bundle.namelist()
                  if name.endswith((".ipynb", ".md", ".txt"))]
    texts += [(str(path), path.read_text()) for path in _installed_package_files(env_python)
              if path.suffix in (".py", ".txt", "") or path.name in ("METADATA", "RECORD")]
    return texts


# --------------------------------------------------------------------------- tests

def test_the_kit_holds_the_notebooks_data_and_pinned_requirements(student_kit):
    """Does the kit hold every release notebook, the data they read, the helper wheel and pins for
    nothing but the notebooks' packages, and does its zip hold the same files?"""
    folder, archive = student_kit
    released = {path.relative_to(paths.RELEASE) for path in paths.RELEASE.glob("*/*.ipynb")}
    assert {path.relative_to(folder) for path in folder.glob("*/*.ipynb")} == released
    assert {path.name for path in (folder / "data").iterdir()} == {paths.DATA_FILE, paths.TRAINED_FILE}
    assert (folder / "images" / "square.png").exists()
    pins = kit.student_requirements()
    assert set(pins) <= {"numpy", "scipy", "matplotlib", "seaborn", "pillow", "jupyterlab", "nbformat", "nbclient",
                         "ipykernel"}, pins
    assert all(pins.values()), "every package is pinned"
    shipped = (folder / kit.STUDENT_REQUIREMENTS).read_text()
    assert f"./wheels/{kit.wheel_file_name()}" in shipped and (folder / "wheels" / kit.wheel_file_name()).exists()
    readme = (folder / "README.md").read_text()
    assert "python -m pip install -r requirements-student.txt" in readme and "python -m jupyterlab" in readme
    with zipfile.ZipFile(archive) as bundle:
        zipped = {name for name in bundle.namelist() if not name.endswith("/")}
    assert zipped == {f"student/{path.relative_to(folder)}" for path in folder.rglob("*") if path.is_file()}


def test_the_grader_cannot_be_imported_where_the_kit_is_installed(student_env):
    """In the student's environment, do the helpers import, and do the oracle, the checks, the
    grader and nbgrader not?"""
    result = _in_env(student_env, "-c", "from backprop_lab.student import course, toy, check; print(toy.forward()['A3'].shape)")
    assert result.returncode == 0 and "(2, 3)" in result.stdout, result.stderr
    for module in GRADER_MODULES:
        result = _in_env(student_env, "-c", f"import {module}")
        assert "ModuleNotFoundError" in result.stderr, f"{module} imports in the student's environment"
    installed = {path.name for path in _installed_package_files(student_env) if "__pycache__" not in path.parts}
    assert installed == {path.name for path in (paths.COURSE_DIR / "backprop_lab" / "student").glob("*.py")}


def test_jupyterlab_shows_students_no_instructor_tools(student_env):
    """Does the students' JupyterLab have no nbgrader extension (formgrader, create assignment)?"""
    jupyter = str(Path(student_env).parent / "jupyter")
    for command in (["server", "extension", "list"], ["labextension", "list"]):
        result = subprocess.run([jupyter, *command], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        listing = (result.stdout + result.stderr).lower()
        assert "nbgrader" not in listing and "formgrader" not in listing, listing


def test_the_leak_detector_finds_every_answer_in_the_instructors_notebooks():
    """Can the search below fail: does it find every solution in source/, even with renamed variables?"""
    expected = {name for name in answers() if name.split(":")[0] in {path.stem for path in source_notebooks()}}
    trees = []
    for notebook_path in source_notebooks():
        for cell in nbformat.read(notebook_path, as_version=4).cells:
            if cell.cell_type == "code" and parse(cell.source) is not None:
                renamed = cell.source.replace("thetaOneMatrix", "T1").replace("XTrain", "data").replace("z)", "s)")
                trees.append((notebook_path.name, parse(renamed) or parse(cell.source)))
    assert expected and set(leaks({name: answers()[name] for name in expected}, trees)) == expected


def test_no_answer_is_in_the_kit(student_kit, student_env):
    """Is no solution cell of source/, no function of the oracle and no correct sample in the kit,
    its notebooks, its wheel or the installed package, however its variables are named?"""
    folder, _ = student_kit
    found = leaks(answers(), _kit_code(folder, student_env))
    assert not found, f"answers found in the student kit: {found}"


def test_no_hidden_test_or_instructor_text_is_in_the_kit(student_kit, student_env):
    """Is no hidden-test line and no instructor marker in any file of the kit, its zip or the installed package?"""
    folder, archive = student_kit
    hidden = hidden_test_lines()
    assert hidden, "the source notebooks have hidden tests"
    for where, text in _kit_text(folder, archive, student_env):
        assert not [marker for marker in INSTRUCTOR_MARKERS if marker in text], where
        assert not [line for line in hidden if line in text], where
        assert "samples/" not in text and "correct-" not in text, where


def _with_answers(kit_notebook, source_notebook):
    """The kit's notebook with the instructor's answer cells pasted in, as a student who solved it has it."""
    notebook = nbformat.read(kit_notebook, as_version=4)
    solutions = {cell.metadata["nbgrader"]["grade_id"]: cell.source
                 for cell in nbformat.read(source_notebook, as_version=4).cells
                 if cell.metadata.get("nbgrader", {}).get("solution")}
    for cell in notebook.cells:
        grading = cell.metadata.get("nbgrader", {})
        if grading.get("solution"):
            cell.source = "\n".join(line for line in solutions[grading["grade_id"]].splitlines()
                                    if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line)
    return notebook


GRADED = ["01_backprop", "02_convolution"]  # 03_cnn_peek has no graded part and needs Keras


def test_the_kit_is_enough_to_pass_every_visible_test(student_kit, student_env, tmp_path):
    """With the instructor's answers pasted into its answer cells, do the kit's notebooks run top to
    bottom in the student's environment, with every visible test passing (the kit's check command)?"""
    folder, _ = student_kit
    work = tmp_path / "student"
    shutil.copytree(folder, work)
    for name in GRADED:
        nbformat.write(_with_answers(work / name / f"{name}.ipynb", paths.SOURCE / name / f"{name}.ipynb"),
                       work / name / f"{name}.ipynb")
    result = _in_env(student_env, "-m", "backprop_lab.student.check", *[f"{name}/{name}.ipynb" for name in GRADED], cwd=work)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    for name in GRADED:
        tests = sum(1 for cell in nbformat.read(folder / name / f"{name}.ipynb", as_version=4).cells
                    if cell.metadata.get("nbgrader", {}).get("grade") and not cell.metadata["nbgrader"]["solution"])
        assert f"{name}/{name}.ipynb: {tests} of {tests} visible tests passed" in result.stdout, result.stdout
    assert "Other cells that raised an error" not in result.stdout, result.stdout


def test_the_blank_kit_fails_every_visible_test(student_kit, student_env):
    """Does the check command, on the notebooks as released, report every visible test failing?"""
    folder, _ = student_kit
    result = _in_env(student_env, "-m", "backprop_lab.student.check", *[f"{name}/{name}.ipynb" for name in GRADED], cwd=folder)
    assert result.returncode == 1
    for name in GRADED:
        assert f"{name}/{name}.ipynb: 0 of " in result.stdout, result.stdout
    # Checking runs a copy: the kit's notebook is still the release's.
    assert nbformat.read(folder / "01_backprop" / "01_backprop.ipynb", as_version=4) == \
        nbformat.read(paths.RELEASE / "01_backprop" / "01_backprop.ipynb", as_version=4)
