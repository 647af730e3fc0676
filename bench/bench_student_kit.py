"""What a student installs against what an instructor installs: the student kit's environment
and the full one (`make setup`'s requirements.txt + requirements-cnn.txt), side by side.

Each is installed into a fresh virtualenv with this machine's pip cache as it is (warm: the
packages are not downloaded again); the time is pip's, the size is the virtualenv's on disk.
Usage: ``.venv/bin/python bench/bench_student_kit.py [--runs N]`` from the project root.
"""
import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, machine_info

from backprop_lab.authoring import kit


def folder_bytes(folder):
    return sum(path.stat().st_size for path in Path(folder).rglob("*") if path.is_file() and not path.is_symlink())


def install(requirements, cwd):
    """Seconds pip takes to install the requirement files into a fresh virtualenv, and its size."""
    with tempfile.TemporaryDirectory(prefix="bench-env-") as scratch:
        env = Path(scratch) / "env"
        subprocess.run([sys._base_executable, "-m", "venv", str(env)], check=True)
        files = [option for name in requirements for option in ("-r", name)]
        started = time.perf_counter()
        subprocess.run([str(env / "bin" / "python"), "-m", "pip", "install", "--quiet", *files], check=True,
                       cwd=cwd, stderr=subprocess.DEVNULL)
        return time.perf_counter() - started, folder_bytes(env)


def run(runs=1):
    with tempfile.TemporaryDirectory(prefix="bench-kit-") as scratch:
        folder, archive = kit.build_kit(Path(scratch) / "student")
        variants = {
            "student kit": ([kit.STUDENT_REQUIREMENTS], folder),
            "full environment (make setup)": (["requirements.txt", "requirements-cnn.txt"], ROOT),
        }
        results = {name: [] for name in variants}
        for _ in range(runs):  # alternated, so that drift of the machine hits both alike
            for name, (requirements, cwd) in variants.items():
                results[name].append(install(requirements, cwd))
        lines = [*machine_info(), "",
                 f"The kit: {kit.kit_size(folder) / 1e6:.1f} MB unpacked, {archive.stat().st_size / 1e6:.1f} MB zipped.",
                 "", "| environment | install time (median of %d, warm pip cache) | size on disk | size ratio |" % runs,
                 "| --- | ---: | ---: | ---: |"]
        student_size = statistics.median(size for _, size in results["student kit"])
        for name, measured in results.items():
            seconds = statistics.median(t for t, _ in measured)
            size = statistics.median(s for _, s in measured)
            lines.append(f"| {name} | {seconds:.0f} s | {size / 1e6:.0f} MB | {size / student_size:.1f}× |")
        return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    print(run(parser.parse_args().runs))
