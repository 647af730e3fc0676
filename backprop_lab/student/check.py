"""Check my notebook: run it top to bottom in a fresh kernel, as the grader does, and list what
every visible test says.

    python -m backprop_lab.student.check 01_backprop/01_backprop.ipynb [...]

Only the visible tests run here. The hidden tests run when you submit, on other inputs, so a
notebook that passes here can still lose points there; one that fails here will.
"""
import argparse
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
from jupyter_client import KernelManager
from nbclient import NotebookClient

CELL_SECONDS = 600  # the training cell takes seconds; a cell stuck for ten minutes is a bug


@dataclass
class TestResult:
    """What one graded test cell said."""
    grade_id: str
    points: float
    error: str = ""  # the test's error, "" when it passed

    @property
    def passed(self):
        return not self.error


def _grading(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def _error(cell):
    """'Name: message' of the cell's first error output, or ''."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            message = str(output.get("evalue", "")).strip().splitlines()
            return f"{output.get('ename', 'Error')}: {message[0] if message else ''}".rstrip(": ")
    return ""


def check_notebook(path, on_test=None, timeout=CELL_SECONDS):
    """Run the notebook at path in a fresh kernel, in its own folder, without changing the file.

    on_test(TestResult) is called as each test cell finishes. -> (tests, problems): the results
    of the graded test cells in order, and the errors of the other cells ('cell N: error').
    """
    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    tests, problems = [], []

    def executed(cell, cell_index, **_):
        grading = _grading(cell)
        if grading.get("grade") and not grading.get("solution"):
            result = TestResult(grading.get("grade_id", f"cell {cell_index + 1}"), grading.get("points", 0),
                                _error(cell))
            tests.append(result)
            if on_test:
                on_test(result)
        elif _error(cell):
            problems.append(f"cell {cell_index + 1}"
                            + (f" ({grading['grade_id']})" if grading.get("grade_id") else "") + f": {_error(cell)}")

    with tempfile.TemporaryDirectory(prefix="backprop-lab-check-") as sockets:
        # Unix sockets in a private folder: no TCP port that another user of the machine could reach.
        kernel = KernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(sockets, "kernel"),
                               connection_file=os.path.join(sockets, "kernel.json"))
        try:
            NotebookClient(notebook, km=kernel, timeout=timeout, allow_errors=True, on_cell_executed=executed,
                           resources={"metadata": {"path": str(path.parent.resolve())}}).execute()
        finally:
            if kernel.has_kernel:
                kernel.shutdown_kernel(now=True)
    return tests, problems


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m backprop_lab.student.check", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="+", type=Path, help="the notebooks to check (.ipynb)")
    args = parser.parse_args(argv)
    all_passed = True
    for path in args.notebooks:
        if not path.exists():
            print(f"{path}: no such notebook", file=sys.stderr)
            all_passed = False
            continue
        print(f"{path}: running every cell in a fresh kernel (the first notebook takes about a minute)...",
              flush=True)
        started = time.perf_counter()

        def show(result):
            mark = "passed" if result.passed else f"FAILED  {result.error}"
            print(f"  {result.grade_id:<24} {result.points:>4g} pt  {mark}", flush=True)

        tests, problems = check_notebook(path, on_test=show)
        failed = [test for test in tests if not test.passed]
        all_passed = all_passed and not failed
        print(f"{path}: {len(tests) - len(failed)} of {len(tests)} visible tests passed "
              f"({time.perf_counter() - started:.0f} s).")
        if problems:
            print("Other cells that raised an error (a test after them may fail because of them):")
            for problem in problems:
                print(f"  {problem}")
        if failed:
            print("Next: read the failing test's message, fix the answer cell above it, and check again. "
                  "NotImplementedError means an answer cell is not written yet.")
    return 0 if all_passed else 1


if __name__ == "__main__":
    sys.exit(main())
