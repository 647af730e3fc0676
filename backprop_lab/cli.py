"""Command line of the instructor loop: `python -m backprop_lab STEP` (the Makefile calls these).

Steps, in pipeline order: data, figures, source, release, collect (or submissions), autograde,
feedback, grades, report; `demo` runs them all on the sample submissions.
"""
import argparse
import os
import shutil
import sys
import time
from pathlib import Path

from backprop_lab import paths

# The sample submissions the demo grades: full marks, zero, and three realistic mistakes.
DEMO_STUDENTS = ["instructor-solution", "blank-release",
                 "wrong-gradient-forgot-one-over-m", "wrong-cost-regularised-biases", "wrong-convolution-flipped-kernel"]


def step_data(args):
    from backprop_lab import data
    print(f"data: {data.build_dataset(paths.DATA, idx_dir=args.idx_dir)}")
    trained = paths.DATA / paths.TRAINED_FILE
    if args.force or not trained.exists():
        print(f"data: {data.build_trained_thetas(paths.DATA, iterations=args.iterations)}")
    else:
        print(f"data: {trained} is up to date (use --force to retrain)")


def step_figures(args):
    from backprop_lab import figures
    for path in figures.build_all(paths.IMAGES):
        print(f"figures: {path}")


def step_source(args):
    from backprop_lab import build
    for path in build.build_source():
        print(f"source: {path}")


def step_release(args):
    from backprop_lab import grading
    grading.release(paths.COURSE_DIR)
    for path in sorted(paths.RELEASE.glob("*/*.ipynb")):
        print(f"release: {path}")


def step_submissions(args):
    from backprop_lab import submissions
    samples = submissions.all_samples()
    if not args.all:
        samples = [s for s in samples if s.name in DEMO_STUDENTS]
    if paths.SUBMITTED.exists():
        shutil.rmtree(paths.SUBMITTED)
    written = submissions.write_submissions(samples)
    print(f"submissions: {len(written)} notebooks from {len(samples)} sample students in {paths.SUBMITTED}")


def step_autograde(args):
    from backprop_lab import grading, sandbox
    if args.unsafe_no_sandbox:
        print("autograde: WARNING: --unsafe-no-sandbox: student code runs with your permissions, unisolated.",
              file=sys.stderr)
    try:
        failures, _ = grading.autograde(paths.COURSE_DIR, sandboxed=not args.unsafe_no_sandbox,
                                        workers=args.workers, scheduler=args.scheduler)
    except sandbox.SandboxUnavailable as error:
        print(f"autograde: refused: {error}", file=sys.stderr)
        return True
    for failure in failures:
        print(f"autograde FAILED for {failure.student}/{failure.assignment}:\n{failure.reason}", file=sys.stderr)
    records, _ = grading.read_grading_log(paths.COURSE_DIR) or ({}, 0)
    print(f"autograde: {len(records)} submissions in the grading log, {len(failures)} failed in this run; "
          "next: feedback, grades, report")
    return bool(failures)


def step_collect(args):
    from backprop_lab import collect
    try:
        report = collect.import_submissions(args.source, paths.COURSE_DIR, assignment=args.assignment,
                                            overwrite=args.overwrite)
    except ValueError as error:
        print(f"collect: refused: {error}", file=sys.stderr)
        return True
    print(collect.format_report(report))


def step_report(args):
    from backprop_lab import report
    index = report.write_report(paths.COURSE_DIR, paths.COURSE_DIR / "reports")
    print(f"report: {index} (open it in a browser)")


def step_feedback(args):
    from backprop_lab import grading
    failures = grading.generate_feedback(paths.COURSE_DIR)
    for failure in failures:
        print(f"feedback FAILED for {failure.student}/{failure.assignment}:\n{failure.reason}", file=sys.stderr)
    print(f"feedback: HTML for every graded student in {paths.FEEDBACK}")
    return bool(failures)


def step_grades(args):
    from backprop_lab import grading
    table = grading.scores(paths.COURSE_DIR)
    print(grading.format_table(table))
    print("\n" + grading.format_mistakes(grading.diagnoses(paths.COURSE_DIR)))
    path = grading.write_grades_csv(paths.COURSE_DIR / "grades.csv", table)
    print(f"\ngrades: {path}")
    lms = grading.write_lms_csv(paths.COURSE_DIR / "grades-lms.csv", table)
    print(f"grades: {lms} (one row per student, for the LMS; columns in the README)")
    export = grading.export_nbgrader(paths.COURSE_DIR, paths.COURSE_DIR / "grades-nbgrader.csv")
    print(f"grades: {export} (nbgrader's own export)")


def step_demo(args):
    """The whole loop on the bundled data and the sample submissions."""
    args.all = False
    failed = False
    for name, step in [("data", step_data), ("figures", step_figures), ("source", step_source),
                       ("release", step_release), ("submissions", step_submissions),
                       ("autograde", step_autograde), ("feedback", step_feedback), ("grades", step_grades),
                       ("report", step_report)]:
        started = time.perf_counter()
        print(f"\n== {name} ==")
        failed = step(args) or failed  # a submission that fails to grade does not stop the others
        print(f"({name}: {time.perf_counter() - started:.1f} s)")
    print("\nNext: open reports/index.html for the class report, feedback/*/*/*.html for what a student gets "
          "back, and grades.csv for the gradebook.")
    return failed


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m backprop_lab", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    data_options = argparse.ArgumentParser(add_help=False)
    data_options.add_argument("--idx-dir", type=Path, help="read the full MNIST IDX files from this folder instead")
    data_options.add_argument("--iterations", type=int, default=500,
                              help="training iterations of the trained-parameters file")
    data_options.add_argument("--force", action="store_true", help="retrain the trained-parameters file")
    commands.add_parser("data", parents=[data_options], help="build data/*.npz (digits, trained parameters)")
    commands.add_parser("figures", help="draw images/*")
    commands.add_parser("source", help="build source/ from notebooks/")
    commands.add_parser("release", help="nbgrader generate_assignment: source/ -> release/")
    collect_command = commands.add_parser(
        "collect", help="import submissions into submitted/: a folder, or a Canvas or Moodle download (.zip)")
    collect_command.add_argument("source", type=Path,
                                 help="a folder of notebooks or an LMS bulk-download .zip (docs/lms-import.md)")
    collect_command.add_argument("--assignment", help="the assignment of notebooks not named like a released notebook")
    collect_command.add_argument("--overwrite", action="store_true", help="replace submissions already there that differ")
    submissions = commands.add_parser("submissions", help="write the sample submissions into submitted/")
    submissions.add_argument("--all", action="store_true", help="every sample in samples/, not only the demo's")
    grading_options = argparse.ArgumentParser(add_help=False)
    grading_options.add_argument("--unsafe-no-sandbox", action="store_true",
                                 help="grade without the bubblewrap sandbox (only for code you trust)")
    grading_options.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                                 help="grading processes (default: the machine's cores)")
    grading_options.add_argument("--scheduler", metavar="ADDRESS",
                                 help="grade on a Dask cluster, e.g. tcp://host:8786 (README: Grading at scale)")
    commands.add_parser("autograde", parents=[grading_options],
                        help="autograde every submission, each in its own sandboxed kernel")
    commands.add_parser("feedback", help="nbgrader generate_feedback for every student")
    commands.add_parser("grades", help="print the grade table and the most common mistakes; write the grade CSVs")
    commands.add_parser("report", help="write the class report reports/index.html")
    commands.add_parser("demo", parents=[data_options, grading_options],
                        help="the whole loop on the sample submissions")
    args = parser.parse_args(argv)
    steps = {"data": step_data, "figures": step_figures, "source": step_source, "release": step_release,
             "submissions": step_submissions, "autograde": step_autograde, "feedback": step_feedback,
             "grades": step_grades, "report": step_report, "collect": step_collect, "demo": step_demo}
    if steps[args.command](args):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
