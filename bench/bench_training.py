"""Benchmark: wall time of the notebook's training cell (fmin_cg, 60 iterations, lambda = 1).

Part 1 compares network.cost + network.gradient with a one-entry cache that computes
cost and gradient once per point. Part 2 measures the BLAS thread pools: scipy ships its
own OpenBLAS, separate from numpy's. Run ``python bench/bench_training.py`` from the
project root.
"""
import argparse
from pathlib import Path

import numpy as np
from scipy.optimize import fmin_cg, fmin_l_bfgs_b
from threadpoolctl import ThreadpoolController, threadpool_info, threadpool_limits

from _common import load_digits, machine_info, markdown_table, network, time_once

LAMBDA = 1.0
MAXITER = 60


class CostGradientCache:
    """cost(thetas, *args) and gradient(thetas, *args) sharing one cost_and_gradient call.

    Keeps the last point and its result: the line search asks for both at each point.
    """

    def __init__(self):
        self.thetas = None
        self.result = None
        self.evaluations = 0

    def _at(self, thetas, *args):
        if self.thetas is None or not np.array_equal(thetas, self.thetas):
            self.thetas = np.array(thetas, dtype=float)
            self.result = network.cost_and_gradient(self.thetas, *args)
            self.evaluations += 1
        return self.result

    def cost(self, thetas, *args):
        """Cost at ``thetas`` (computes cost and gradient unless cached)."""
        return self._at(thetas, *args)[0]

    def gradient(self, thetas, *args):
        """Gradient at ``thetas`` (computes cost and gradient unless cached)."""
        return self._at(thetas, *args)[1]


def train_cg(cost, gradient, X, Y):
    """The notebook's training cell. -> (thetas, final cost, function calls, gradient calls)"""
    result = fmin_cg(cost, network.random_thetas(), fprime=gradient, args=(X, Y, LAMBDA),
                     maxiter=MAXITER, full_output=1, retall=1, disp=0)
    return result[0], result[1], result[2], result[3]


def train_lbfgsb(X, Y):
    """L-BFGS-B on network.cost_and_gradient. -> (thetas, final cost)"""
    thetas, J, _ = fmin_l_bfgs_b(network.cost_and_gradient, network.random_thetas(),
                                 args=(X, Y, LAMBDA), maxiter=MAXITER)
    return thetas, J


def bench_cache(data, runs):
    """Part 1: separate cost/gradient vs the one-entry cache. -> Markdown table"""
    X, Y, X_test, Y_test = data
    times, outcome = {"(a) network.cost + network.gradient": [], "(b) one-entry cache": []}, {}
    for _ in range(runs):  # alternate the variants so that drift affects both alike
        for name in times:
            box = {}
            cache = None if name.startswith("(a)") else CostGradientCache()
            cost, gradient = (network.cost, network.gradient) if cache is None else (cache.cost, cache.gradient)

            def run():
                box.update(out=train_cg(cost, gradient, X, Y))
            times[name].append(time_once(run))
            thetas, J, n_f, n_g = box["out"]
            evaluations = n_f + n_g if name.startswith("(a)") else cache.evaluations
            outcome[name] = (J, n_f, n_g, evaluations, network.accuracy(thetas, X_test, Y_test))
    base = np.median(times["(a) network.cost + network.gradient"])
    rows = []
    for name, ts in times.items():
        J, n_f, n_g, evaluations, accuracy = outcome[name]
        rows.append([name, f"{np.median(ts):.2f}", f"{min(ts):.2f}",
                     f"{np.median(ts) / base:.2f}", f"{n_f} / {n_g}", evaluations,
                     f"{J:.4f}", f"{accuracy:.1%}"])
    header = ["variant", "median (s)", "min (s)", "× (a)", "f / fprime calls",
              "forward passes", "final cost", "test accuracy"]
    return markdown_table(header, rows)


def pool_of(package):
    """A ThreadpoolController for the pools that ``package`` ships ("scipy" or "numpy")."""
    controller = ThreadpoolController()
    paths = [pool["filepath"] for pool in controller.info()
             if Path(pool["filepath"]).parent.name == f"{package}.libs"]
    return controller.select(filepath=paths)


def bench_threads(data, runs):
    """Part 2: BLAS thread-pool limits for fmin_cg (cached) and L-BFGS-B. -> Markdown"""
    X, Y, X_test, Y_test = data
    pools = markdown_table(
        ["library", "version", "loaded from", "architecture", "threads"],
        [[p["internal_api"], p.get("version"), Path(p["filepath"]).parent.name,
          p.get("architecture", "-"), p["num_threads"]] for p in threadpool_info()])
    settings = {"default": lambda: threadpool_limits(None),
                "all pools 1 thread": lambda: threadpool_limits(1),
                "scipy's pool 1 thread": lambda: pool_of("scipy").limit(limits=1),
                "numpy's pool 1 thread": lambda: pool_of("numpy").limit(limits=1)}
    optimizers = {
        "fmin_cg (cached)": lambda: train_cg(*_cached(), X, Y)[0],
        "fmin_l_bfgs_b": lambda: train_lbfgsb(X, Y)[0],
    }
    times = {(opt, s): [] for opt in optimizers for s in settings}
    accuracy = {}
    for _ in range(runs):
        for opt, train in optimizers.items():
            for setting, limit in settings.items():
                with limit():
                    box = {}
                    times[opt, setting].append(time_once(lambda: box.update(t=train())))
                accuracy[opt, setting] = network.accuracy(box["t"], X_test, Y_test)
    rows = []
    for opt in optimizers:
        base = np.median(times[opt, "default"])
        for setting in settings:
            ts = times[opt, setting]
            rows.append([opt, setting, f"{np.median(ts):.2f}", f"{min(ts):.2f}",
                         f"{max(ts):.2f}", f"{np.median(ts) / base:.2f}",
                         f"{accuracy[opt, setting]:.1%}"])
    header = ["optimizer", "BLAS threads", "median (s)", "min (s)", "max (s)", "× default",
              "test accuracy"]
    return pools + "\n\n" + markdown_table(header, rows)


def _cached():
    cache = CostGradientCache()
    return cache.cost, cache.gradient


def run(runs=5):
    """Both parts on the course's 4000/1000 split. -> Markdown"""
    data = load_digits()
    return bench_cache(data, runs) + "\n\n" + bench_threads(data, runs)


def main(argv=None):
    """Command line: print the machine and the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="trainings per variant")
    args = parser.parse_args(argv)
    print("\n".join(machine_info()), end="\n\n")
    print(run(args.runs))


if __name__ == "__main__":
    main()
