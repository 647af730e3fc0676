"""Time to grade a class: N mixed submissions of 02_convolution, plain nbgrader command by command
against the course's `autograde.autograde` with one and with two worker processes.

One throw-away course directory built from notebooks/; the class cycles through the instructor
solution, the correct samples (samples/correct-*), the convolution mistakes
(samples/wrong-convolution-*) and the blank release. Three variants, each grading its own copy of
the class (students seq-NN-..., w1-NN-..., w2-NN-...), one after the other:

- plain sequential nbgrader: one ``nbgrader autograde 02_convolution --student S`` command per
  submission, with nbgrader's stock autograde preprocessors (the hidden tests run inside the
  submission's kernel, which is not isolated), from a stock nbgrader_config.py written into the
  throw-away course: what an instructor does without this project;
- ``autograde.autograde(..., workers=1)``: the course's loop in this process (staging, bubblewrap
  sandbox, trusted checks in the grader);
- ``autograde.autograde(..., workers=2)``: the same in two spawned worker processes.

Every submission must get its expected score (full marks for the solution and the correct
samples, 0 for the mistakes and the blank release), so the benchmark cannot time a failure.
"""
import argparse
import dataclasses
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, cpu_seconds, markdown_table, others_share  # noqa: F401  (ROOT: project on sys.path)

from backprop_lab import paths
from backprop_lab.pipeline import autograde, nbgrader_api
from backprop_lab.results import gradebook

# backprop_lab.authoring.build and .submissions (jupytext, ~1 s) are imported where they are used: the
# spawned workers of `workers=2` import this script as their __main__, and should start as fast as
# they do under the `backprop-lab` command.

ASSIGNMENT = "02_convolution"
PART = "convolution"         # its one graded part
EXECUTE_TIMEOUT = 120        # seconds per cell, as the course's TrustedExecute.timeout
VARIANTS = {                 # student-id prefix -> row title
    "seq": "plain sequential nbgrader (one `nbgrader autograde` per submission)",
    "w1": "`autograde.autograde`, `workers=1`",
    "w2": "`autograde.autograde`, `workers=2`",
}

# nbgrader's defaults for everything autograde does (stock Execute, the hidden tests in the
# submission's kernel); the course's settings that do not concern the grading, as in its own
# nbgrader_config.py.
STOCK_CONFIG = '''\
"""Stock nbgrader configuration of a throw-away course (bench/bench_class.py): no TrustedExecute."""
c = get_config()  # noqa: F821 (provided by nbgrader)

c.CourseDirectory.root = {root!r}
c.CourseDirectory.db_url = {db_url!r}
c.CourseDirectory.course_id = "backprop-lab"
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]
c.ClearSolutions.code_stub = {{"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
c.LimitOutput.max_lines = 200
c.LimitOutput.max_traceback = 40
c.Execute.timeout = {timeout}
'''


def class_samples():
    """The samples a class of 02_convolution is made of, in the order they are cycled through:
    right and wrong answers alternate, so that even a small class is mixed."""
    from backprop_lab.authoring import submissions

    samples = submissions.all_samples()
    right = [s for s in samples if s.name == submissions.SOLUTION or s.name.startswith("correct-")]
    zero = [s for s in samples if s.name.startswith("wrong-convolution-") or s.blank]
    return [s for pair in itertools.zip_longest(right, zero) for s in pair if s is not None]


def expected_full_marks(sample):
    """Whether ``sample`` should get every point of 02_convolution (else it should get none)."""
    return not sample.blank and PART not in sample.loses


def _class(size):
    """[(student-id suffix, sample)]: ``size`` submissions cycling through ``class_samples()``."""
    return [(f"{i:02d}-{sample.name}", sample)
            for i, sample in zip(range(size), itertools.cycle(class_samples()))]


def _course(root, students, db_url):
    """Build, release and fill the throw-away course: {student: sample}, every variant's class."""
    from backprop_lab.authoring import build, submissions

    build.build_source(source_dir=root / "source")
    nbgrader_api.release(root)
    submissions.write_submissions([dataclasses.replace(sample, name=student) for student, sample in students.items()],
                                  root, assignments=[ASSIGNMENT])
    (root / "nbgrader_config.py").write_text(
        STOCK_CONFIG.format(root=str(root), db_url=db_url, timeout=EXECUTE_TIMEOUT), encoding="utf-8")


def _command_env():
    """The environment of the `nbgrader` commands, hence of their (unsandboxed) kernels: the
    course's data and images, one BLAS thread (as nbgrader_api.nbgrader_api sets for the course's
    kernels), the venv's bin/ on PATH."""
    env = dict(os.environ)
    env["BACKPROP_LAB_DATA_DIR"] = str(paths.DATA)
    env["BACKPROP_LAB_IMAGES_DIR"] = str(paths.IMAGES)
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[variable] = "1"
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    return env


def _grade_by_command(root, student, env):
    """One `nbgrader autograde` command for one submission, run in the course root. -> seconds"""
    nbgrader = Path(sys.executable).with_name("nbgrader")
    started = time.perf_counter()
    done = subprocess.run([str(nbgrader), "autograde", ASSIGNMENT, "--student", student],
                          cwd=root, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode:
        raise RuntimeError(f"nbgrader autograde {ASSIGNMENT} --student {student} failed:\n{done.stderr[-3000:]}")
    return seconds


def _check_scores(root, db_url, students):
    """Every student of ``students`` ({student: sample}) has the score its sample should get."""
    table = gradebook.scores(root, db_url=db_url)
    wrong = []
    for student, sample in students.items():
        parts = table.get((student, ASSIGNMENT))
        if not parts or PART not in parts:
            wrong.append(f"{student}: no grade for {PART!r} in the gradebook")
            continue
        score, maximum = parts[PART]
        expected = maximum if expected_full_marks(sample) else 0.0
        if score != expected:
            wrong.append(f"{student}: {score:g}/{maximum:g}, expected {expected:g}")
    assert not wrong, "unexpected scores, the benchmark would time a failure:\n" + "\n".join(wrong)


def run(submissions_=50):
    """Markdown: wall time to grade a class of ``submissions_`` per variant, and per submission."""
    from backprop_lab.authoring import submissions

    # The throw-away course keeps its own gradebook, whatever $BACKPROP_LAB_DB_URL says.
    os.environ.pop("BACKPROP_LAB_DB_URL", None)
    members = _class(submissions_)
    classes = {variant: {f"{variant}-{suffix}": sample for suffix, sample in members} for variant in VARIANTS}
    warmup = {"warmup-solution": submissions.Sample(submissions.SOLUTION)}
    wall, per_submission, share = {}, {}, {}
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder).resolve()
        db_url = f"sqlite:///{root / 'gradebook.db'}?timeout=60"
        _course(root, {**warmup, **{s: sample for students in classes.values() for s, sample in students.items()}},
                db_url)
        env = _command_env()
        # One untimed command first: page cache for Python, nbgrader, the kernel and the images.
        for student in warmup:
            _grade_by_command(root, student, env)

        before, started = cpu_seconds(), time.perf_counter()
        per_submission["seq"] = [_grade_by_command(root, student, env) for student in classes["seq"]]
        wall["seq"] = time.perf_counter() - started
        share["seq"] = others_share(before, cpu_seconds(), wall["seq"])

        for variant, workers in (("w1", 1), ("w2", 2)):
            before, started = cpu_seconds(), time.perf_counter()
            failures, _notes = autograde.autograde(root, students=set(classes[variant]), assignments_=[ASSIGNMENT],
                                                   progress=False, workers=workers, db_url=db_url)
            wall[variant] = time.perf_counter() - started
            share[variant] = others_share(before, cpu_seconds(), wall[variant])
            assert not failures, f"{variant}: could not grade {failures}"
            log, _ = autograde.read_grading_log(root)
            per_submission[variant] = [log[(student, ASSIGNMENT)]["seconds"] for student in classes[variant]]

        for students in (warmup, *classes.values()):
            _check_scores(root, db_url, students)

    rows = []
    for variant, title in VARIANTS.items():
        rows.append([title, f"{wall[variant]:.1f}", f"{wall[variant] / submissions_:.2f}",
                     f"{statistics.median(per_submission[variant]):.2f}", f"{wall[variant] / wall['seq']:.2f}"])
    table = markdown_table(["variant", f"wall time for {submissions_} (s)", "per submission, wall ÷ N (s)",
                            "median per submission (s)", "× plain sequential"], rows)
    counts = {"full marks": sum(expected_full_marks(s) for _, s in members)}
    counts["0"] = submissions_ - counts["full marks"]
    note = (f"{submissions_} submissions of `{ASSIGNMENT}` per variant, cycling through "
            f"{', '.join(s.name for s in class_samples())}; {counts['full marks']} got full marks and "
            f"{counts['0']} got 0, as expected, in every variant. Wall time is the whole class, one variant "
            "after the other in the order of the table (after one untimed warm-up command): for plain "
            "nbgrader every command (Python start-up, nbgrader's app and gradebook, the kernel, every cell "
            "with the hidden tests, the autograded notebook written); for `autograde.autograde` the whole call "
            "(`sandbox.check_available()`, building the nbgrader API, with `workers=2` starting the two "
            "worker processes, then staging, sandboxed kernel, trusted checks and gradebook per submission). "
            "Median per submission: each command's wall time for plain nbgrader, the `seconds` of "
            "`grading-log.jsonl` (staging to gradebook, API start-up not included) for `autograde.autograde`; "
            "with two workers two submissions run at once, so each takes longer than wall ÷ N.")
    others = (f"Other processes kept {' / '.join(f'{share[v]:.0%}' for v in VARIANTS)} of the cores busy "
              "during each variant (table order); for `autograde.autograde` that includes its own sandboxed "
              "kernels, whose CPU time is not counted as this process's (bubblewrap's pid namespace is killed, "
              "not reaped); the plain commands' kernels are counted as this process's.")
    return table + "\n\n" + note + "\n\n" + others


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=50, help="submissions in the class (per variant)")
    args = parser.parse_args(argv)
    before, started = cpu_seconds(), time.monotonic()
    print(run(args.submissions))
    wall = time.monotonic() - started
    # Sandboxed kernels count as "other processes": bubblewrap's pid namespace is killed, not
    # reaped, at shutdown, so their CPU time never reaches this process's children.
    print(f"\n(run took {wall:.0f} s; other processes, sandboxed kernels included, kept "
          f"{others_share(before, cpu_seconds(), wall):.0%} of the cores busy meanwhile)")


if __name__ == "__main__":
    main()
