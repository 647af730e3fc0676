"""The house's structure: what docs/architecture.md says is what the source is."""
import ast
from pathlib import Path

from backprop_lab import paths
from backprop_lab.authoring import architecture


def test_the_page_states_the_measured_structure():
    """Are the rooms, arrows, cycles and sizes on docs/architecture.md those of the code?
    (`make architecture` writes them.)"""
    assert architecture.stated() == architecture.figures(architecture.measure()), \
        "docs/architecture.md is out of date: run `make architecture` and read the diff"


def test_every_module_has_a_room_and_imports_point_down():
    structure = architecture.measure()
    assert structure.homeless == []
    assert structure.too_long == []
    assert structure.upward == []
    assert structure.cycles == []


def test_the_student_package_imports_nothing_of_ours():
    """The kit ships backprop_lab/student alone: it must not need the rest of the package."""
    structure = architecture.measure()
    assert [(a, b) for a, b in structure.arrows if a.startswith("student") and not b.startswith("student")] == []


def test_the_measure_sees_lazy_imports_cycles_and_upward_arrows(tmp_path):
    """Would the figures show a bad structure? A fake package with a cycle made of a lazy import,
    an upward arrow, a private name reached for, and a module of no room."""
    package = tmp_path / "backprop_lab"
    (package / "reference").mkdir(parents=True)
    (package / "paths.py").write_text(
        "def f():\n    from backprop_lab.reference import network\n    return network._forward\n")
    (package / "reference" / "network.py").write_text("from backprop_lab import paths\n")
    (package / "stray.py").write_text("x = 1\n" * (architecture.MAX_LINES + 1))
    (package / "results").mkdir()
    (package / "results" / "sums.py").write_text(
        "def total(row: dict) -> float:\n    return 0.0\n\n"
        "def untyped(row):\n    return 0.0\n\n"
        "def no_return(row: dict):\n    return 0.0\n\n"
        "def _private(row):\n    return 0.0\n\n"
        "class Scores(dict):\n"
        "    def __init__(self, rows: list):\n        super().__init__()\n\n"
        "    def of(self, student) -> float:\n        return 0.0\n\n"
        "    def _cache(self):\n        pass\n")
    structure = architecture.measure(package)
    assert structure.cycles == [["paths", "reference.network"]]
    assert structure.upward == [("paths", "reference.network")]
    assert structure.private == {("paths", "reference.network._forward")}
    assert structure.unannotated == {("results.sums", "untyped"), ("results.sums", "no_return"),
                                     ("results.sums", "Scores.of")}
    assert structure.homeless == ["stray"] and structure.too_long == ["stray"]


def test_public_functions_of_judging_pipeline_and_results_have_type_hints():
    """Every public function there says what it takes and returns (the fake package above shows
    that the measure sees a missing hint)."""
    assert sorted(architecture.measure().unannotated) == []


COURSE_FOLDERS = {"notebooks", "source", "release", "submitted", "autograded", "feedback", "reports", ".grading",
                  "grading-log.jsonl", "gradebook.db"}


def _folder_spelled(node):
    """A path built from a course folder's name: `x / "submitted"` or "release/*/*.ipynb"."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div) and isinstance(node.right, ast.Constant):
        return node.right.value in COURSE_FOLDERS
    return isinstance(node, ast.Constant) and isinstance(node.value, str) \
        and node.value.split("/")[0] in COURSE_FOLDERS and "/" in node.value


def test_only_paths_names_the_course_folders():
    """paths.Course is the layout's one owner: does any other module build a path from a course
    folder's name? (Text for people, in docstrings and messages, may still name them.)"""
    spelled = []
    for path in sorted(architecture.PACKAGE_DIR.rglob("*.py")):
        if path.name == "paths.py" and path.parent == architecture.PACKAGE_DIR:
            continue
        tree = ast.parse(path.read_text())
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and node.body
                      and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
        spelled += [f"{path.relative_to(architecture.PACKAGE_DIR)}:{node.lineno}" for node in ast.walk(tree)
                    if id(node) not in docstrings and _folder_spelled(node)]
    assert spelled == []


def test_the_course_folders_are_nbgraders():
    """paths.Course names the folders as nbgrader does with the course's nbgrader_config.py."""
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(paths.COURSE_DIR)).load_config()
    nbgrader = CourseDirectory(config=config)
    course = paths.Course(nbgrader.root)
    for folder in ("source", "release", "submitted", "autograded", "feedback"):
        assert getattr(course, folder) == Path(nbgrader.root) / getattr(nbgrader, f"{folder}_directory"), folder


def test_pyproject_installs_every_package():
    """A non-editable install (pip install .) takes only the packages pyproject.toml lists: is
    every folder of the package among them?"""
    import tomllib

    listed = tomllib.loads((paths.COURSE_DIR / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    found = ["backprop_lab." + ".".join(init.parent.relative_to(architecture.PACKAGE_DIR).parts)
             for init in architecture.PACKAGE_DIR.rglob("__init__.py") if init.parent != architecture.PACKAGE_DIR]
    assert sorted(listed) == sorted(["backprop_lab", *found])
