"""Every picture the course shows, drawn by code.

``build_all(out_dir)`` writes the files named in :data:`FIGURES`; each figure has its own
``draw_*(path)`` function. Every number a figure shows is computed here from
:func:`backprop_lab.reference.toy_worked.worked_example`, :mod:`backprop_lab.reference.network` or
:mod:`backprop_lab.reference.convolution`, never typed. Output is deterministic: PNGs are saved at a
fixed dpi without the "Software" metadata, and the GIF is quantised to one palette, so a
rebuild gives byte-identical files.

Most figures are drawn on one full-figure axes whose data unit is one inch
(see :func:`_canvas`), which makes font sizes and box sizes easy to fit together.
"""
import functools
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.style  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Rectangle  # noqa: E402
from PIL import Image  # noqa: E402

from backprop_lab import paths  # noqa: E402
from backprop_lab.reference import convolution, network  # noqa: E402
from backprop_lab.reference import toy_worked as toy  # noqa: E402

DPI = 100          # every PNG figure (pixels = inches * DPI)
GIF_DPI = 80       # the animation's frames
GIF_COLOURS = 32   # one shared palette for all frames
GIF_FRAME_MS = 400
GIF_LAST_FRAME_MS = 2500

# Colours used with one meaning across figures.
INK = "#222222"
MUTED = "#666666"
GRID = "#9a9a9a"
BIAS_FILL = "#fff1c2"      # bias units, the column of ones, the bias column of a Theta
FORWARD = "#1f5fa8"        # forward pass
BACKWARD = "#c0392b"       # backward pass, deltas
HIGHLIGHT = "#d62728"
BIAS_STRONG = "#ffd98a"    # the bias column when it is the point of the figure
BIAS_TEXT = "#a86400"
FACTOR_COLOURS = ("#1f77b4", "#e67e00", "#2ca02c")  # dz/dw, da/dz, dC/da

_STYLE = {
    "font.family": "DejaVu Sans",
    "mathtext.fontset": "dejavusans",
    "font.size": 12,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "axes.unicode_minus": True,
}


# --------------------------------------------------------------------------- helpers

def _styled(draw):
    """Run ``draw`` under the course style, independent of the user's matplotlibrc."""
    @functools.wraps(draw)
    def wrapper(path):
        with matplotlib.style.context("default"), matplotlib.rc_context(_STYLE):
            draw(Path(path))
        return Path(path)
    return wrapper


def _canvas(width, height):
    """A white figure of ``width`` x ``height`` inches with one axes whose data unit is 1 inch."""
    fig = Figure(figsize=(width, height), facecolor="white")
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_axis_off()
    return fig, ax


def _save(fig, path, dpi=DPI):
    fig.savefig(path, dpi=dpi, facecolor="white", metadata={"Software": None})


def _num(value):
    """A computed value: three decimals and a real minus sign."""
    text = f"{value:.3f}"
    if text == "-0.000":
        text = "0.000"
    return text.replace("-", "\u2212")


def _given(value):
    """A value the course sets (inputs, labels, weights): as short as it is exact to 3 places."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text.replace("-", "\u2212")


CELL_W, CELL_H = 0.64, 0.30


def _matrix(ax, M, x, top, title=None, fmt=_num, ones_cols=(), shade_cols=(), shade_rows=(),
            col_labels=None, row_labels=None, cell_w=CELL_W, cell_h=CELL_H, fontsize=10,
            title_size=13, shade=BIAS_FILL, show_shape=True, title_height=0.5):
    """Draw matrix ``M`` as a table below the point (x, top).

    The title sits above the column labels, the shape ("2 x 3") below the table.
    ``ones_cols`` are printed as integers (the column of ones); ``shade_cols`` / ``shade_rows``
    are filled with ``shade``. Returns (left, bottom, right, top, table_top), where
    ``table_top`` is the y of the table's first row.
    """
    M = np.atleast_2d(np.asarray(M, dtype=float))
    rows, cols = M.shape
    y = top
    if title:  # centred in a band of title_height inches (taller for fractions)
        ax.text(x + cols * cell_w / 2, y - title_height / 2, title, ha="center",
                va="center_baseline", fontsize=title_size, color=INK)
        y -= title_height
    if col_labels is not None:
        for j, label in enumerate(col_labels):
            ax.text(x + (j + 0.5) * cell_w, y - 0.04, label, ha="center", va="top", fontsize=9,
                    color=MUTED)
        y -= 0.26
    table_top = y
    for i in range(rows):
        for j in range(cols):
            filled = j in shade_cols or i in shade_rows
            ax.add_patch(Rectangle((x + j * cell_w, table_top - (i + 1) * cell_h), cell_w, cell_h,
                                   facecolor=shade if filled else "white", edgecolor=GRID,
                                   linewidth=0.8))
            value = M[i, j]
            text = f"{value:.0f}" if j in ones_cols else fmt(value)
            ax.text(x + (j + 0.5) * cell_w, table_top - (i + 0.5) * cell_h, text, ha="center",
                    va="center", fontsize=fontsize, color=INK)
    bottom = table_top - rows * cell_h
    # Matrix brackets.
    for side, sign in ((x, 1), (x + cols * cell_w, -1)):
        ax.plot([side + sign * 0.07, side, side, side + sign * 0.07],
                [table_top + 0.02, table_top + 0.02, bottom - 0.02, bottom - 0.02],
                color=INK, linewidth=1.4, solid_capstyle="butt")
    if row_labels is not None:
        for i, label in enumerate(row_labels):
            ax.text(x - 0.12, table_top - (i + 0.5) * cell_h, label, ha="right", va="center",
                    fontsize=9, color=MUTED)
    if show_shape:
        ax.text(x + cols * cell_w / 2, bottom - 0.08, f"{rows} \u00d7 {cols}", ha="center",
                va="top", fontsize=9, color=MUTED)
        bottom -= 0.3
    return x, bottom, x + cols * cell_w, top, table_top


def _text_pieces(ax, cx, cy, pieces, fontsize=14):
    """Write (text, colour) pieces side by side on one line, centred at (cx, cy)."""
    renderer = ax.figure.canvas.get_renderer()
    to_data = ax.transData.inverted()
    artists, x = [], 0.0
    for text, colour in pieces:
        artist = ax.text(x, cy, text, ha="left", va="center_baseline", fontsize=fontsize,
                         color=colour)
        box = artist.get_window_extent(renderer)
        (x0, _), (x1, _) = to_data.transform([(box.x0, 0), (box.x1, 0)])
        artists.append((artist, x))
        x += x1 - x0
    for artist, offset in artists:
        artist.set_x(cx - x / 2 + offset)


def _operator(ax, x, y, text, fontsize=18, color=INK):
    if text == "\u00b7":  # a middle dot is tiny: draw the product as a round bullet
        text, fontsize = "\u2022", fontsize * 0.8
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, color=color)


def _row_of_matrices(ax, items, x, top, gap=0.5, examples=True):
    """Draw matrices left to right with operators between them.

    ``items`` alternates dicts of :func:`_matrix` keyword arguments (with ``M``) and operator
    strings. All matrices share their table row positions, so operators sit at mid-height.
    Returns the lowest y used.
    """
    bottom = top
    row_mid = None
    for k, item in enumerate(items):
        if isinstance(item, str):
            _operator(ax, x + gap / 2, row_mid, item)
            x += gap
            continue
        kwargs = dict(item)
        if examples and k == 0:
            kwargs.setdefault("row_labels", _example_labels(np.atleast_2d(kwargs["M"]).shape[0]))
        left, low, right, _, table_top = _matrix(ax, x=x, top=top, **kwargs)
        rows = np.atleast_2d(kwargs["M"]).shape[0]
        if row_mid is None:
            row_mid = table_top - min(rows, 2) * kwargs.get("cell_h", CELL_H) / 2
        bottom = min(bottom, low)
        x = right
    return bottom


def _example_labels(rows):
    return [f"example {i + 1}" for i in range(rows)]


def _box(ax, cx, cy, width, height, lines, edge=INK, fill="white", sizes=(15, 11)):
    """A rounded box centred at (cx, cy) with one or two lines of text."""
    ax.add_patch(FancyBboxPatch((cx - width / 2, cy - height / 2), width, height,
                                boxstyle="round,pad=0.02,rounding_size=0.12", facecolor=fill,
                                edgecolor=edge, linewidth=1.6))
    if len(lines) == 1:
        ax.text(cx, cy, lines[0], ha="center", va="center", fontsize=sizes[0], color=INK)
    else:
        ax.text(cx, cy + height * 0.17, lines[0], ha="center", va="center", fontsize=sizes[0],
                color=INK)
        ax.text(cx, cy - height * 0.24, lines[1], ha="center", va="center", fontsize=sizes[1],
                color=MUTED)


def _arrow(ax, start, end, color=INK, width=1.6, style="-|>", mutation=16, shrink=0.0, **kwargs):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle=style, mutation_scale=mutation,
                                 color=color, linewidth=width, shrinkA=shrink, shrinkB=shrink,
                                 **kwargs))


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


# --------------------------------------------------------------------------- figures

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
    fig, ax = _canvas(13.9, 5.6)
    mid = 6.95
    ax.text(mid, 5.25, f"The chain rule for one weight $w_{k}$ into an output neuron",
            ha="center", va="center", fontsize=16, color=INK, weight="bold")
    cy = 3.8
    # The weighted sum, with every term: w_1 a_1 + w_2 a_2 + b.
    products = " + ".join(f"({_given(w)})({_num(a)})" for w, a in zip(n["weights"], n["activations"]))
    boxes = [  # (centre x, width, lines)
        (0.8, 1.2, [f"$w_{k}$", f"= {_given(n['weights'][k - 1])}"]),
        (5.05, 3.7, [r"$z = \sum_k w_k\,a_k + b$", f"= {products} + {_given(n['b'])}",
                     f"= {_num(n['z'])}"]),
        (9.8, 1.8, [r"$a = \sigma(z)$", f"= {_num(n['a'])}"]),
        (13.0, 1.4, [r"$C(a, y)$", f"y = {_given(n['y'])}"]),
    ]
    for cx, width, lines in boxes:
        if len(lines) == 2:
            _box(ax, cx, cy, width, 1.0, lines)
        else:
            _box(ax, cx, cy, width, 1.3, lines[:1])
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
        _arrow(ax, (x0, cy), (x1, cy), color=colour, width=2.2, mutation=20)
        xm = (x0 + x1) / 2
        ax.text(xm, cy + 0.14, label, ha="center", va="bottom", fontsize=14, color=colour)
        below = f"= {_num(value)}" if extra is None else extra + f"\n= {_num(value)}"
        ax.text(xm, cy - 0.16, below, ha="center", va="top", fontsize=11.5, color=colour,
                linespacing=1.6)

    blue, orange, green = FACTOR_COLOURS
    _text_pieces(ax, mid, 2.1, [
        (rf"$\dfrac{{\partial C}}{{\partial w_{k}}} \;=\; $", INK),
        (f"${dc_da_tex}$", green), (r"$\;\cdot\;$", INK),
        (f"${da_dz_tex}$", orange), (r"$\;\cdot\;$", INK),
        (f"${dz_dw_tex}$", blue),
    ], fontsize=20)
    _text_pieces(ax, mid, 1.35, [
        ("= ", INK), (f"({_num(n['dc_da'])})", green), (" \u00b7 ", INK),
        (f"({_num(n['da_dz'])})", orange), (" \u00b7 ", INK), (f"({_num(n['dz_dw'])})", blue),
        (f" = {_num(n['dc_dw'])}", INK),
    ], fontsize=14)
    ax.text(mid, 0.8,
            f"and $\\dfrac{{\\partial C}}{{\\partial a}}\\cdot"
            f"\\dfrac{{\\partial a}}{{\\partial z}} = a - y = \\delta$ = {_num(n['delta'])}, "
            f"so  $\\dfrac{{\\partial C}}{{\\partial w_{k}}} = \\delta\\,a_{k}$",
            ha="center", va="center", fontsize=11, color=INK)
    ax.text(mid, 0.25,
            f"Toy network, training example {n['example'] + 1}, output unit j = {n['unit'] + 1}: "
            f"$w_k = w^{{(3)}}_{{{n['unit'] + 1},k}}$ = $\\Theta^{{(2)}}_{{{n['unit'] + 1},k}}$, "
            f"$a_k = a^{{(2)}}_k$, $b = b^{{(3)}}_{{{n['unit'] + 1}}}$ = $\\Theta^{{(2)}}_{{{n['unit'] + 1},0}}$; "
            "cost $C = -[y \\log a + (1-y) \\log(1-a)]$.",
            ha="center", va="center", fontsize=10, color=MUTED)
    return fig


@_styled
def draw_chain_rule(path):
    """chain_rule.png: the chain rule for one weight into one output neuron."""
    _save(chain_rule_figure(), path)


@_styled
def draw_example_network(path):
    """example_network.png: the toy network on training example 1, with the output deltas."""
    wx = toy.worked_example()
    example = 0
    a1 = wx["A1"][example]
    a2 = wx["A2"][example]
    a3 = wx["A3"][example]
    y = toy.Y[example]
    delta3 = wx["DELTA3"][example]

    fig, ax = _canvas(11.0, 5.3)
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
                text = _given(value) if layer == 0 or bias else _num(value)
                ax.text(x, yy + _NODE_R + 0.06, text, ha="center", va="bottom", fontsize=11,
                        color=FORWARD)
    for (x, yy, _), a_j, y_j, d_j, j in zip(layers[2], a3, y, delta3, range(1, 4)):
        ax.text(x + _NODE_R + 0.25, yy + 0.03, f"$a_{j}$ = {_num(a_j)}    $y_{j}$ = {_given(y_j)}",
                ha="left", va="bottom", fontsize=12, color=INK)
        ax.text(x + _NODE_R + 0.25, yy - 0.03, f"$\\delta_{j} = a_{j} - y_{j}$ = {_num(d_j)}",
                ha="left", va="top", fontsize=12, color=BACKWARD)
    for x, name in zip(xs, ("input layer", "hidden layer", "output layer")):
        ax.text(x, 0.45, name, ha="center", va="center", fontsize=12, color=MUTED)
    ax.text((xs[0] + xs[1]) / 2, 4.3, r"$\Theta^{(1)}$", ha="center", fontsize=14, color=MUTED)
    ax.text((xs[1] + xs[2]) / 2, 4.3, r"$\Theta^{(2)}$", ha="center", fontsize=14, color=MUTED)
    ax.text(5.5, 0.15,
            "Dashed units are bias units (always +1).  Cross-entropy cost: "
            "the output delta is $\\delta_j = a_j - y_j$ (the $\\sigma'(z)$ factor cancels).",
            ha="center", va="center", fontsize=10, color=MUTED)
    _save(fig, path)


@_styled
def draw_toy_forward(path):
    """toy_forward.png: the forward pass as matrix products, both training examples at once."""
    wx = toy.worked_example()
    inputs = [r"$1$"] + [f"$x_{k}$" for k in range(1, toy.INPUT_SIZE + 1)]
    hidden = [r"$1$"] + [f"$a_{k}$" for k in range(1, toy.HIDDEN_SIZE + 1)]
    hidden_units = [f"unit {k}" for k in range(1, toy.HIDDEN_SIZE + 1)]
    output_units = [f"unit {k}" for k in range(1, toy.N_CLASSES + 1)]

    fig, ax = _canvas(11.6, 5.4)
    ax.text(5.8, 5.1, "Forward pass of the toy network, both training examples at once",
            ha="center", va="center", fontsize=16, weight="bold", color=INK)
    x0 = 1.25
    low = _row_of_matrices(ax, [
        dict(M=wx["A1"], title=r"$A^{(1)}$", fmt=_given, ones_cols=(0,), shade_cols=(0,),
             col_labels=inputs),
        "\u00b7",
        dict(M=toy.THETA1.T, title=r"$\Theta^{(1)\top}$", fmt=_given, shade_rows=(0,),
             col_labels=hidden_units),
        "=",
        dict(M=wx["Z2"], title=r"$Z^{(2)} = A^{(1)}\,\Theta^{(1)\top}$", col_labels=hidden_units),
        "\u2192",
        dict(M=wx["A2"], title=r"$A^{(2)} = [\,1,\ \sigma(Z^{(2)})\,]$", ones_cols=(0,),
             shade_cols=(0,), col_labels=hidden),
    ], x0, 4.75, gap=0.75)
    _row_of_matrices(ax, [
        dict(M=wx["A2"], title=r"$A^{(2)}$", ones_cols=(0,), shade_cols=(0,), col_labels=hidden),
        "\u00b7",
        dict(M=toy.THETA2.T, title=r"$\Theta^{(2)\top}$", fmt=_given, shade_rows=(0,),
             col_labels=output_units),
        "=",
        dict(M=wx["Z3"], title=r"$Z^{(3)} = A^{(2)}\,\Theta^{(2)\top}$", col_labels=output_units),
        "\u2192",
        dict(M=wx["A3"], title=r"$A^{(3)} = \sigma(Z^{(3)})$", col_labels=output_units),
    ], x0, low - 0.15, gap=0.75)
    ax.text(5.8, 0.2, "One row per training example.  Shaded: the column of ones and the bias row "
            "it multiplies.", ha="center", va="center", fontsize=10, color=MUTED)
    _save(fig, path)


@_styled
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

    fig, ax = _canvas(13.0, 7.6)
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
    low = _row_of_matrices(ax, [
        dict(M=wx["A3"], title=r"$A^{(3)}$", col_labels=outputs),
        "\u2212",
        dict(M=toy.Y, title=r"$Y$", fmt=_given, col_labels=outputs),
        "=",
        dict(M=wx["DELTA3"], title=r"$\delta^{(3)} = A^{(3)} - Y$", col_labels=outputs),
    ], x0, 6.95, gap=0.55)
    low = _row_of_matrices(ax, [
        dict(M=wx["DELTA3"], title=r"$\delta^{(3)}$", col_labels=outputs),
        "\u00b7",
        dict(M=theta2_weights, title=r"$\Theta^{(2)}$[:, 1:]", fmt=_given,
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
    _matrix(ax, wx["GRAD2"], x0, row_top,
            title=r"$D^{(2)} = \dfrac{1}{m}\Delta^{(2)} = \dfrac{1}{m}\,\delta^{(3)\top}A^{(2)}$",
            col_labels=hidden, row_labels=outputs, shade_cols=(0,), title_height=0.75)
    _matrix(ax, wx["GRAD1"], x0 + 4.1, row_top,
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
    _save(fig, path)


@_styled
def draw_regularised_gradient(path):
    """regularised_gradient.png: the regularised gradient; the bias column is not regularised."""
    fig, ax = _canvas(10.0, 6.0)
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
    _, _, right, _, table_top = _matrix(
        ax, theta, x, 3.2, title=r"$\Theta^{(2)}$ of the toy network", fmt=_given,
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
    _save(fig, path)


def draw_square(path):
    """square.png: convolution.square_image() as an exact 8-bit grayscale PNG, pixel for pixel."""
    pixels = np.round(255.0 * convolution.square_image()).astype(np.uint8)
    Image.fromarray(pixels, mode="L").save(path, format="PNG")
    return Path(path)


@_styled
def draw_edge_filters(path):
    """edge_filters.png: filterOne and filterTwo as grids of weights."""
    fig, ax = _canvas(8.0, 4.2)
    cell = 0.8
    panels = ((convolution.FILTER_ONE, "filterOne (vertical edges)", 0.8),
              (convolution.FILTER_TWO, "filterTwo (horizontal edges)", 4.8))
    colours = {-1.0: "#a6c8ec", 0.0: "white", 1.0: "#f4b3a6"}
    for kernel, title, x in panels:
        rows, cols = kernel.shape
        top = 3.3
        ax.text(x + cols * cell / 2, 3.75, title, ha="center", va="center", fontsize=14,
                color=INK)
        for i in range(rows):
            for j in range(cols):
                value = kernel[i, j]
                ax.add_patch(Rectangle((x + j * cell, top - (i + 1) * cell), cell, cell,
                                       facecolor=colours.get(float(np.sign(value)), "white"),
                                       edgecolor=INK, linewidth=1.2))
                ax.text(x + (j + 0.5) * cell, top - (i + 0.5) * cell, _given(value),
                        ha="center", va="center", fontsize=18, color=INK)
    ax.text(4.0, 0.35, "Each output pixel = sum(3 \u00d7 3 window \u2299 filter): large where the "
            "image gets brighter\nto the right (filterOne) or downwards (filterTwo), negative "
            "where it gets darker.", ha="center", va="center", fontsize=10, color=MUTED,
            linespacing=1.5)
    _save(fig, path)


def _gif_image():
    """The small image the animation slides over: every 2nd pixel of the Square image (6 x 6)."""
    return convolution.square_image()[3:15:2, 3:15:2]


def draw_convolution_gif(path):
    """convolution.gif: filterOne sliding over a zero-padded 6 x 6 image, output filling in."""
    with matplotlib.style.context("default"), matplotlib.rc_context(_STYLE):
        frames = _convolution_frames()
    # One palette for every frame (from the first, a middle and the last frame) keeps the
    # colours steady and the file deterministic.
    sample = np.concatenate([frames[0], frames[len(frames) // 2], frames[-1]], axis=0)
    palette = Image.fromarray(sample).quantize(colors=GIF_COLOURS,
                                               method=Image.Quantize.MEDIANCUT,
                                               dither=Image.Dither.NONE)
    images = [Image.fromarray(f).quantize(palette=palette, dither=Image.Dither.NONE)
              for f in frames]
    durations = [GIF_FRAME_MS] * (len(images) - 1) + [GIF_LAST_FRAME_MS]
    images[0].save(path, format="GIF", save_all=True, append_images=images[1:],
                   duration=durations, loop=0, optimize=False)
    return Path(path)


def _convolution_frames():
    """RGB frames (one per output cell) of the sliding-window animation."""
    image = _gif_image()
    kernel = convolution.FILTER_ONE
    out = convolution.correlate_same(image, kernel)
    rows, cols = image.shape
    kh, kw = kernel.shape
    ph, pw = kh // 2, kw // 2
    padded = np.pad(image, ((ph, ph), (pw, pw)))
    limit = float(np.max(np.abs(out))) or 1.0
    cmap = matplotlib.colormaps["RdBu_r"]

    cell = 0.34
    fig, ax = _canvas(8.4, 4.2)
    fig.set_dpi(GIF_DPI)
    top = 3.55
    # Panel 1: the padded input.
    x_in = 0.35
    ax.text(x_in + padded.shape[1] * cell / 2, 3.9, "input, zero-padded", ha="center",
            va="center", fontsize=12, color=INK)
    for i in range(padded.shape[0]):
        for j in range(padded.shape[1]):
            is_pad = not (ph <= i < ph + rows and pw <= j < pw + cols)
            value = padded[i, j]
            shade = str(0.15 + 0.8 * value) if not is_pad else "#3b4a6b"
            ax.add_patch(Rectangle((x_in + j * cell, top - (i + 1) * cell), cell, cell,
                                   facecolor=shade, edgecolor="#777777", linewidth=0.6))
            ax.text(x_in + (j + 0.5) * cell, top - (i + 0.5) * cell, _given(value), ha="center",
                    va="center", fontsize=8.5, color="black" if value > 0.5 else "white")
    window = Rectangle((x_in, top - kh * cell), kw * cell, kh * cell, facecolor="none",
                       edgecolor=HIGHLIGHT, linewidth=3.0, zorder=5)
    ax.add_patch(window)
    ax.text(x_in + padded.shape[1] * cell / 2, top - padded.shape[0] * cell - 0.22,
            "dark blue: padding zeros", ha="center", va="center", fontsize=9, color=MUTED)

    # Panel 2: the kernel.
    x_k = x_in + padded.shape[1] * cell + 0.55
    k_top = top - (padded.shape[0] - kh) * cell / 2
    ax.text(x_k + kw * cell / 2, k_top + 0.35, "filterOne", ha="center", va="center",
            fontsize=12, color=INK)
    for i in range(kh):
        for j in range(kw):
            ax.add_patch(Rectangle((x_k + j * cell, k_top - (i + 1) * cell), cell, cell,
                                   facecolor="#fde2dc", edgecolor=HIGHLIGHT, linewidth=1.0))
            ax.text(x_k + (j + 0.5) * cell, k_top - (i + 0.5) * cell, _given(kernel[i, j]),
                    ha="center", va="center", fontsize=9, color=INK)
    ax.text(x_k - 0.28, k_top - kh * cell / 2, "\u2299", ha="center", va="center", fontsize=16,
            color=INK)
    ax.text(x_k + kw * cell + 0.3, k_top - kh * cell / 2, "\u2192", ha="center", va="center",
            fontsize=18, color=INK)

    # Panel 3: the output, filling in.
    x_out = x_k + kw * cell + 0.65
    o_top = top - ph * cell
    ax.text(x_out + cols * cell / 2, 3.9, "output (same size)", ha="center", va="center",
            fontsize=12, color=INK)
    out_cells, out_texts = {}, {}
    for i in range(rows):
        for j in range(cols):
            rect = Rectangle((x_out + j * cell, o_top - (i + 1) * cell), cell, cell,
                             facecolor="white", edgecolor="#999999", linewidth=0.6)
            ax.add_patch(rect)
            out_cells[i, j] = rect
            out_texts[i, j] = ax.text(x_out + (j + 0.5) * cell, o_top - (i + 0.5) * cell, "",
                                      ha="center", va="center", fontsize=9, color=INK)
    current = Rectangle((x_out, o_top - cell), cell, cell, facecolor="none", edgecolor=HIGHLIGHT,
                        linewidth=2.5, zorder=5)
    ax.add_patch(current)
    caption = ax.text(4.2, 0.35, "", ha="center", va="center", fontsize=12, color=INK)

    # Blitting: draw the static parts once, then only the artists that change per frame.
    dynamic = [*out_cells.values(), *out_texts.values(), window, current, caption]
    for artist in dynamic:
        artist.set_animated(True)
    fig.canvas.draw()
    background = fig.canvas.copy_from_bbox(fig.bbox)

    def grab():
        fig.canvas.restore_region(background)
        for artist in dynamic:
            if artist.get_visible():
                ax.draw_artist(artist)
        return np.array(fig.canvas.buffer_rgba())[:, :, :3]

    frames = []
    for r in range(rows):
        for c in range(cols):
            window.set_xy((x_in + c * cell, top - (r + kh) * cell))
            current.set_xy((x_out + c * cell, o_top - (r + 1) * cell))
            value = out[r, c]
            out_cells[r, c].set_facecolor(cmap(0.5 + 0.5 * value / (limit * 1.1)))
            out_texts[r, c].set_text(_given(value))
            out_texts[r, c].set_color("white" if abs(value) > 0.6 * limit else INK)
            caption.set_text(f"output[{r}, {c}] = sum(window \u2299 filterOne) = {_given(value)}")
            frames.append(grab())
    # A last, clean frame: the whole output, no highlight.
    window.set_visible(False)
    current.set_visible(False)
    caption.set_text("filterOne: positive on the left edge, negative on the right edge")
    frames.append(grab())
    return frames


# --------------------------------------------------------------------------- building

BUILDERS = {
    "chain_rule.png": draw_chain_rule,
    "example_network.png": draw_example_network,
    "toy_forward.png": draw_toy_forward,
    "toy_deltas.png": draw_toy_deltas,
    "regularised_gradient.png": draw_regularised_gradient,
    "square.png": draw_square,
    "edge_filters.png": draw_edge_filters,
    "convolution.gif": draw_convolution_gif,
}
FIGURES = list(BUILDERS)


def build_all(out_dir=paths.IMAGES, progress=False):
    """Write every file of :data:`FIGURES` into ``out_dir`` (created if needed).

    Returns the written paths, in the order of :data:`FIGURES`. With ``progress`` each path is
    printed as it is written.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, draw in BUILDERS.items():
        target = out_dir / name
        draw(target)
        if progress:
            print(f"wrote {target}")
        written.append(target)
    return written
