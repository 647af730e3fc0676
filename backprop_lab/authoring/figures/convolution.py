"""The figures of notebook 02_convolution: the Square image, the two edge filters, the animation.

Every value is :mod:`backprop_lab.reference.convolution`'s. The GIF is quantised to one palette
shared by all frames, so a rebuild gives a byte-identical file.
"""
from pathlib import Path

import matplotlib
import matplotlib.style
import numpy as np
from matplotlib.patches import Rectangle
from PIL import Image

from backprop_lab.authoring.figures.drawing import HIGHLIGHT, INK, MUTED, STYLE, canvas, given, save, styled
from backprop_lab.reference import convolution

GIF_DPI = 80       # the animation's frames
GIF_COLOURS = 32   # one shared palette for all frames
GIF_FRAME_MS = 400
GIF_LAST_FRAME_MS = 2500


def draw_square(path):
    """square.png: convolution.square_image() as an exact 8-bit grayscale PNG, pixel for pixel."""
    pixels = np.round(255.0 * convolution.square_image()).astype(np.uint8)
    Image.fromarray(pixels, mode="L").save(path, format="PNG")
    return Path(path)


@styled
def draw_edge_filters(path):
    """edge_filters.png: filterOne and filterTwo as grids of weights."""
    fig, ax = canvas(8.0, 4.2)
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
                ax.text(x + (j + 0.5) * cell, top - (i + 0.5) * cell, given(value),
                        ha="center", va="center", fontsize=18, color=INK)
    ax.text(4.0, 0.35, "Each output pixel = sum(3 \u00d7 3 window \u2299 filter): large where the "
            "image gets brighter\nto the right (filterOne) or downwards (filterTwo), negative "
            "where it gets darker.", ha="center", va="center", fontsize=10, color=MUTED,
            linespacing=1.5)
    save(fig, path)


def _gif_image():
    """The small image the animation slides over: every 2nd pixel of the Square image (6 x 6)."""
    return convolution.square_image()[3:15:2, 3:15:2]


def draw_convolution_gif(path):
    """convolution.gif: filterOne sliding over a zero-padded 6 x 6 image, output filling in."""
    with matplotlib.style.context("default"), matplotlib.rc_context(STYLE):
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
    fig, ax = canvas(8.4, 4.2)
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
            ax.text(x_in + (j + 0.5) * cell, top - (i + 0.5) * cell, given(value), ha="center",
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
            ax.text(x_k + (j + 0.5) * cell, k_top - (i + 0.5) * cell, given(kernel[i, j]),
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
            out_texts[r, c].set_text(given(value))
            out_texts[r, c].set_color("white" if abs(value) > 0.6 * limit else INK)
            caption.set_text(f"output[{r}, {c}] = sum(window \u2299 filterOne) = {given(value)}")
            frames.append(grab())
    # A last, clean frame: the whole output, no highlight.
    window.set_visible(False)
    current.set_visible(False)
    caption.set_text("filterOne: positive on the left edge, negative on the right edge")
    frames.append(grab())
    return frames
