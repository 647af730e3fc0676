"""Benchmark: one cost + gradient evaluation of the 784-25-10 network on 4,000 digits.

Compares the reference (backprop_lab.reference.network) with the classic ex4-style implementations,
PyTorch autograd and the two matrix products no implementation can avoid, each timed in
every memory layout BLAS can be given; the GEMM bound is the fastest layout of each
product, summed. Run ``python bench/bench_cost_gradient.py`` from the project root.
"""
import argparse
import time

import numpy as np
from threadpoolctl import threadpool_limits

from _common import (cpu_seconds, load_digits, machine_info, markdown_table, network, others_share,
                     time_interleaved)

LAMBDA = 1.0
SIZES = (784, 25, 10)  # input, hidden, classes


def _unroll(nn_params, input_size, hidden_size, n_classes):
    split = hidden_size * (input_size + 1)
    theta1 = nn_params[:split].reshape(hidden_size, input_size + 1)
    theta2 = nn_params[split:].reshape(n_classes, hidden_size + 1)
    return theta1, theta2


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _classic_cost(h, Y, theta1, theta2, lambda_, m, small_value=1e-12):
    J = -np.sum(Y * np.log(h + small_value) + (1 - Y) * np.log(1 - h + small_value)) / m
    return J + lambda_ / (2 * m) * (np.sum(theta1[:, 1:] ** 2) + np.sum(theta2[:, 1:] ** 2))


def classic_loop(nn_params, X, Y, lambda_, input_size=784, hidden_size=25, n_classes=10):
    """ex4 style: np.hstack a ones column, then one outer product per example. -> (J, grad)"""
    theta1, theta2 = _unroll(nn_params, input_size, hidden_size, n_classes)
    m = X.shape[0]
    a1 = np.hstack((np.ones((m, 1)), X))
    z2 = a1 @ theta1.T
    a2 = np.hstack((np.ones((m, 1)), _sigmoid(z2)))
    a3 = _sigmoid(a2 @ theta2.T)
    J = _classic_cost(a3, Y, theta1, theta2, lambda_, m)
    theta1_grad = np.zeros(theta1.shape)
    theta2_grad = np.zeros(theta2.shape)
    for t in range(m):
        delta3 = a3[t] - Y[t]
        delta2 = (theta2.T @ delta3)[1:] * _sigmoid(z2[t]) * (1 - _sigmoid(z2[t]))
        theta1_grad += np.outer(delta2, a1[t])
        theta2_grad += np.outer(delta3, a2[t])
    theta1_grad /= m
    theta2_grad /= m
    theta1_grad[:, 1:] += lambda_ / m * theta1[:, 1:]
    theta2_grad[:, 1:] += lambda_ / m * theta2[:, 1:]
    return J, np.concatenate([theta1_grad.ravel(), theta2_grad.ravel()])


def nn_cost_function(nn_params, input_size, hidden_size, n_classes, X, Y, lambda_):
    """The classic notebook's cost: rebuilds np.c_[ones, X] and runs the forward pass."""
    theta1, theta2 = _unroll(nn_params, input_size, hidden_size, n_classes)
    m = X.shape[0]
    a1 = np.c_[np.ones((m, 1)), X]
    a2 = np.c_[np.ones((m, 1)), _sigmoid(a1 @ theta1.T)]
    h = _sigmoid(a2 @ theta2.T)
    return _classic_cost(h, Y, theta1, theta2, lambda_, m)


def nn_gradient_function(nn_params, input_size, hidden_size, n_classes, X, Y, lambda_):
    """The classic notebook's gradient: its own np.c_ copy and forward pass, then backprop."""
    theta1, theta2 = _unroll(nn_params, input_size, hidden_size, n_classes)
    m = X.shape[0]
    a1 = np.c_[np.ones((m, 1)), X]
    z2 = a1 @ theta1.T
    a2 = np.c_[np.ones((m, 1)), _sigmoid(z2)]
    h = _sigmoid(a2 @ theta2.T)
    d3 = h - Y
    d2 = (d3 @ theta2[:, 1:]) * _sigmoid(z2) * (1 - _sigmoid(z2))
    theta1_grad = d2.T @ a1 / m
    theta2_grad = d3.T @ a2 / m
    theta1_grad[:, 1:] += lambda_ / m * theta1[:, 1:]
    theta2_grad[:, 1:] += lambda_ / m * theta2[:, 1:]
    return np.concatenate([theta1_grad.ravel(), theta2_grad.ravel()])


def torch_cost_gradient(X, Y, lambda_, input_size=784, hidden_size=25, n_classes=10):
    """A (thetas -> (J, grad)) function using PyTorch autograd in float64, or a skip note."""
    try:
        import torch
    except ImportError as error:
        return None, f"skipped: torch does not import ({error})"
    Xt, Yt, m = torch.from_numpy(X), torch.from_numpy(Y), X.shape[0]

    def cost_gradient(thetas):
        t = torch.tensor(thetas, dtype=torch.float64, requires_grad=True)
        theta1, theta2 = _unroll(t, input_size, hidden_size, n_classes)
        a2 = torch.sigmoid(torch.addmm(theta1[:, 0], Xt, theta1[:, 1:].T))
        a3 = torch.sigmoid(torch.addmm(theta2[:, 0], a2, theta2[:, 1:].T))
        J = -(Yt * torch.log(a3 + 1e-12) + (1 - Yt) * torch.log(1 - a3 + 1e-12)).sum() / m
        J = J + lambda_ / (2 * m) * ((theta1[:, 1:] ** 2).sum() + (theta2[:, 1:] ** 2).sum())
        J.backward()
        return J.item(), t.grad.numpy()

    return cost_gradient, f"torch {torch.__version__}"


def product_layouts(thetas, X, hidden_size=25):
    """{row name: (product, note)}: the forward product X Theta1[:, 1:].T and the backward
    product delta2.T X, each in every layout BLAS can be given, into preallocated outputs.

    W is Theta1[:, 1:] (h×n, a view, as in network.py); X as given (row-major m×n) or Xt, a
    row-major copy of X.T made once, here, outside the timed calls; delta2 stored m×h (D) or
    h×m (Dt); the output m×h or h×m (forward), h×n or n×h (backward). ``.T`` is a view.
    """
    W = network.unpack(thetas)[0][:, 1:]
    m, n = X.shape
    Xt = np.ascontiguousarray(X.T)
    Dt = np.random.default_rng(0).standard_normal((hidden_size, m))
    D = np.ascontiguousarray(Dt.T)
    z_mh, z_hm = np.empty((m, hidden_size)), np.empty((hidden_size, m))
    g_hn, g_nh = np.empty((hidden_size, n)), np.empty((n, hidden_size))
    layouts = [
        ("forward: X @ W.T → m×h", X, W.T, z_mh, "X as given; the old bound's layout"),
        ("forward: W @ X.T → h×m", W, X.T, z_hm, "X as given; network.py's layout"),
        ("forward: W @ Xt → h×m", W, Xt, z_hm, "Xt copied once"),
        ("forward: Xt.T @ W.T → m×h", Xt.T, W.T, z_mh, "Xt copied once"),
        ("backward: D.T @ X → h×n", D.T, X, g_hn, "delta2 m×h; the old bound's layout"),
        ("backward: Dt @ X → h×n", Dt, X, g_hn, "delta2 h×m; network.py's layout"),
        ("backward: Dt @ Xt.T → h×n", Dt, Xt.T, g_hn, "delta2 h×m, Xt copied once"),
        ("backward: D.T @ Xt.T → h×n", D.T, Xt.T, g_hn, "delta2 m×h, Xt copied once"),
        ("backward: X.T @ D → n×h", X.T, D, g_nh, "delta2 m×h, output transposed"),
        ("backward: X.T @ Dt.T → n×h", X.T, Dt.T, g_nh, "delta2 h×m, output transposed"),
        ("backward: Xt @ D → n×h", Xt, D, g_nh, "delta2 m×h, Xt copied once, output transposed"),
        ("backward: Xt @ Dt.T → n×h", Xt, Dt.T, g_nh, "delta2 h×m, Xt copied once, output transposed"),
    ]
    return {name: (lambda a=left, b=right, c=out: np.matmul(a, b, out=c), note)
            for name, left, right, out, note in layouts}


def gemm_bound(median, products):
    """(seconds, note): the fastest forward layout plus the fastest backward layout."""
    fastest = [min((name for name in products if name.startswith(kind)), key=median.get)
               for kind in ("forward", "backward")]
    return sum(median[name] for name in fastest), " + ".join(name.split(": ")[1] for name in fastest)


def variants(thetas, X, Y, lambda_=LAMBDA):
    """{name: (thetas -> (J, grad) or None, note)} for every implementation compared."""
    size_args = SIZES + (X, Y, lambda_)
    found = {
        "reference": (lambda t: network.cost_and_gradient(t, X, Y, lambda_),
                      "network.cost_and_gradient"),
        "reference, separate calls": (
            lambda t: (network.cost(t, X, Y, lambda_), network.gradient(t, X, Y, lambda_)),
            "network.cost + network.gradient"),
        "classic loop": (lambda t: classic_loop(t, X, Y, lambda_), "Python loop over examples"),
        "classic np.c_": (
            lambda t: (nn_cost_function(t, *size_args), nn_gradient_function(t, *size_args)),
            "nnCostFunction + nnGradientFunction"),
    }
    found["PyTorch autograd (float64)"] = torch_cost_gradient(X, Y, lambda_)
    return found


def _time_all(fns, counts, warmup):
    """Round-robin timings; PyTorch in a block of its own, after the others (its OpenMP
    threads keep spinning after each call and would slow down the next variant)."""
    alone = {name: fn for name, fn in fns.items() if name.startswith("PyTorch")}
    times = time_interleaved({n: f for n, f in fns.items() if n not in alone}, counts, warmup)
    if alone:
        times.update(time_interleaved(alone, counts, warmup))
    return {name: float(np.median(ts)) for name, ts in times.items()}


def run(repeats=30, loop_repeats=5, warmup=3):
    """Check every variant against the reference, then time them all, and each product in
    each layout, with the BLAS pools as they are and limited to one thread. -> Markdown table."""
    X, Y = load_digits()[:2]
    thetas = network.random_thetas()
    found = variants(thetas, X, Y)
    J_ref, grad_ref = found["reference"][0](thetas)
    products = product_layouts(thetas, X)
    fns, notes, checks = {}, {}, {}
    # Round-robin order: the products on Xt (a second 25 MB array), then those on X, then the
    # implementations, so that the reference, like each product on X, follows a call that read X.
    for name in sorted(products, key=lambda name: "Xt" not in name):
        fns[name], notes[name] = products[name]
    for name, (fn, note) in found.items():
        notes[name] = note
        if fn is not None:
            J, grad = fn(thetas)
            checks[name] = f"{abs(J - J_ref):.0e} / {network.relative_error(grad, grad_ref):.0e}"
            fns[name] = (lambda f=fn: f(thetas))
    counts = {name: loop_repeats if name == "classic loop" else repeats for name in fns}
    medians, bound_notes = [_time_all(fns, counts, warmup)], []
    with threadpool_limits(1):
        medians.append(_time_all(fns, counts, warmup))
    for median in medians:
        median["GEMM bound"], note = gemm_bound(median, products)
        bound_notes.append(note)
    notes["GEMM bound"] = "fastest forward + fastest backward: " + (
        bound_notes[0] if bound_notes[0] == bound_notes[1]
        else f"{bound_notes[0]} (default), {bound_notes[1]} (1 thread)")
    rows = []
    for name in ["GEMM bound"] + list(found) + list(products):
        cells = [name]
        for median in medians:
            cells += ([f"{median[name] * 1e3:.2f}", f"{median[name] / median['GEMM bound']:.2f}",
                       f"{median[name] / median['reference']:.2f}"]
                      if name in median else ["-"] * 3)
        n = f" (n={counts[name]})" if name in counts else ""
        rows.append(cells + [checks.get(name, "-"), notes[name] + n])
    header = ["variant"]
    for threads in ("default", "1 thread"):
        header += [f"median ms, {threads}", "× GEMM bound", "× reference"]
    return markdown_table(header + ["cost diff / grad rel. err.", "notes"], rows)


def main(argv=None):
    """Command line: print the machine and the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30, help="timed calls per variant")
    parser.add_argument("--loop-repeats", type=int, default=5, help="for the classic loop")
    parser.add_argument("--wait-quiet", type=float, default=0.0, metavar="SECONDS",
                        help="first wait up to SECONDS for other processes to go quiet")
    args = parser.parse_args(argv)
    if args.wait_quiet:
        from run_all import wait_for_quiet

        print(f"other processes use {wait_for_quiet(args.wait_quiet):.0%} of the cores as the run starts")
    print("\n".join(machine_info()), end="\n\n", flush=True)
    start, started = cpu_seconds(), time.monotonic()
    print(run(args.repeats, args.loop_repeats))
    wall = time.monotonic() - started
    print(f"\nrun took {wall:.0f} s; other processes kept "
          f"{others_share(start, cpu_seconds(), wall):.0%} of the cores busy meanwhile")


if __name__ == "__main__":
    main()
