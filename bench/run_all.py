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

import bench_cost_gradient
import bench_training
from _common import machine_info

README = Path(__file__).resolve().with_name("README.md")


def replace_section(text, name, body):
    """``text`` with the lines between the markers of section ``name`` replaced by ``body``."""
    pattern = re.compile(rf"(<!-- results:{re.escape(name)} -->\n).*?(<!-- /results -->)",
                         re.DOTALL)
    if not pattern.search(text):
        raise ValueError(f"README.md has no '<!-- results:{name} -->' section")
    return pattern.sub(lambda match: match.group(1) + body.strip() + "\n" + match.group(2),
                       text, count=1)


def wait_for_quiet(limit_seconds, threshold=0.5):
    """Wait (at most ``limit_seconds``) until the 1-minute load average drops below
    ``threshold``: other processes on a 2-core machine distort every figure. -> bool"""
    deadline = time.monotonic() + limit_seconds
    while os.getloadavg()[0] >= threshold:
        if time.monotonic() >= deadline:
            return False
        time.sleep(5)
    return True


def main(argv=None):
    """Run the benchmarks (training first, so PyTorch loads last), print and save the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few repeats, smoke test only")
    parser.add_argument("--no-write", action="store_true", help="print, leave README.md")
    parser.add_argument("--wait-quiet", type=float, default=0.0, metavar="SECONDS",
                        help="first wait up to SECONDS for a 1-minute load average < 0.5")
    args = parser.parse_args(argv)
    if args.wait_quiet and not wait_for_quiet(args.wait_quiet):
        print(f"warning: load average still {os.getloadavg()[0]:.2f}, figures may be noisy")
    machine = machine_info()
    sections = {}
    print("\n".join(machine), end="\n\n", flush=True)
    sections["training"] = bench_training.run(runs=1 if args.quick else 5)
    print(sections["training"], end="\n\n", flush=True)
    sections["cost_gradient"] = bench_cost_gradient.run(
        repeats=3 if args.quick else 30, loop_repeats=1 if args.quick else 5)
    print(sections["cost_gradient"], flush=True)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    sections["machine"] = "\n".join(machine + [f"- load average at end: {load}"])
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
