"""Run every benchmark and write its tables into bench/README.md between the markers.

Usage, from the project root with the venv: ``python bench/run_all.py`` (``--quick`` for a
fast smoke run, ``--no-write`` to print only). Each section of the README sits between
``<!-- results:NAME -->`` and ``<!-- /results -->``.
"""
import argparse
import os
import re
import time
from pathlib import Path

from _common import cpu_seconds, machine_info, others_share

README = Path(__file__).resolve().with_name("README.md")


def replace_section(text, name, body):
    """``text`` with the lines between the markers of section ``name`` replaced by ``body``."""
    pattern = re.compile(rf"(<!-- results:{re.escape(name)} -->\n).*?(<!-- /results -->)",
                         re.DOTALL)
    if not pattern.search(text):
        raise ValueError(f"README.md has no '<!-- results:{name} -->' section")
    return pattern.sub(lambda match: match.group(1) + body.strip() + "\n" + match.group(2),
                       text, count=1)


def wait_for_quiet(limit_seconds, threshold=0.05, window=5.0):
    """Wait (at most ``limit_seconds``) for a ``window`` of seconds in which other processes
    keep less than ``threshold`` of the cores busy: on 2 cores they distort every figure."""
    deadline = time.monotonic() + limit_seconds
    while True:
        before = cpu_seconds()
        time.sleep(window)
        share = others_share(before, cpu_seconds(), window)
        if share < threshold or time.monotonic() >= deadline:
            return share


def main(argv=None):
    """Run the benchmarks (PyTorch, in bench_cost_gradient, last), print and save the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few repeats, smoke test only")
    parser.add_argument("--no-write", action="store_true", help="print, leave README.md")
    parser.add_argument("--wait-quiet", type=float, default=0.0, metavar="SECONDS",
                        help="first wait up to SECONDS for other processes to go quiet")
    args = parser.parse_args(argv)
    # Imported here, not at the top: bench_class's spawned grading workers import this script as
    # their __main__, and should not pay for every benchmark's imports (jupytext, scipy, ...).
    import bench_autograde
    import bench_class
    import bench_cost_gradient
    import bench_gradient_check
    import bench_sandbox
    import bench_training

    if args.wait_quiet:
        share = wait_for_quiet(args.wait_quiet)
        print(f"other processes use {share:.0%} of the cores as the run starts", flush=True)
    machine = machine_info()
    sections = {}
    start, started = cpu_seconds(), time.monotonic()
    print("\n".join(machine), end="\n\n", flush=True)
    sections["training"] = bench_training.run(runs=1 if args.quick else 5)
    print(sections["training"], end="\n\n", flush=True)
    sections["gradient_check"] = bench_gradient_check.run(runs=1 if args.quick else 5)
    print(sections["gradient_check"], end="\n\n", flush=True)
    sections["cost_gradient"] = bench_cost_gradient.run(
        repeats=3 if args.quick else 30, loop_repeats=1 if args.quick else 5)
    print(sections["cost_gradient"], flush=True)
    sections["autograde"] = bench_autograde.run(submissions_per_notebook=2 if args.quick else 4)
    print(sections["autograde"], flush=True)
    sections["sandbox"] = bench_sandbox.run(submissions_per_notebook=2 if args.quick else 4,
                                            kernel_starts=2 if args.quick else 5)
    print(sections["sandbox"], flush=True)
    sections["class"] = bench_class.run(submissions_=6 if args.quick else 50)
    print(sections["class"], flush=True)
    wall = time.monotonic() - started
    share = others_share(start, cpu_seconds(), wall)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    machine += [f"- load average at end: {load}",
                f"- run took {wall:.0f} s; other processes kept {share:.0%} of the cores busy "
                f"meanwhile{' (noisy run: figures inflated)' if share > 0.1 else ''}"]
    print(machine[-1])
    sections["machine"] = "\n".join(machine)
    if args.quick:
        sections["machine"] += "\n- **quick run (`--quick`): too few repeats to quote**"
    if not args.no_write:
        text = README.read_text(encoding="utf-8")
        for name, body in sections.items():
            text = replace_section(text, name, body)
        README.write_text(text, encoding="utf-8")
        print(f"\nwrote {README}")


if __name__ == "__main__":
    main()
