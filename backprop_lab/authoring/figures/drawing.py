"""The course's drawing style and the pieces every figure is made of.

Most figures are drawn on one full-figure axes whose data unit is one inch (see :func:`canvas`),
which makes font sizes and box sizes easy to fit together. :func:`num` writes a computed value,
:func:`given` a value the course sets; :func:`matrix` draws a table of numbers, and
:func:`row_of_matrices` an equation of them. PNGs are saved at a fixed dpi without the "Software"
metadata, so a rebuild gives byte-identical files.
"""
import functools
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.style  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle  # noqa: E402

DPI = 100          # every PNG figure (pixels = inches * DPI)

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

STYLE = {
    "font.family": "DejaVu Sans",
    "mathtext.fontset": "dejavusans",
    "font.size": 12,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "axes.unicode_minus": True,
}


def styled(draw):
    """Run ``draw`` under the course style, independent of the user's matplotlibrc."""
    @functools.wraps(draw)
    def wrapper(path):
        with matplotlib.style.context("default"), matplotlib.rc_context(STYLE):
            draw(Path(path))
        return Path(path)
    return wrapper


def canvas(width, height):
    """A white figure of ``width`` x ``height`` inches with one axes whose data unit is 1 inch."""
    fig = Figure(figsize=(width, height), facecolor="white")
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_axis_off()
    return fig, ax


def save(fig, path, dpi=DPI):
    fig.savefig(path, dpi=dpi, facecolor="white", metadata={"Software": None})


def num(value):
    """A computed value: three decimals and a real minus sign."""
    text = f"{value:.3f}"
    if text == "-0.000":
        text = "0.000"
    return text.replace("-", "\u2212")


def given(value):
    """A value the course sets (inputs, labels, weights): as short as it is exact to 3 places."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text.replace("-", "\u2212")


CELL_W, CELL_H = 0.64, 0.30


def matrix(ax, M, x, top, title=None, fmt=num, ones_cols=(), shade_cols=(), shade_rows=(),
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


def text_pieces(ax, cx, cy, pieces, fontsize=14):
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


def row_of_matrices(ax, items, x, top, gap=0.5, examples=True):
    """Draw matrices left to right with operators between them.

    ``items`` alternates dicts of :func:`matrix` keyword arguments (with ``M``) and operator
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
        left, low, right, _, table_top = matrix(ax, x=x, top=top, **kwargs)
        rows = np.atleast_2d(kwargs["M"]).shape[0]
        if row_mid is None:
            row_mid = table_top - min(rows, 2) * kwargs.get("cell_h", CELL_H) / 2
        bottom = min(bottom, low)
        x = right
    return bottom


def _example_labels(rows):
    return [f"example {i + 1}" for i in range(rows)]


def box(ax, cx, cy, width, height, lines, edge=INK, fill="white", sizes=(15, 11)):
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


def arrow(ax, start, end, color=INK, width=1.6, style="-|>", mutation=16, shrink=0.0, **kwargs):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle=style, mutation_scale=mutation,
                                 color=color, linewidth=width, shrinkA=shrink, shrinkB=shrink,
                                 **kwargs))
