"""The figures of notebook 01_backprop: the toy network forwards and backwards, the chain rule,
the regularised gradient.

Every number they show is computed from
:func:`backprop_lab.reference.toy_worked.worked_example` and :mod:`backprop_lab.reference.network`,
never typed.
"""
from matplotlib.patches import Circle, FancyArrowPatch

from backprop_lab.authoring.figures.drawing import (
    BACKWARD, BIAS_FILL, BIAS_STRONG, BIAS_TEXT, FACTOR_COLOURS, FORWARD, GRID, INK, MUTED, arrow, box, canvas,
    given, matrix, num, row_of_matrices, save, styled, text_pieces)
from backprop_lab.reference import network
from backprop_lab.reference import toy_worked as toy

# Toy network layout: (x of each layer, y of each unit, bias unit first).
_UNIT_Y = (3.55, 2.35, 1.15)
_NODE_R = 0.36


def _toy_layers(x_positions):
    """Node centres of the toy network: list per layer of (x, y, is_bias)."""
    sizes = (toy.INPUT_SIZE, toy.HIDDEN_SIZE, toy.N_CLASSES)
    layers = []
    for layer, (x, size) in enumerate(zip(x_positions, sizes)):
        has_bias = layer < 2
        ys = _UNIT_Y[:size + 1] if has_bias else _UNIT_Y[:size]
        layers.append([(x, y, has_bias and k == 0) for k, y in enumerate(ys)])
    return layers


def _draw_toy_edges(ax, layers, color=GRID, backward=False, radius=_NODE_R):
    """Every unit of layer l feeds every non-bias unit of layer l + 1.

    With ``backward`` the arrows point from layer l + 1 back to layer l and skip the bias
    units of layer l, which get no delta.
    """
    shrink = radius * 72 + 3  # points: stop the arrows at the circles
    for left, right in zip(layers[:-1], layers[1:]):
        for (x0, y0, bias0) in left:
            if backward and bias0:
                continue
            for (x1, y1, bias1) in right:
                if bias1:
                    continue
                start, end = ((x1, y1), (x0, y0)) if backward else ((x0, y0), (x1, y1))
                ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=10,
                                             color=color, linewidth=1.0, shrinkA=shrink,
                                             shrinkB=shrink, zorder=1))


def _draw_node(ax, x, y, label, bias=False, edge=INK, radius=_NODE_R, fontsize=14):
    ax.add_patch(Circle((x, y), radius, facecolor=BIAS_FILL if bias else "white", edgecolor=edge,
                        linewidth=1.6, linestyle="--" if bias else "-", zorder=3))
    ax.text(x, y, label, ha="center", va="center", fontsize=fontsize, color=INK, zorder=4)


def chain_rule_numbers(example=0, unit=0, source=1):
    """The numbers chain_rule.png shows, computed from the toy network.

    One output unit ``unit`` (0-based row of THETA2) on training example ``example``, and the
    weight ``w_k`` from hidden unit k = ``source`` (1-based, the column of THETA2: column 0 is
    the bias). Returns a dict of floats and arrays: ``weights`` w_1..w_n and ``activations``
    a_1..a_n of the hidden layer (n,), ``terms`` their products (n,), ``b``, ``z``, ``a``,
    ``y``, the three factors ``dz_dw``, ``da_dz``, ``dc_da``, their product ``dc_dw`` and
    ``delta`` = a - y; plus ``example``, ``unit``, ``source``.
    """
    wx = toy.worked_example()
    weights = toy.THETA2[unit, 1:]
    activations = wx["A2"][example, 1:]
    b = toy.THETA2[unit, 0]
    z = wx["Z3"][example, unit]          # = sum(weights * activations) + b
    a = wx["A3"][example, unit]
    y = toy.Y[example, unit]
    dz_dw = activations[source - 1]
    da_dz = network.sigmoid_gradient(z)
    dc_da = -y / a + (1.0 - y) / (1.0 - a)   # cross-entropy C = -[y log a + (1 - y) log(1 - a)]
    return {"example": example, "unit": unit, "source": source,
            "weights": weights, "activations": activations, "terms": weights * activations,
            "b": b, "z": z, "a": a, "y": y, "dz_dw": dz_dw, "da_dz": da_dz, "dc_da": dc_da,
            "dc_dw": dc_da * da_dz * dz_dw,
            "delta": wx["DELTA3"][example, unit]}  # = dc_da * da_dz for the cross-entropy cost


def chain_rule_figure(numbers=None):
    """The chain_rule.png Figure, drawn from :func:`chain_rule_numbers` (unsaved)."""
    n = chain_rule_numbers() if numbers is None else numbers
    k = n["source"]
    fig, ax = canvas(13.9, 5.6)
    mid = 6.95
    ax.text(mid, 5.25, f"The chain rule for one weight $w_{k}$ into an output neuron",
            ha="center", va="center", fontsize=16, color=INK, weight="bold")
    cy = 3.8
    # The weighted sum, with every term: w_1 a_1 + w_2 a_2 + b.
    products = " + ".join(f"({given(w)})({num(a)})" for w, a in zip(n["weights"], n["activations"]))
    boxes = [  # (centre x, width, lines)
        (0.8, 1.2, [f"$w_{k}$", f"= {given(n['weights'][k - 1])}"]),
        (5.05, 3.7, [r"$z = \sum_k w_k\,a_k + b$", f"= {products} + {given(n['b'])}",
                     f"= {num(n['z'])}"]),
        (9.8, 1.8, [r"$a = \sigma(z)$", f"= {num(n['a'])}"]),
        (13.0, 1.4, [r"$C(a, y)$", f"y = {given(n['y'])}"]),
    ]
    for cx, width, lines in boxes:
        if len(lines) == 2:
            box(ax, cx, cy, width, 1.0, lines)
        else:
            box(ax, cx, cy, width, 1.3, lines[:1])
            ax.texts[-1].set_y(cy + 0.33)
            for offset, line in zip((-0.08, -0.4), lines[1:]):
                ax.text(cx, cy + offset, line, ha="center", va="center", fontsize=11, color=MUTED)
    dz_dw_tex = rf"\dfrac{{\partial z}}{{\partial w_{k}}}"
    da_dz_tex = r"\dfrac{\partial a}{\partial z}"
    dc_da_tex = r"\dfrac{\partial C}{\partial a}"
    labels = [
        (f"${dz_dw_tex} = a_{k}$", None, n["dz_dw"]),
        (f"${da_dz_tex} = \\sigma'(z)$", r"$= \sigma(z)\,(1-\sigma(z))$", n["da_dz"]),
        (f"${dc_da_tex}$", None, n["dc_da"]),
    ]
    for (left, right), (label, extra, value), colour in zip(zip(boxes[:-1], boxes[1:]), labels,
                                                            FACTOR_COLOURS):
        x0 = left[0] + left[1] / 2 + 0.08
        x1 = right[0] - right[1] / 2 - 0.08
        arrow(ax, (x0, cy), (x1, cy), color=colour, width=2.2, mutation=20)
        xm = (x0 + x1) / 2
        ax.text(xm, cy + 0.14, label, ha="center", va="bottom", fontsize=14, color=colour)
        below = f"= {num(value)}" if extra is None else extra + f"\n= {num(value)}"
        ax.text(xm, cy - 0.16, below, ha="center", va="top", fontsize=11.5, color=colour,
                linespacing=1.6)

    blue, orange, green = FACTOR_COLOURS
    text_pieces(ax, mid, 2.1, [
        (rf"$\dfrac{{\partial C}}{{\partial w_{k}}} \;=\; $", INK),
        (f"${dc_da_tex}$", green), (r"$\;\cdot\;$", INK),
        (f"${da_dz_tex}$", orange), (r"$\;\cdot\;$", INK),
        (f"${dz_dw_tex}$", blue),
    ], fontsize=20)
    text_pieces(ax, mid, 1.35, [
        ("= ", INK), (f"({num(n['dc_da'])})", green), (" \u00b7 ", INK),
        (f"({num(n['da_dz'])})", orange), (" \u00b7 ", INK), (f"({num(n['dz_dw'])})", blue),
        (f" = {num(n['dc_dw'])}", INK),
    ], fontsize=14)
    ax.text(mid, 0.8,
            f"and $\\dfrac{{\\partial C}}{{\\partial a}}\\cdot"
            f"\\dfrac{{\\partial a}}{{\\partial z}} = a - y = \\delta$ = {num(n['delta'])}, "
            f"so  $\\dfrac{{\\partial C}}{{\\partial w_{k}}} = \\delta\\,a_{k}$",
            ha="center", va="center", fontsize=11, color=INK)
    ax.text(mid, 0.25,
            f"Toy network, training example {n['example'] + 1}, output unit j = {n['unit'] + 1}: "
            f"$w_k = w^{{(3)}}_{{{n['unit'] + 1},k}}$ = $\\Theta^{{(2)}}_{{{n['unit'] + 1},k}}$, "
            f"$a_k = a^{{(2)}}_k$, $b = b^{{(3)}}_{{{n['unit'] + 1}}}$ = $\\Theta^{{(2)}}_{{{n['unit'] + 1},0}}$; "
            "cost $C = -[y \\log a + (1-y) \\log(1-a)]$.",
            ha="center", va="center", fontsize=10, color=MUTED)
    return fig


@styled
def draw_chain_rule(path):
    """chain_rule.png: the chain rule for one weight into one output neuron."""
    save(chain_rule_figure(), path)


@styled
def draw_example_network(path):
    """example_network.png: the toy network on training example 1, with the output deltas."""
    wx = toy.worked_example()
    example = 0
    a1 = wx["A1"][example]
    a2 = wx["A2"][example]
    a3 = wx["A3"][example]
    y = toy.Y[example]
    delta3 = wx["DELTA3"][example]

    fig, ax = canvas(11.0, 5.3)
    ax.text(5.5, 4.95, "The toy network on training example 1", ha="center", va="center",
            fontsize=16, weight="bold", color=INK)
    xs = (1.2, 4.0, 6.8)
    layers = _toy_layers(xs)
    _draw_toy_edges(ax, layers, color="#8c8c8c")
    values = (a1, a2, a3)
    symbols = (
        [r"$+1$"] + [f"$x_{{{k}}}$" for k in range(1, toy.INPUT_SIZE + 1)],
        [r"$+1$"] + [f"$a^{{(2)}}_{{{k}}}$" for k in range(1, toy.HIDDEN_SIZE + 1)],
        [f"$a^{{(3)}}_{{{k}}}$" for k in range(1, toy.N_CLASSES + 1)],
    )
    for layer, (nodes, vals, labels) in enumerate(zip(layers, values, symbols)):
        for (x, yy, bias), value, label in zip(nodes, vals, labels):
            _draw_node(ax, x, yy, label, bias=bias)
            if layer < 2:  # the activation just above the node
                text = given(value) if layer == 0 or bias else num(value)
                ax.text(x, yy + _NODE_R + 0.06, text, ha="center", va="bottom", fontsize=11,
                        color=FORWARD)
    for (x, yy, _), a_j, y_j, d_j, j in zip(layers[2], a3, y, delta3, range(1, 4)):
        ax.text(x + _NODE_R + 0.25, yy + 0.03, f"$a_{j}$ = {num(a_j)}    $y_{j}$ = {given(y_j)}",
                ha="left", va="bottom", fontsize=12, color=INK)
        ax.text(x + _NODE_R + 0.25, yy - 0.03, f"$\\delta_{j} = a_{j} - y_{j}$ = {num(d_j)}",
                ha="left", va="top", fontsize=12, color=BACKWARD)
    for x, name in zip(xs, ("input layer", "hidden layer", "output layer")):
        ax.text(x, 0.45, name, ha="center", va="center", fontsize=12, color=MUTED)
    ax.text((xs[0] + xs[1]) / 2, 4.3, r"$\Theta^{(1)}$", ha="center", fontsize=14, color=MUTED)
    ax.text((xs[1] + xs[2]) / 2, 4.3, r"$\Theta^{(2)}$", ha="center", fontsize=14, color=MUTED)
    ax.text(5.5, 0.15,
            "Dashed units are bias units (always +1).  Cross-entropy cost: "
            "the output delta is $\\delta_j = a_j - y_j$ (the $\\sigma'(z)$ factor cancels).",
            ha="center", va="center", fontsize=10, color=MUTED)
    save(fig, path)


@styled
def draw_toy_forward(path):
    """toy_forward.png: the forward pass as matrix products, both training examples at once."""
    wx = toy.worked_example()
    inputs = [r"$1$"] + [f"$x_{k}$" for k in range(1, toy.INPUT_SIZE + 1)]
    hidden = [r"$1$"] + [f"$a_{k}$" for k in range(1, toy.HIDDEN_SIZE + 1)]
    hidden_units = [f"unit {k}" for k in range(1, toy.HIDDEN_SIZE + 1)]
    output_units = [f"unit {k}" for k in range(1, toy.N_CLASSES + 1)]

    fig, ax = canvas(11.6, 5.4)
    ax.text(5.8, 5.1, "Forward pass of the toy network, both training examples at once",
            ha="center", va="center", fontsize=16, weight="bold", color=INK)
    x0 = 1.25
    low = row_of_matrices(ax, [
        dict(M=wx["A1"], title=r"$A^{(1)}$", fmt=given, ones_cols=(0,), shade_cols=(0,),
             col_labels=inputs),
        "\u00b7",
        dict(M=toy.THETA1.T, title=r"$\Theta^{(1)\top}$", fmt=given, shade_rows=(0,),
             col_labels=hidden_units),
        "=",
        dict(M=wx["Z2"], title=r"$Z^{(2)} = A^{(1)}\,\Theta^{(1)\top}$", col_labels=hidden_units),
        "\u2192",
        dict(M=wx["A2"], title=r"$A^{(2)} = [\,1,\ \sigma(Z^{(2)})\,]$", ones_cols=(0,),
             shade_cols=(0,), col_labels=hidden),
    ], x0, 4.75, gap=0.75)
    row_of_matrices(ax, [
        dict(M=wx["A2"], title=r"$A^{(2)}$", ones_cols=(0,), shade_cols=(0,), col_labels=hidden),
        "\u00b7",
        dict(M=toy.THETA2.T, title=r"$\Theta^{(2)\top}$", fmt=given, shade_rows=(0,),
             col_labels=output_units),
        "=",
        dict(M=wx["Z3"], title=r"$Z^{(3)} = A^{(2)}\,\Theta^{(2)\top}$", col_labels=output_units),
        "\u2192",
        dict(M=wx["A3"], title=r"$A^{(3)} = \sigma(Z^{(3)})$", col_labels=output_units),
    ], x0, low - 0.15, gap=0.75)
    ax.text(5.8, 0.2, "One row per training example.  Shaded: the column of ones and the bias row "
            "it multiplies.", ha="center", va="center", fontsize=10, color=MUTED)
    save(fig, path)


@styled
def draw_toy_deltas(path):
    """toy_deltas.png: the backward pass of the toy network as matrices."""
    wx = toy.worked_example()
    m = toy.X.shape[0]
    theta2_weights = toy.THETA2[:, 1:]
    sigma_prime = network.sigmoid_gradient(wx["Z2"])
    outputs = [f"unit {k}" for k in range(1, toy.N_CLASSES + 1)]
    hidden_units = [f"unit {k}" for k in range(1, toy.HIDDEN_SIZE + 1)]
    hidden = [r"$1$"] + [f"$a_{k}$" for k in range(1, toy.HIDDEN_SIZE + 1)]
    inputs = [r"$1$"] + [f"$x_{k}$" for k in range(1, toy.INPUT_SIZE + 1)]

    fig, ax = canvas(13.0, 7.6)
    ax.text(6.5, 7.3, "Backward pass of the toy network", ha="center", va="center",
            fontsize=16, weight="bold", color=INK)

    # Left: the network with the deltas flowing backwards.
    xs = (0.6, 1.95, 3.3)
    layers = _toy_layers(xs)
    shift = 2.6  # move the small network up, next to the tables
    layers = [[(x, yy + shift, b) for (x, yy, b) in layer] for layer in layers]
    _draw_toy_edges(ax, layers[1:], color=BACKWARD, backward=True, radius=0.3)
    _draw_toy_edges(ax, layers[:2], color="#bbbbbb", radius=0.3)
    labels = (
        [r"$+1$"] + [f"$x_{k}$" for k in range(1, toy.INPUT_SIZE + 1)],
        [r"$+1$"] + [f"$\\delta^{{(2)}}_{k}$" for k in range(1, toy.HIDDEN_SIZE + 1)],
        [f"$\\delta^{{(3)}}_{k}$" for k in range(1, toy.N_CLASSES + 1)],
    )
    for nodes, names in zip(layers, labels):
        for (x, yy, bias), name in zip(nodes, names):
            _draw_node(ax, x, yy, name, bias=bias, radius=0.3, fontsize=12,
                       edge=INK if bias or x == xs[0] else BACKWARD)
    ax.text(xs[1], shift + _UNIT_Y[0] + 0.38, "bias: no delta", ha="center", va="bottom",
            fontsize=9, color=MUTED)
    ax.text(xs[1], shift + _UNIT_Y[0] + 0.8, "deltas flow backwards", ha="center",
            va="bottom", fontsize=11, color=BACKWARD)

    x0 = 5.1
    low = row_of_matrices(ax, [
        dict(M=wx["A3"], title=r"$A^{(3)}$", col_labels=outputs),
        "\u2212",
        dict(M=toy.Y, title=r"$Y$", fmt=given, col_labels=outputs),
        "=",
        dict(M=wx["DELTA3"], title=r"$\delta^{(3)} = A^{(3)} - Y$", col_labels=outputs),
    ], x0, 6.95, gap=0.55)
    low = row_of_matrices(ax, [
        dict(M=wx["DELTA3"], title=r"$\delta^{(3)}$", col_labels=outputs),
        "\u00b7",
        dict(M=theta2_weights, title=r"$\Theta^{(2)}$[:, 1:]", fmt=given,
             col_labels=hidden_units),
        "\u2299",
        dict(M=sigma_prime, title=r"$\sigma'(Z^{(2)})$", col_labels=hidden_units),
        "=",
        dict(M=wx["DELTA2"], title=r"$\delta^{(2)}$", col_labels=hidden_units),
    ], x0, low - 0.1, gap=0.55)
    ax.text(x0 + 3.9, low + 0.05,
            r"$\delta^{(2)} = (\delta^{(3)}\ \Theta^{(2)}$[:, 1:]$) \odot \sigma'(Z^{(2)})$"
            r"$,\quad \sigma'(z) = \sigma(z)\,(1-\sigma(z))$",
            ha="center", va="top", fontsize=13, color=BACKWARD)
    row_top = low - 0.45
    matrix(ax, wx["GRAD2"], x0, row_top,
            title=r"$D^{(2)} = \dfrac{1}{m}\Delta^{(2)} = \dfrac{1}{m}\,\delta^{(3)\top}A^{(2)}$",
            col_labels=hidden, row_labels=outputs, shade_cols=(0,), title_height=0.75)
    matrix(ax, wx["GRAD1"], x0 + 4.1, row_top,
            title=r"$D^{(1)} = \dfrac{1}{m}\Delta^{(1)} = \dfrac{1}{m}\,\delta^{(2)\top}A^{(1)}$",
            col_labels=inputs, row_labels=hidden_units, shade_cols=(0,), title_height=0.75)
    steps = (
        ("1.  output deltas", r"$\delta^{(3)} = A^{(3)} - Y$"),
        ("2.  hidden deltas", r"$\delta^{(2)} = (\delta^{(3)}\ \Theta^{(2)}$[:, 1:]$)"
                              r" \odot \sigma'(Z^{(2)})$"),
        ("3.  gradients", r"$D^{(l)} = \dfrac{1}{m}\,\delta^{(l+1)\top} A^{(l)}$"),
    )
    for k, (name, formula) in enumerate(steps):
        ax.text(0.3, 2.7 - 0.75 * k, name, ha="left", va="center", fontsize=11, color=BACKWARD,
                weight="bold")
        ax.text(0.55, 2.7 - 0.75 * k - 0.32, formula, ha="left", va="center", fontsize=12,
                color=INK)
    ax.text(8.4, 0.25,
            f"m = {m} training examples, one row each in $\\delta$; no regularisation here "
            "($\\lambda = 0$).  $D$ has the shape of $\\Theta$; shaded: the bias column.",
            ha="center", va="center", fontsize=10, color=MUTED)
    save(fig, path)


@styled
def draw_regularised_gradient(path):
    """regularised_gradient.png: the regularised gradient; the bias column is not regularised."""
    fig, ax = canvas(10.0, 6.0)
    ax.text(5.0, 5.65, "Regularised gradient", ha="center", va="center", fontsize=16,
            weight="bold", color=INK)
    ax.text(0.8, 4.8,
            r"$D^{(l)}_{jk} = \dfrac{1}{m}\,\Delta^{(l)}_{jk} + "
            r"\dfrac{\lambda}{m}\,\Theta^{(l)}_{jk}$",
            ha="left", va="center", fontsize=20, color=INK)
    ax.text(5.9, 4.8, r"for $k \geq 1$   (weights)", ha="left", va="center", fontsize=14,
            color=FORWARD)
    ax.text(0.8, 3.75, r"$D^{(l)}_{j0} = \dfrac{1}{m}\,\Delta^{(l)}_{j0}$", ha="left",
            va="center", fontsize=20, color=INK)
    ax.text(5.9, 3.75, r"for $k = 0$   (bias column)", ha="left", va="center", fontsize=14,
            color=BIAS_TEXT)

    theta = toy.THETA2
    rows, cols = theta.shape
    cell_w, cell_h = 0.85, 0.38
    x = 5.0 - cols * cell_w / 2
    _, _, right, _, table_top = matrix(
        ax, theta, x, 3.2, title=r"$\Theta^{(2)}$ of the toy network", fmt=given,
        shade_cols=(0,), col_labels=[f"$k = {k}$" for k in range(cols)],
        row_labels=[f"$j = {j}$" for j in range(1, rows + 1)], cell_w=cell_w, cell_h=cell_h,
        fontsize=12, title_size=13, show_shape=False, shade=BIAS_STRONG, title_height=0.45)
    bottom = table_top - rows * cell_h - 0.12
    # A bracket under the bias column and one under the weight columns, each with its rule.
    for x0, x1, text, colour, align in (
            (x, x + cell_w, "bias: not regularised", BIAS_TEXT, "right"),
            (x + cell_w, right, r"weights: $+\,\dfrac{\lambda}{m}\,\Theta_{jk}$", FORWARD,
             "left")):
        x0, x1 = x0 + 0.06, x1 - 0.06
        ax.plot([x0, x0, x1, x1], [bottom + 0.08, bottom, bottom, bottom + 0.08], color=colour,
                linewidth=1.6)
        xm = (x0 + x1) / 2
        ax.plot([xm, xm], [bottom, bottom - 0.2], color=colour, linewidth=1.6)
        ax.text(xm + (-0.25 if align == "left" else 0.25), bottom - 0.45, text, ha=align,
                va="center", fontsize=13, color=colour)
    ax.text(5.0, 0.22, "Row $j$: unit $j$ of layer $l + 1$ (numpy row $j - 1$); column $k$: "
            "what multiplies $a^{(l)}_k$, with $a^{(l)}_0 = 1$ for the bias.\n"
            "Bias weights only shift a unit's input; shrinking them towards 0 "
            "would not make the network smoother.", ha="center", va="center", fontsize=10,
            color=MUTED, linespacing=1.5)
    save(fig, path)
