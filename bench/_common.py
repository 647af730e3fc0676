"""Helpers shared by the benchmarks: data, timing, machine description, Markdown tables."""
import datetime
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # the package need not be installed to benchmark it
    sys.path.insert(0, str(ROOT))

from backprop_lab.reference import network  # noqa: E402, F401  (the benchmarks import it from here)

def load_digits():
    """The course's own split (`make data`): (XTrain, yTrain, XTest, yTest), 4000 / 1000 digits."""
    from backprop_lab.reference import data

    dataset = data.load_dataset()
    return dataset["XTrain"], dataset["yTrain"], dataset["XTest"], dataset["yTest"]


def time_once(fn):
    """Wall time of one call of ``fn()``, in seconds."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def time_interleaved(fns, repeats, warmup=3):
    """Time each ``fns[name]()`` ``repeats[name]`` times, in round-robin order.

    Interleaving spreads any drift of the machine (other processes, clock) over all
    variants instead of favouring whichever ran in a quiet moment. -> {name: [seconds]}
    """
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    times = {name: [] for name in fns}
    for round_ in range(max(repeats.values())):
        for name, fn in fns.items():
            if round_ < repeats[name]:
                times[name].append(time_once(fn))
    return times


def cpu_seconds():
    """(CPU seconds the whole machine has spent busy, CPU seconds this process has used).

    Two readings bracket a run: what the machine spent beyond this process is what other
    processes took from the benchmark (Linux only; (nan, ...) elsewhere).
    """
    try:
        with open("/proc/stat", encoding="utf-8") as stat:
            ticks = [int(x) for x in stat.readline().split()[1:9]]
        busy = (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError):
        busy = float("nan")
    own = os.times()  # with the children it waited for: the kernels nbgrader starts are ours
    return busy, own.user + own.system + own.children_user + own.children_system


def others_share(start, end, wall):
    """Fraction of all cores that other processes kept busy between two ``cpu_seconds()``."""
    return ((end[0] - start[0]) - (end[1] - start[1])) / (wall * os.cpu_count())


def blas_summary():
    """One line per BLAS/OpenMP pool loaded in this process, from threadpoolctl."""
    from threadpoolctl import threadpool_info

    lines = []
    for pool in threadpool_info():
        owner = Path(pool["filepath"]).parent.name
        lines.append(f"{pool['internal_api']} {pool.get('version')} ({owner}, "
                     f"{pool.get('architecture', '-')}, {pool['num_threads']} threads)")
    return lines


def machine_info():
    """Markdown lines describing the machine, the libraries and the load, with the date."""
    import scipy

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [
        f"- date: {datetime.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}",
        f"- machine: {platform.machine()}, {os.cpu_count()} cores (nproc), {cpu_model()}",
        f"- Python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}",
        f"- OPENBLAS_CORETYPE: {os.environ.get('OPENBLAS_CORETYPE', '(not set)')}",
        f"- load average at start (1, 5, 15 min): {load}",
    ]
    lines += [f"- BLAS pool: {line}" for line in blas_summary()]
    return lines


def cpu_model():
    """The processor's model name, from /proc/cpuinfo where there is one."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def markdown_table(header, rows):
    """A Markdown table: ``header`` is a list of titles, ``rows`` lists of cells."""
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join(" --- " if i == 0 else " ---: " for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)
