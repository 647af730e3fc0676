"""Grading sandbox overhead per submission: nbgrader's stock autograde against the course's
trusted checks, without and with the bubblewrap sandbox.

Three variants grade copies of the instructor solution in one throw-away course directory
built from notebooks/, each with its own students (plain-00, nosandbox-00, sandbox-00, ...),
alternating submission by submission so that any drift of the machine hits all of them alike:

- plain nbgrader: nbgrader's default autograde preprocessors (stock ``Execute``, timeout
  120 s); the hidden tests run inside the submission's kernel, which is not isolated;
- trusted checks, no sandbox: the course's ``TrustedExecute`` (hidden checks run in the
  grader through kernel proxies), kernel without bubblewrap (``sandboxed=False``);
- trusted checks + sandbox: the course's default, ``TrustedExecute`` with the kernel under
  bubblewrap.

Then the kernel start-up alone (``kernel.GradingKernel``), sandboxed and not: where
bubblewrap itself costs.
"""
import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from _common import ROOT, cpu_seconds, markdown_table, others_share, time_once  # noqa: F401  (ROOT: project on sys.path)
from bench_autograde import _course

from backprop_lab import paths
from backprop_lab.sandbox import bubblewrap
from backprop_lab.pipeline import nbgrader_api, staging
from backprop_lab.results import gradebook
from backprop_lab.sandbox.kernel import GradingKernel

VARIANTS = {  # student-id prefix -> column title
    "plain": "plain nbgrader (s)",
    "nosandbox": "trusted checks, no sandbox (s)",
    "sandbox": "trusted checks + sandbox (s)",
}
EXECUTE_TIMEOUT = 120  # seconds per cell, as the course's TrustedExecute.timeout


def _plain_api(root):
    """NbGraderAPI on the course's nbgrader_config.py with nbgrader's stock autograde steps:
    ``Execute`` runs every cell, hidden tests included, in an ordinary kernel."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.converters.autograde import Autograde
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    # Called for what it does to os.environ, which every unsandboxed kernel inherits: the data
    # and images folders, one BLAS thread, PATH. The three variants' kernels then agree.
    nbgrader_api.nbgrader_api(root)
    root = Path(root).resolve()
    config = PyFileConfigLoader("nbgrader_config.py", path=str(paths.COURSE_DIR)).load_config()
    config.CourseDirectory.root = str(root)
    config.CourseDirectory.db_url = f"sqlite:///{root / 'gradebook.db'}"
    config.Autograde.autograde_preprocessors = Autograde.class_traits()["autograde_preprocessors"].default()
    config.Execute.timeout = EXECUTE_TIMEOUT
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def _graders(root):
    """{variant: function(student, assignment) that grades one submission}, API built once each.

    The trusted variants do what one iteration of ``autograde.autograde``'s loop does: stage the
    submission into .grading/submitted/, autograde the staged copy, remove it.
    """
    plain = _plain_api(root)

    def grade_plain(student, assignment):
        result = plain.autograde(assignment, student)
        assert result["success"], result.get("error")

    def trusted(sandboxed):
        api = nbgrader_api.nbgrader_api(root, staged=True, sandboxed=sandboxed)

        def grade(student, assignment):
            notes = staging.stage_submission(root, student, assignment)
            try:
                result = api.autograde(assignment, student)
            finally:
                shutil.rmtree(paths.Course(root).staging / student / assignment, ignore_errors=True)
            assert not notes, notes
            assert result["success"], result.get("error")
        return grade

    bubblewrap.check_available()  # once per autograde.autograde call, not per submission: not timed
    return {"plain": grade_plain, "nosandbox": trusted(False), "sandbox": trusted(True)}


def _assert_full_marks(root, graded):
    """Every (student, assignment) in ``graded`` has every part at its maximum in the gradebook."""
    table = gradebook.scores(root)
    for key in graded:
        parts = table.get(key)
        assert parts, f"{key}: no grades in the gradebook"
        lost = {part: score for part, score in parts.items() if score[0] != score[1]}
        assert not lost, f"{key}: not full marks, the benchmark would time a failure: {lost}"


def _time_kernel_starts(workdir, starts):
    """{sandboxed: ([start seconds], [shutdown seconds])} for GradingKernel, alternating."""
    workdir.mkdir(parents=True, exist_ok=True)
    times = {sandboxed: ([], []) for sandboxed in (False, True)}
    for round_ in range(starts + 1):  # round 0 warms up (imports, kernelspec, page cache)
        for sandboxed in (False, True):
            started = time.perf_counter()
            kernel = GradingKernel(workdir, sandboxed=sandboxed)
            ready = time.perf_counter()
            kernel.shutdown()
            stopped = time.perf_counter()
            if round_:
                times[sandboxed][0].append(ready - started)
                times[sandboxed][1].append(stopped - ready)
    return times


def run(submissions_per_notebook=4, kernel_starts=5):
    """Markdown: median seconds per submission per notebook and variant, then kernel start-up."""
    rounds = range(submissions_per_notebook)
    students = [f"{variant}-{i:02d}" for variant in VARIANTS for i in rounds]
    students += [f"{variant}-warmup" for variant in VARIANTS]
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        _course(root, students)
        graders = _graders(root)
        assignments = nbgrader_api.graded_assignments(root)
        graded = []
        # One untimed submission per variant of the last (and shortest) notebook: first-call imports.
        warmup = assignments[-1]
        for variant, grade in graders.items():
            grade(f"{variant}-warmup", warmup)
            graded.append((f"{variant}-warmup", warmup))
        times = {}
        for assignment in assignments:
            times[assignment] = {variant: [] for variant in VARIANTS}
            for i in rounds:
                for variant, grade in graders.items():
                    student = f"{variant}-{i:02d}"
                    started = time.perf_counter()
                    grade(student, assignment)
                    times[assignment][variant].append(time.perf_counter() - started)
                    graded.append((student, assignment))
        _assert_full_marks(root, graded)
        check = statistics.median(time_once(bubblewrap.check_available) for _ in range(kernel_starts))
        kernels = _time_kernel_starts(root / "kernel-startup", kernel_starts)

    rows = []
    for assignment, by_variant in times.items():
        median = {variant: statistics.median(values) for variant, values in by_variant.items()}
        rows.append([assignment, *(f"{median[v]:.2f}" for v in VARIANTS),
                     f"{median['sandbox'] / median['nosandbox']:.2f}", f"{median['sandbox'] / median['plain']:.2f}"])
    table = markdown_table(["notebook", *VARIANTS.values(), "sandbox ÷ no sandbox", "sandbox ÷ plain"], rows)
    note = (f"Median of {submissions_per_notebook} submissions of the instructor solution per notebook and "
            "variant, all graded with full marks. Each time is one submission's autograde, from starting its "
            "kernel to the grades in the gradebook (every cell run, the hidden checks, the autograded notebook "
            "written); for the trusted variants it also includes staging the submission "
            "(`staging.stage_submission`) and removing the staged copy, as `autograde.autograde` does per "
            "submission. Building the nbgrader API and `bubblewrap.check_available()` happen once per grading run "
            "and are not included.")
    start_rows = []
    for sandboxed, label in ((False, "without sandbox"), (True, "bubblewrap sandbox")):
        start, stop = (statistics.median(values) for values in kernels[sandboxed])
        start_rows.append([label, f"{start:.2f}", f"{stop:.2f}", f"{start + stop:.2f}"])
    plain_start = statistics.median(kernels[False][0])
    sandboxed_start = statistics.median(kernels[True][0])
    start_rows.append(["sandbox − without", f"{sandboxed_start - plain_start:+.2f}",
                       f"{statistics.median(kernels[True][1]) - statistics.median(kernels[False][1]):+.2f}",
                       f"{sum(map(statistics.median, kernels[True])) - sum(map(statistics.median, kernels[False])):+.2f}"])
    start_table = markdown_table(["kernel (`GradingKernel`)", "start, until ready (s)", "shutdown (s)", "total (s)"],
                                 start_rows)
    start_note = (f"Median of {kernel_starts} starts each, alternating, after one warm-up each. "
                  f"`bubblewrap.check_available()` (one trial `bwrap` run, once per grading run): "
                  f"{check * 1000:.0f} ms.")
    return "\n\n".join([table, note, start_table, start_note])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=4, help="submissions per notebook and variant")
    parser.add_argument("--kernel-starts", type=int, default=5, help="timed kernel starts per variant")
    args = parser.parse_args(argv)
    os.environ.setdefault("BACKPROP_LAB_DATA_DIR", str(paths.DATA))
    before, started = cpu_seconds(), time.monotonic()
    print(run(args.submissions, args.kernel_starts))
    wall = time.monotonic() - started
    # The sandboxed kernels count as "other processes": bubblewrap's pid namespace is killed, not
    # reaped, at shutdown, so their CPU time never reaches this process's children.
    print(f"\n(run took {wall:.0f} s; other processes, sandboxed kernels included, kept "
          f"{others_share(before, cpu_seconds(), wall):.0%} of the cores busy meanwhile)")


if __name__ == "__main__":
    main()
