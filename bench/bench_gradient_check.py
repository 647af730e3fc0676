"""Benchmark: two gradient checks, their cost, and which planted bugs each one catches.

(1) The classic check: central differences of network.cost for the first 500 parameters
of the 784-25-10 network on the 4,000 training digits. (2) The course's check
(``checkGradients`` in notebooks/01_backprop.py): every parameter of a 3-5-3 network on 6
random examples, plus 10 random unit directions at full size on 500 training rows.
Run ``python bench/bench_gradient_check.py`` from the project root.
"""
import argparse
import functools
import statistics

import numpy as np

from _common import load_digits, machine_info, markdown_table, network, time_interleaved

LAMBDA = 1.0
FIRST = 500                 # the classic check looks at parameters 0..499 only
CLASSIC_EPSILON = 1e-4      # as in the classic notebook
EPSILON = 1e-5              # as in the course's checkGradients
SMALL = dict(input_size=3, hidden_size=5, n_classes=3)
SMALL_M = 6
DIRECTIONS = 10
SAMPLE_ROWS = 500
THRESHOLD = 1e-4            # a relative error above this is a bug


def _planted(plant):
    """network.gradient with its two matrices edited in place by ``plant``."""
    @functools.wraps(plant)
    def buggy(thetas, X, Y, lambda_=0.0, input_size=784, hidden_size=25, n_classes=10):
        sizes = (input_size, hidden_size, n_classes)
        theta1, theta2 = network.unpack(thetas, *sizes)
        grad = network.gradient(thetas, X, Y, lambda_, *sizes)
        grad1, grad2 = (g.copy() for g in network.unpack(grad, *sizes))
        plant(theta1, theta2, grad1, grad2, lambda_, len(X))
        return network.pack(grad1, grad2)
    return buggy


@_planted
def no_theta2_regularisation(theta1, theta2, grad1, grad2, lambda_, m):
    """(a) Theta2's regularisation term missing."""
    grad2[:, 1:] -= lambda_ / m * theta2[:, 1:]


@_planted
def theta2_without_1_over_m(theta1, theta2, grad1, grad2, lambda_, m):
    """(b) forgot 1/m on Theta2's data term (its regularisation term is right)."""
    grad2[:, 1:] -= lambda_ / m * theta2[:, 1:]
    grad2 *= m
    grad2[:, 1:] += lambda_ / m * theta2[:, 1:]


@_planted
def theta1_bias_regularised(theta1, theta2, grad1, grad2, lambda_, m):
    """(c) lambda/m * Theta1 added to the bias column of Theta1's gradient too."""
    grad1[:, 0] += lambda_ / m * theta1[:, 0]


@_planted
def lambda_over_2m(theta1, theta2, grad1, grad2, lambda_, m):
    """(d) lambda/(2m) instead of lambda/m in both regularisation terms."""
    grad1[:, 1:] -= lambda_ / (2 * m) * theta1[:, 1:]
    grad2[:, 1:] -= lambda_ / (2 * m) * theta2[:, 1:]


@_planted
def last_hidden_row_zeroed(theta1, theta2, grad1, grad2, lambda_, m):
    """(e) the last hidden unit's row of Theta1's gradient is zero."""
    grad1[-1, :] = 0.0


@_planted
def theta2_column_order(theta1, theta2, grad1, grad2, lambda_, m):
    """(f) Theta2's gradient ravelled in column (Fortran) order."""
    grad2[:] = grad2.ravel(order="F").reshape(grad2.shape)  # pack then reads it in F order


BUGS = [no_theta2_regularisation, theta2_without_1_over_m, theta1_bias_regularised,
        lambda_over_2m, last_hidden_row_zeroed, theta2_column_order]


def classic_numerical(thetas, X, Y):
    """Central differences (epsilon 1e-4) of network.cost for the first 500 parameters."""
    cost = functools.partial(network.cost, X=X, Y=Y, lambda_=LAMBDA)
    return network.numerical_gradient(cost, thetas, CLASSIC_EPSILON, indices=range(FIRST))[:FIRST]


def course_problem(X, Y, seed=0):
    """checkGradients' set-up: the small problem, full-size thetas, 500 rows, unit directions."""
    rng = np.random.default_rng(seed)
    small = (rng.uniform(-1, 1, network.n_parameters(**SMALL)),
             rng.uniform(0, 1, (SMALL_M, SMALL["input_size"])),
             network.one_hot(rng.integers(0, SMALL["n_classes"], SMALL_M), SMALL["n_classes"]))
    directions = rng.standard_normal((DIRECTIONS, network.n_parameters()))
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    return small, (network.random_thetas(), X[:SAMPLE_ROWS], Y[:SAMPLE_ROWS]), directions


def small_numerical(small):
    """network.numerical_gradient of the 3-5-3 cost, every parameter (epsilon 1e-5)."""
    thetas, X, Y = small
    return network.numerical_gradient(
        lambda t: network.cost(t, X, Y, LAMBDA, **SMALL), thetas, EPSILON)


def direction_slopes(full, directions):
    """Central-difference slopes (epsilon 1e-5) of the full-size cost along each direction."""
    thetas, X, Y = full
    cost = functools.partial(network.cost, X=X, Y=Y, lambda_=LAMBDA)
    return np.array([network.directional_derivative(cost, thetas, d, EPSILON)
                     for d in directions])


def _flag(*errors):
    """Markdown cell: is any of the relative errors above the threshold?"""
    return "**yes**" if max(errors) > THRESHOLD else "no"


def _timing_table(ms, runs, m):
    """Markdown table of the median times (ms) of the classic check and the course's parts."""
    ms["course"] = ms["small"] + ms["directions"]
    specs = [("classic", "classic: first 500 parameters", f"{2 * FIRST:,} costs on {m:,} rows", 1),
             ("small", "course: 3-5-3 net, every parameter",
              f"{2 * network.n_parameters(**SMALL)} costs on {SMALL_M} rows", runs),
             ("directions", "course: 10 random unit directions",
              f"{2 * DIRECTIONS} costs on {SAMPLE_ROWS} rows", runs)]
    rows = [[label, what + " + 1 gradient", n, f"{ms[key]:.1f}", f"{ms[key] / ms['course']:.2f}"]
            for key, label, what, n in specs]
    rows.append(["course: both parts", "sum of the two medians", "-", f"{ms['course']:.1f}",
                 "1.00"])
    return markdown_table(["check", "what it evaluates", "runs", "median ms", "× course check"],
                          rows)


def run(runs=5):
    """Time both checks with the reference gradient, then run them on each planted bug.

    The numerical sides do not depend on the gradient checked, so the bugs reuse the
    numerical gradients of the timed runs. -> Markdown
    """
    X, Y = load_digits()[:2]
    thetas = network.random_thetas()
    problem = course_problem(X, Y)
    found = {}

    def classic():
        found["classic"] = classic_numerical(thetas, X, Y)
        network.relative_error(network.gradient(thetas, X, Y, LAMBDA)[:FIRST], found["classic"])

    def small_part():
        found["small"] = small_numerical(problem[0])
        network.relative_error(network.gradient(*problem[0], LAMBDA, **SMALL), found["small"])

    def directions_part():
        found["slopes"] = direction_slopes(problem[1], problem[2])
        network.relative_error(problem[2] @ network.gradient(*problem[1], LAMBDA),
                               found["slopes"])

    small_part()  # warm-up; the classic check runs once (it takes seconds)
    directions_part()
    times = time_interleaved({"classic": classic, "small": small_part,
                              "directions": directions_part},
                             {"classic": 1, "small": runs, "directions": runs}, warmup=0)
    timing = _timing_table({name: statistics.median(t) * 1e3 for name, t in times.items()},
                           runs, len(X))
    rows = []
    for fn in [network.gradient] + BUGS:
        first = network.relative_error(fn(thetas, X, Y, LAMBDA)[:FIRST], found["classic"])
        small_err = network.relative_error(fn(*problem[0], LAMBDA, **SMALL), found["small"])
        dir_err = network.relative_error(problem[2] @ fn(*problem[1], LAMBDA), found["slopes"])
        label = fn.__doc__.rstrip(".") if fn in BUGS else "none (network.gradient)"
        rows.append([label, f"{first:.1e}", _flag(first), f"{small_err:.1e}",
                     f"{dir_err:.1e}", _flag(small_err, dir_err)])
    bugs = markdown_table(["planted bug", "first 500: rel. err.", "caught",
                           "3-5-3 net: rel. err.", "10 directions: rel. err.", "caught"], rows)
    dead = int(np.sum(~X[:, :FIRST - 1].any(axis=0)))
    note = (f"The first {FIRST} parameters are Theta1[0, 0:{FIRST}]: hidden unit 1's bias and its "
            f"weights on pixels 0-{FIRST - 2}, {dead} of which are 0 in every training digit. "
            f"Caught: relative error above {THRESHOLD:g} (for the course's check, in either "
            f"part). lambda = {LAMBDA:g}; BLAS pools as they are.")
    return timing + "\n\n" + bugs + "\n\n" + note


def main(argv=None):
    """Command line: print the machine and the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs of the course's check")
    args = parser.parse_args(argv)
    print("\n".join(machine_info()), end="\n\n")
    print(run(args.runs))


if __name__ == "__main__":
    main()
