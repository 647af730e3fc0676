"""Every picture the course shows, drawn by code, one module per notebook.

``build_all(out_dir)`` writes the files named in :data:`FIGURES` (by default into images/, where the
notebooks link them); each figure has its own ``draw_*(path)`` function. backprop.py draws the
figures of 01_backprop, convolution.py those of 02_convolution, and drawing.py holds the style and
pieces they share. Every number a figure shows is computed from :mod:`backprop_lab.reference`,
never typed, and a rebuild gives byte-identical files.
"""
from pathlib import Path

from backprop_lab import paths
from backprop_lab.authoring.figures import backprop, convolution

BUILDERS = {
    "chain_rule.png": backprop.draw_chain_rule,
    "example_network.png": backprop.draw_example_network,
    "toy_forward.png": backprop.draw_toy_forward,
    "toy_deltas.png": backprop.draw_toy_deltas,
    "regularised_gradient.png": backprop.draw_regularised_gradient,
    "square.png": convolution.draw_square,
    "edge_filters.png": convolution.draw_edge_filters,
    "convolution.gif": convolution.draw_convolution_gif,
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
