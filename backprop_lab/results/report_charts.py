"""The class report's charts: statistics (report.PartStats, report.MistakeStats rows) -> PNG files.

Drawn on Agg without pyplot, with matplotlib's defaults whatever the user's matplotlibrc says, and
saved without "Software" metadata: the same rows give the same bytes on every machine. Each chart
returns its size in pixels, (width, height), for the page's <img> element. Rows are annotated as a
plain Sequence: importing report for its row types would close a cycle (report imports this module).
"""
from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence

DPI = 100
CHART_WIDTH = 9.5          # inches: 950 px, the width of the page's content, so charts are not scaled

# Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
FULL, PARTIAL, ZERO = "#009E73", "#E69F00", "#D55E00"
BAR = "#0072B2"


def _figure(height):
    """A white Agg figure CHART_WIDTH wide, made without pyplot so the caller's backend is untouched."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(CHART_WIDTH, height), facecolor="white", layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _save(figure, path):
    figure.savefig(path, dpi=DPI, facecolor="white", metadata={"Software": None})
    return round(CHART_WIDTH * DPI), round(figure.get_figheight() * DPI)


def _bar_height(rows):
    return 1.0 + 0.38 * len(rows)


@contextlib.contextmanager
def _chart_style():
    """matplotlib's defaults whatever the user's matplotlibrc says, so every machine draws the same PNGs."""
    import matplotlib
    import matplotlib.style

    with matplotlib.style.context("default"), matplotlib.rc_context(
            {"font.family": "DejaVu Sans", "font.size": 10, "axes.spines.top": False, "axes.spines.right": False}):
        yield


def chart_parts(rows: Sequence, path: str | os.PathLike[str]) -> tuple[int, int]:
    """Stacked bars: how many submissions got full, partial and zero marks on each part. -> (w, h) px"""
    with _chart_style():
        figure = _figure(_bar_height(rows) + 0.4)
        axes = figure.add_subplot()
        labels = [row.label for row in rows][::-1]
        left = [0] * len(rows)
        for name, colour, counts in (("full marks", FULL, [row.full for row in rows]),
                                     ("partial", PARTIAL, [row.partial for row in rows]),
                                     ("zero", ZERO, [row.zero for row in rows])):
            counts = counts[::-1]
            bars = axes.barh(labels, counts, left=left, color=colour, label=name, height=0.7)
            axes.bar_label(bars, labels=[str(c) if c else "" for c in counts], label_type="center",
                           color="white", fontweight="bold")
            left = [a + b for a, b in zip(left, counts)]
        axes.set_xlabel("submissions")
        axes.xaxis.get_major_locator().set_params(integer=True)
        axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=3, frameon=False)
        return _save(figure, path)


def chart_pass_rates(rows: Sequence, path: str | os.PathLike[str]) -> tuple[int, int]:
    """Horizontal bars of each check's pass rate, worst at the top. -> (w, h) px"""
    with _chart_style():
        figure = _figure(_bar_height(rows))
        axes = figure.add_subplot()
        shown = rows[::-1]
        bars = axes.barh([row.label for row in shown], [100 * row.pass_rate for row in shown], color=BAR, height=0.7)
        axes.bar_label(bars, labels=[f"{row.pass_rate:.0%} ({row.full}/{row.submissions})" for row in shown],
                       padding=3)
        axes.set_xlim(0, 118)
        axes.set_xticks(range(0, 101, 20))
        axes.set_xlabel("submissions with full marks (%)")
        return _save(figure, path)


def chart_mistakes(rows: Sequence, path: str | os.PathLike[str]) -> tuple[int, int]:
    """Horizontal bars of how many students made each mistake, most common at the top. -> (w, h) px"""
    with _chart_style():
        figure = _figure(_bar_height(rows))
        axes = figure.add_subplot()
        shown = rows[::-1]
        bars = axes.barh([row.id for row in shown], [len(row.students) for row in shown], color=ZERO, height=0.7)
        axes.bar_label(bars, padding=3)
        axes.set_xlim(0, max(len(row.students) for row in rows) * 1.15)
        axes.xaxis.get_major_locator().set_params(integer=True)
        axes.set_xlabel("students")
        return _save(figure, path)
