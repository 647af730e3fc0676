"""notebooks/ -> source/ -> release/: metadata survives, release/ is in sync and leaks nothing."""
import json
import re
from pathlib import Path

import jupytext
import nbformat
import pytest

from backprop_lab import paths
from backprop_lab.authoring import build, instructor_only

COMMITTED = sorted(paths.RELEASE.glob("*/*.ipynb"))
INSTRUCTOR_ONLY = ["BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "checks.check_"]


def _cells(path):
    return nbformat.read(path, as_version=4).cells


def _normalised(path):
    notebook = json.loads(Path(path).read_text())
    notebook["metadata"].pop("language_info", None)  # depends on the kernel that ran last, if any
    return notebook


def test_every_assignment_is_released():
    """Is there a committed release notebook for every authored notebook?"""
    assert [p.parent.name for p in COMMITTED] == build.assignments()


@pytest.mark.parametrize("release_path", COMMITTED, ids=lambda p: p.parent.name)
def test_release_is_in_sync_with_notebooks(course, release_path):
    """Does rebuilding notebooks/ -> source/ -> release/ give exactly the committed release? (fix: make release)"""
    rebuilt = course / "release" / release_path.parent.name / release_path.name
    assert _normalised(rebuilt) == _normalised(release_path), (
        f"{release_path} is out of date: run `make release` and commit the result")


@pytest.mark.parametrize("name", build.assignments())
def test_nbgrader_metadata_survives_jupytext(course, name):
    """Does every graded cell marked in notebooks/*.py reach source/ with its grade_id and points?"""
    authored = jupytext.read(paths.NOTEBOOKS / f"{name}.py", fmt="py:percent")
    marked = {c.metadata["grade_id"]: (c.metadata["nbgrader"], c.metadata.get("points"))
              for c in authored.cells if "nbgrader" in c.metadata}
    built = {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]
             for c in _cells(course / "source" / name / f"{name}.ipynb") if "nbgrader" in c.metadata}
    assert set(built) == set(marked)
    for grade_id, (kind, points) in marked.items():
        assert built[grade_id]["solution"] == (kind == "solution")
        assert built[grade_id]["grade"] == (kind == "tests")
        if kind == "tests":
            assert built[grade_id]["points"] == points


@pytest.mark.parametrize("release_path", COMMITTED, ids=lambda p: p.parent.name)
def test_release_contains_no_instructor_text(release_path):
    """Is every solution line, hidden test and instructor marker absent from the student notebook?"""
    text = release_path.read_text()
    for marker in INSTRUCTOR_ONLY:
        assert marker not in text, f"{marker!r} leaked into {release_path}"
    authored = (paths.NOTEBOOKS / f"{release_path.parent.name}.py").read_text()
    solutions = re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", authored, re.DOTALL)
    provided = re.sub(r"### BEGIN SOLUTION\n.*?### END SOLUTION", "", authored, flags=re.DOTALL)
    # Long solution lines that the lesson does not show elsewhere (a reshape may appear in provided code).
    solution_lines = {line.strip() for block in solutions for line in block.splitlines()
                      if len(line.strip()) > 25 and line.strip() not in provided}
    assert solution_lines or not solutions, "expected long solution lines to look for"
    for line in solution_lines:
        assert line not in text, f"solution line leaked into {release_path}: {line}"


def _instructor_only_answers(name):
    """The instructor-only cells' long lines (over 25 characters) in notebooks/NAME.py."""
    authored = jupytext.read(paths.NOTEBOOKS / f"{name}.py", fmt="py:percent")
    return [line.strip() for cell in authored.cells if cell.metadata.get("instructor") == "only"
            for line in cell.source.splitlines() if len(line.strip()) > 25]


def _all_sources(path):
    return "\n".join(cell.source for cell in _cells(path))


@pytest.mark.parametrize("name", build.assignments())
def test_instructor_only_answers_are_in_source_and_not_in_release(course, name):
    """Does every line of the answers to "Think about it" reach source/ (tagged instructor-only) and
    neither the rebuilt nor the committed release/?"""
    answers = _instructor_only_answers(name)
    assert answers, f"notebooks/{name}.py should answer its Think-about-it question in an instructor-only cell"
    source = course / "source" / name / f"{name}.ipynb"
    tagged = [cell for cell in _cells(source) if instructor_only.is_instructor_only(cell)]
    assert tagged and all(cell.cell_type == "markdown" and "nbgrader" not in cell.metadata for cell in tagged)
    tagged_text = _all_sources(source)
    released = [course / "release" / name / f"{name}.ipynb", paths.RELEASE / name / f"{name}.ipynb"]
    for line in answers:
        assert line in tagged_text, f"instructor-only line missing from {source}: {line}"
        for release_path in released:
            assert line not in _all_sources(release_path), f"instructor-only line leaked into {release_path}: {line}"
            assert line not in release_path.read_text()
    for release_path in released:
        assert instructor_only.TAG not in release_path.read_text()
        assert not any(instructor_only.is_instructor_only(cell) for cell in _cells(release_path))


def test_instructor_only_mark_becomes_a_tag_and_a_graded_cell_cannot_carry_it(tmp_path):
    """Is `instructor="only"` turned into the instructor-only tag, and refused on a graded cell or
    with another value?"""
    path = _write(tmp_path, '# %% [markdown] instructor="only"\n# The answer.\n\n# %% [markdown]\n# The question.\n')
    cells = build.build_notebook(path).cells
    assert cells[0].metadata == {"tags": [instructor_only.TAG]} and cells[1].metadata == {}
    graded = _write(tmp_path, '# %% nbgrader="solution" grade_id="a" instructor="only"\nx = 1\n')
    with pytest.raises(build.NotebookSourceError, match="cannot be instructor-only"):
        build.build_notebook(graded)
    other = _write(tmp_path, '# %% [markdown] instructor="yes"\n# text\n')
    with pytest.raises(build.NotebookSourceError, match="instructor="):
        build.build_notebook(other)


def test_release_answer_cells_are_stubs():
    """Does every answer cell of the release end in the stub a student replaces?"""
    for path in COMMITTED:
        for cell in _cells(path):
            if cell.metadata.get("nbgrader", {}).get("solution"):
                assert "raise NotImplementedError()" in cell.source, f"{path}: {cell.metadata['nbgrader']['grade_id']}"


def test_images_are_embedded_so_a_release_notebook_stands_alone():
    """Are the diagrams attachments of the notebook rather than links to files a student lacks?"""
    for path in COMMITTED:
        for cell in _cells(path):
            if cell.cell_type == "markdown":
                for name in re.findall(r"\]\(attachment:([^)]+)\)", cell.source):
                    assert name in cell.get("attachments", {}), f"{path}: {name} is not attached"
                assert "](../images/" not in cell.source


def _write(tmp_path, text):
    path = tmp_path / "broken.py"
    path.write_text(text)
    return path


def test_duplicate_grade_id_is_refused(tmp_path):
    """Does a grade_id used twice stop the build with the file and cell named?"""
    path = _write(tmp_path, '# %% nbgrader="solution" grade_id="a"\nx = 1\n\n# %% nbgrader="solution" grade_id="a"\ny = 2\n')
    with pytest.raises(build.NotebookSourceError, match=r"broken.py, cell 2"):
        build.build_notebook(path)


def test_tests_cell_without_points_is_refused(tmp_path):
    """Does a tests cell without points stop the build?"""
    path = _write(tmp_path, '# %% nbgrader="tests" grade_id="t"\n### BEGIN HIDDEN TESTS\n'
                            'checks.check_convolution(convolve2d)\n### END HIDDEN TESTS\n')
    with pytest.raises(build.NotebookSourceError, match="points"):
        build.build_notebook(path)


def test_missing_image_is_refused(tmp_path):
    """Does a markdown link to an image that was never drawn say to run `make figures`?"""
    path = _write(tmp_path, "# %% [markdown]\n# ![x](../images/nothing.png)\n")
    with pytest.raises(build.NotebookSourceError, match="make figures"):
        build.build_notebook(path, images_dir=tmp_path)


@pytest.mark.parametrize("hidden, message", [
    ("assert nnCostFunction(0) == 1", "may only call checks.check_"),
    ("checks.check_cost(nnCostFunction(1), regularised=False)", "may only call checks.check_"),
    ("checks.check_nothing(nnCostFunction)", "may only call checks.check_"),
    ("checks.check_cost(nnCostFunction, regularised=lambda_)", "malformed node"),
    ("from backprop_lab import checks", "no hidden checks"),
])
def test_hidden_tests_must_be_trusted_check_calls(tmp_path, hidden, message):
    """Does the build refuse hidden tests the grader could not run as its own checks (any code
    other than checks.check_*(student names, keyword=literal))?"""
    path = _write(tmp_path, f'# %% nbgrader="tests" grade_id="t" points=1\nassert True\n'
                            f'### BEGIN HIDDEN TESTS\n{hidden}\n### END HIDDEN TESTS\n')
    with pytest.raises(build.NotebookSourceError, match=message):
        build.build_notebook(path)


def test_a_tests_cell_must_have_hidden_checks(tmp_path):
    """Is a tests cell with only visible asserts refused (the grader would have nothing to judge by)?"""
    path = _write(tmp_path, '# %% nbgrader="tests" grade_id="t" points=1\nassert True\n')
    with pytest.raises(build.NotebookSourceError, match="no hidden checks"):
        build.build_notebook(path)
