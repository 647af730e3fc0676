"""Command line of the instructor loop: `python -m backprop_lab STEP` (the Makefile calls these).

Steps, in pipeline order: data, figures, source, release, collect (or submissions), autograde,
feedback, grades, report; `demo` runs them all on the sample submissions, in demo/.
"""
import argparse
import os
import subprocess
import sys
from pathlib import Path

from backprop_lab import paths

from backprop_lab.demo import (DEMO_DIR, DEMO_PREREQUISITES, DEMO_STEPS, DEMO_STUDENTS, demo_folder_problem,
                               fresh_demo_course, timed)


def step_data(args):
    from backprop_lab.reference import data
    print(f"data: {data.build_dataset(paths.DATA, idx_dir=args.idx_dir)}")
    trained = paths.DATA / paths.TRAINED_FILE
    if args.force or not trained.exists():
        print(f"data: {data.build_trained_thetas(paths.DATA, iterations=args.iterations)}")
    else:
        print(f"data: {trained} is up to date (use --force to retrain)")


def step_figures(args):
    from backprop_lab.authoring import figures
    for path in figures.build_all(paths.IMAGES):
        print(f"figures: {path}")


def step_source(args):
    from backprop_lab.authoring import build
    for path in build.build_source():
        print(f"source: {path}")


def step_release(args):
    from backprop_lab.pipeline import nbgrader_api
    nbgrader_api.release(paths.COURSE_DIR)
    for path in sorted(paths.RELEASE.glob("*/*.ipynb")):
        print(f"release: {path}")


def step_student_kit(args):
    from backprop_lab.authoring import kit
    folder, archive = kit.build_kit()
    print(f"student-kit: {folder} ({kit.kit_size(folder) / 1e6:.1f} MB), {archive} "
          f"({archive.stat().st_size / 1e6:.1f} MB); hand either to students")


def step_visible(args):
    from backprop_lab.authoring import visible
    table = visible.table(visible.see_all(workers=args.workers))
    print(table)
    print(f"visible: {visible.write_readme(table)} (the table of what students see before submitting)")


def step_mutants(args):
    from backprop_lab.authoring.mutants import readme
    from backprop_lab.authoring.mutants.run import run
    report = run(workers=args.workers)
    table = readme.table(report)
    print(table)
    misses = readme.survivors(report) + readme.false_names(report)
    for verdict in misses:
        print(f"mutants: {verdict.mutant.cell} ({verdict.mutant.seed}) {verdict.mutant.where}: "
              + (f"named wrongly {', '.join(verdict.wrongly_named)}" if verdict.wrongly_named else "lost no point"))
    broken = [name for name, failures in report.rewrites if any(failures.values())]
    for name in broken:
        print(f"mutants: the correct rewrite {name} lost points")
    print(f"mutants: {readme.write_readme(table)} (do the checks catch every wrong answer?)")
    return bool(misses or broken)


def step_verdicts(args):
    from backprop_lab.results import verdict_record
    before = verdict_record.read()
    record = verdict_record.grade_every_sample(workers=args.workers)
    changed = sorted(name for name in set(before) | set(record) if before.get(name) != record.get(name))
    for name in changed:
        lines = verdict_record.differences(before.get(name, {}), record.get(name, {}))
        print(f"verdicts: {name}:" + "".join(f"\n  {line}" for line in lines))
    print(f"verdicts: {verdict_record.write(record)} ({len(record)} samples, {len(changed)} changed; "
          "read the diff before committing it)")


def step_submissions(args):
    from backprop_lab.authoring import submissions
    samples = submissions.all_samples()
    if not args.all:
        samples = [s for s in samples if s.name in DEMO_STUDENTS]
    try:  # replaces only the samples' own folders: never a collected submission
        written = submissions.replace_sample_students(samples, paths.COURSE_DIR)
    except ValueError as error:
        print(f"submissions: refused: {error}", file=sys.stderr)
        return True
    names = {sample.name for sample in samples}
    others = [path for path in paths.SUBMITTED.iterdir() if path.name not in names] if paths.SUBMITTED.is_dir() else []
    print(f"submissions: {len(written)} notebooks from {len(samples)} sample students in {paths.SUBMITTED}"
          + (f"; {len(others)} other students' folders left as they were" if others else ""))


def step_autograde(args):
    from backprop_lab.sandbox import bubblewrap
    from backprop_lab.pipeline import autograde
    if args.unsafe_no_sandbox:
        print("autograde: WARNING: --unsafe-no-sandbox: student code runs with your permissions, unisolated.",
              file=sys.stderr)
    try:
        failures, _ = autograde.autograde(paths.COURSE_DIR, sandboxed=not args.unsafe_no_sandbox,
                                          workers=args.workers, scheduler=args.scheduler)
    except bubblewrap.SandboxUnavailable as error:
        print(f"autograde: refused: {error}", file=sys.stderr)
        return True
    for failure in failures:
        print(f"autograde FAILED for {failure.student}/{failure.assignment}:\n{failure.reason}", file=sys.stderr)
    records, _ = autograde.read_grading_log(paths.COURSE_DIR) or ({}, 0)
    print(f"autograde: {len(records)} submissions in the grading log, {len(failures)} failed in this run; "
          "next: feedback, grades, report")
    return bool(failures)


def step_collect(args):
    from backprop_lab.pipeline import collect
    try:
        report = collect.import_submissions(args.source, paths.COURSE_DIR, assignment=args.assignment,
                                            overwrite=args.overwrite)
    except ValueError as error:
        print(f"collect: refused: {error}", file=sys.stderr)
        return True
    print(collect.format_report(report))


def step_exchange_collect(args):
    from backprop_lab.pipeline import exchange
    result = exchange.collect(args.assignment, paths.COURSE_DIR, exchange_root=args.exchange_root, update=args.update)
    print(result.get("log") or "", end="")
    if not result.get("success"):
        print(f"exchange-collect: failed:\n{result.get('error') or ''}", file=sys.stderr)
        return True
    print(f"exchange-collect: {args.assignment} collected into {paths.SUBMITTED}, times in submission-times.jsonl")


def step_report(args):
    from backprop_lab.results import report
    index = report.write_report(paths.COURSE_DIR, paths.COURSE.reports)
    print(f"report: {index} (open it in a browser)")


def step_feedback(args):
    from backprop_lab.pipeline import autograde
    failures = autograde.generate_feedback(paths.COURSE_DIR)
    for failure in failures:
        print(f"feedback FAILED for {failure.student}/{failure.assignment}:\n{failure.reason}", file=sys.stderr)
    print(f"feedback: HTML for every graded student in {paths.FEEDBACK}")
    return bool(failures)


def step_grades(args):
    from backprop_lab.results import exports, gradebook
    table = gradebook.scores(paths.COURSE_DIR)
    print(gradebook.format_table(table))
    print("\n" + gradebook.format_mistakes(gradebook.diagnoses(paths.COURSE_DIR)))
    path = exports.write_grades_csv(paths.COURSE_DIR / "grades.csv", table)
    print(f"\ngrades: {path}")
    lms = exports.write_lms_csv(paths.COURSE_DIR / "grades-lms.csv", table)
    print(f"grades: {lms} (one row per student, for the LMS; columns in the README)")
    export = exports.export_nbgrader(paths.COURSE_DIR, paths.COURSE_DIR / "grades-nbgrader.csv")
    print(f"grades: {export} (nbgrader's own export)")


def step_demo(args):
    """The whole loop on the bundled data and the sample submissions, in demo/: a scratch course
    folder built afresh, so the course's own submitted/, gradebook and grades are never touched."""
    demo = (paths.COURSE_DIR / DEMO_DIR).absolute()  # absolute: the steps run inside it
    problem = demo_folder_problem(demo)
    if problem:
        print(f"demo: refused: {problem}. The demo deletes and rebuilds {demo} on every run: move that "
              "folder away and run the demo again.", file=sys.stderr)
        return True
    for name, step in [("data", step_data), ("figures", step_figures)]:  # the course's own data/ and images/
        timed(name, lambda: step(args))
    fresh_demo_course(demo)
    print(f"\ndemo: the course folder is now {demo} (notebooks/, samples/, data/, images/ copied)")
    environment = dict(os.environ, BACKPROP_LAB_COURSE_DIR=str(demo), BACKPROP_LAB_DATA_DIR=str(demo / "data"),
                       BACKPROP_LAB_IMAGES_DIR=str(demo / "images"))
    if environment.pop("BACKPROP_LAB_DB_URL", None):
        print(f"demo: BACKPROP_LAB_DB_URL is ignored: the demo's gradebook is {paths.Course(demo).gradebook}")
    grading_options = ([f"--workers={args.workers}"] + ([f"--scheduler={args.scheduler}"] if args.scheduler else [])
                       + (["--unsafe-no-sandbox"] if args.unsafe_no_sandbox else []))
    failed = False
    for name in DEMO_STEPS:
        command = [sys.executable, "-m", "backprop_lab", name] + (grading_options if name == "autograde" else [])
        code = timed(name, lambda: subprocess.run(command, cwd=demo, env=environment).returncode)
        if code and name in DEMO_PREREQUISITES:
            print(f"demo: stopped, the {name} step failed", file=sys.stderr)
            return True
        failed = failed or code != 0  # a submission that fails to grade does not stop the others
    print(f"\nThe demo's results are in {demo}/ (the course's own submitted/, gradebook and grades are untouched):\n"
          f"  {DEMO_DIR}/reports/index.html   the class report (open it in a browser)\n"
          f"  {DEMO_DIR}/feedback/*/*/*.html  what each student gets back\n"
          f"  {DEMO_DIR}/grades.csv           the gradebook (and grades-lms.csv, grades-nbgrader.csv)")
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
    commands.add_parser("student-kit", help="dist/student/ and its zip: the release notebooks, data, helper wheel")
    commands.add_parser("visible", help="run every sample through the visible tests only; table into README.md") \
        .add_argument("--workers", type=int, default=os.cpu_count() or 1)
    commands.add_parser("mutants", help="grade generated mutants of the answers in-process; figures into README.md") \
        .add_argument("--workers", type=int, default=2)
    commands.add_parser("verdicts", help="grade every sample; record each part's score and diagnosis in "
                        "samples/verdicts.json") \
        .add_argument("--workers", type=int, default=os.cpu_count() or 1)
    collect_command = commands.add_parser(
        "collect", help="import submissions into submitted/: a folder, or a Canvas or Moodle download (.zip)")
    collect_command.add_argument("source", type=Path,
                                 help="a folder of notebooks or an LMS bulk-download .zip (docs/lms-import.md)")
    collect_command.add_argument("--assignment", help="the assignment of notebooks not named like a released notebook")
    collect_command.add_argument("--overwrite", action="store_true", help="replace submissions already there that differ")
    exchange_command = commands.add_parser(
        "exchange-collect", help="nbgrader collect from the exchange into submitted/, recording trusted submission times")
    exchange_command.add_argument("assignment", help="the assignment to collect (docs/jupyterhub.md)")
    exchange_command.add_argument("--exchange-root", type=Path, help="the exchange folder, instead of Exchange.root")
    exchange_command.add_argument("--update", action="store_true",
                                  help="replace collected submissions by newer ones (nbgrader deletes the older copy)")
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
             "student-kit": step_student_kit, "visible": step_visible, "mutants": step_mutants, "verdicts": step_verdicts,
             "submissions": step_submissions, "autograde": step_autograde, "feedback": step_feedback,
             "grades": step_grades, "report": step_report, "collect": step_collect,
             "exchange-collect": step_exchange_collect, "demo": step_demo}
    if steps[args.command](args):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
