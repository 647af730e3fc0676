"""Diagnosis at the speed of grading: a wrong submission of 01_backprop against a correct one,
and where the time goes (the notebook's training cell, the training check, its re-run).

One throw-away course built from notebooks/. Each round grades one submission of every kind in
turn (round-robin, so that drift hits every kind alike), one `autograde.autograde` call per
submission with one worker, as `make autograde` grades: staging, the sandboxed kernel, every
cell, the checks in the grader. Timers wrap the kernel's `run_cell` (the cell that calls
`fmin_cg` into `trainedNeuralNetwork` is the training cell), `checks.check_training` (for a
wrong cost or gradient it includes `GradingKernel.rerun`, timed on its own too) and the whole
`autograde.autograde` call. Every submission must get the score its sample says, so the
benchmark cannot time a failure.
"""
import argparse
import collections
import dataclasses
import functools
import os
import statistics
import time

from _common import ROOT, cpu_seconds, markdown_table, others_share  # noqa: F401  (ROOT: project on sys.path)

from backprop_lab.judging import checks
from backprop_lab.sandbox import kernel
from backprop_lab.pipeline import autograde
from backprop_lab.results import gradebook
from backprop_lab.results.verdict_record import scratch_course

ASSIGNMENT = "01_backprop"
KINDS = {  # sample -> what it stands for
    "instructor-solution": "correct (the instructor's solution)",
    "wrong-cost-forgot-one-over-m": "wrong cost (training re-run)",
    "wrong-gradient-wrong-sign": "wrong gradient (training re-run)",
    "wrong-gradient-regularised-biases": "wrong regularised gradient (trains anyway)",
    "wrong-training-lambda-zero": "wrong training call",
}


class Timers:
    """Seconds per label, for the submission being graded."""

    def __init__(self):
        self.seconds = collections.defaultdict(float)

    def wrap(self, owner, name, label_of):
        original = getattr(owner, name)

        @functools.wraps(original)  # keeps the signature: the grader reads it (rerun=)
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                label = label_of(*args, **kwargs)
                if label:
                    self.seconds[label] += time.perf_counter() - started
        setattr(owner, name, timed)


def _cell_label(_kernel, source, *args, **kwargs):
    return "training cell" if "trainedNeuralNetwork = fmin_cg(" in source.replace("\n", " ") else None


def run(rounds=3):
    from backprop_lab.authoring import submissions

    os.environ.pop("BACKPROP_LAB_DB_URL", None)
    samples = {sample.name: sample for sample in submissions.all_samples()}
    timers = Timers()
    timers.wrap(kernel.GradingKernel, "run_cell", _cell_label)
    timers.wrap(kernel.GradingKernel, "rerun", lambda *a, **k: "re-run")
    timers.wrap(checks, "check_training", lambda *a, **k: "training check")
    seconds = collections.defaultdict(lambda: collections.defaultdict(list))
    students = {f"r{round_}-{name}": samples[name] for round_ in range(-1, rounds) for name in KINDS}
    with scratch_course([dataclasses.replace(sample, name=student) for student, sample in students.items()],
                        assignments=[ASSIGNMENT]) as course:
        root, db_url = course.root, course.db_url
        for student in (s for s in students if s.startswith("r-1-")):  # warm-up round, untimed
            autograde.autograde(root, students={student}, assignments_=[ASSIGNMENT], progress=False, db_url=db_url)
        before, started = cpu_seconds(), time.perf_counter()
        for round_ in range(rounds):
            for name in KINDS:
                timers.seconds.clear()
                began = time.perf_counter()
                failures, _ = autograde.autograde(root, students={f"r{round_}-{name}"}, assignments_=[ASSIGNMENT],
                                                  progress=False, db_url=db_url)
                assert not failures, failures
                seconds[name]["submission"].append(time.perf_counter() - began)
                for label in ("training cell", "training check", "re-run"):
                    seconds[name][label].append(timers.seconds.get(label, 0.0))
        wall = time.perf_counter() - started
        share = others_share(before, cpu_seconds(), wall)
        scores = gradebook.scores(root, db_url=db_url)
    for student, sample in students.items():
        lost = {part for part, (score, maximum) in scores[(student, ASSIGNMENT)].items() if score < maximum}
        assert lost == sample.loses, f"{student} lost {sorted(lost)}, expected {sorted(sample.loses)}"

    median = {name: {label: statistics.median(values) for label, values in by_label.items()}
              for name, by_label in seconds.items()}
    baseline = median["instructor-solution"]
    rows = [[f"`{name}`", title, f"{m['submission']:.2f}", f"{m['submission'] / baseline['submission']:.2f}",
             f"{m['training cell']:.2f}", f"{m['training check']:.2f}", f"{m['re-run']:.2f}",
             f"{m['training check'] / baseline['training cell']:.2f}"]
            for (name, title), m in ((item, median[item[0]]) for item in KINDS.items())]
    table = markdown_table(["sample", "kind", "median s per submission", "× solution", "its training cell (s)",
                            "training check (s)", "of which re-run (s)", "check ÷ solution's training cell"], rows)
    return (table + f"\n\nMedians of {rounds} rounds after an untimed warm-up round. A wrong cost or gradient "
            "makes the student's own training stop early (its training cell is short), and the check then runs "
            "the training cell again with the trusted functions (the re-run): the last column compares the "
            "check with the training cell of a working notebook. Other processes kept "
            f"{share:.0%} of the cores busy (sandboxed kernels included: their CPU time is not this process's).")


def run_class(students_=200, workers=2):
    """Markdown: a class of ``students_``, both graded notebooks each, graded with ``workers``
    processes; the students cycle through every sample (the solution, the correct ones, each
    mistake, the blank release), so mistakes are mixed in as in samples/."""
    import itertools

    from backprop_lab.authoring import submissions

    os.environ.pop("BACKPROP_LAB_DB_URL", None)
    samples = submissions.all_samples()
    members = {f"s{i:03d}-{sample.name}": sample for i, sample in zip(range(students_), itertools.cycle(samples))}
    with scratch_course([dataclasses.replace(sample, name=student) for student, sample in members.items()]) as course:
        root, db_url, assignments = course.root, course.db_url, course.assignments
        before, started = cpu_seconds(), time.perf_counter()
        failures, _ = autograde.autograde(root, assignments_=assignments, progress=True, workers=workers,
                                          db_url=db_url)
        wall = time.perf_counter() - started
        share = others_share(before, cpu_seconds(), wall)
        assert not failures, failures
        scores = gradebook.scores(root, db_url=db_url)
    wrong = []
    for student, sample in members.items():
        parts = {part: score for assignment in assignments for part, score in scores[(student, assignment)].items()}
        lost = {part for part, (score, maximum) in parts.items() if score < maximum}
        expected = set(parts) if sample.blank else sample.loses
        if lost != expected:
            wrong.append(f"{student}: lost {sorted(lost)}, expected {sorted(expected)}")
    assert not wrong, "\n".join(wrong)
    rows = [[f"{students_} students × {len(assignments)} notebooks", str(workers), f"{wall / 60:.1f}",
             f"{wall / students_:.2f}", f"{wall / students_ * 200 / 60:.1f}"]]
    return (markdown_table(["class", "workers", "wall (min)", "s per student", "200 students at this rate (min)"],
                           rows)
            + f"\n\nThe students cycle through the {len(samples)} samples; every one got the score its sample says. "
            f"Other processes kept {share:.0%} of the cores busy (the sandboxed kernels included).")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="submissions of each kind")
    parser.add_argument("--class-size", type=int, default=0, metavar="N",
                        help="also grade a mixed class of N students, both notebooks, two workers")
    args = parser.parse_args(argv)
    print(run(args.rounds))
    if args.class_size:
        print("\n" + run_class(args.class_size))


if __name__ == "__main__":
    main()
