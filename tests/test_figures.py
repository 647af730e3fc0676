"""Figures, the convolution reference and the toy worked example they draw."""
import numpy as np
import pytest
import scipy.signal
from PIL import Image

from backprop_lab.authoring import figures
from backprop_lab.authoring.figures import backprop as backprop_figures
from backprop_lab.authoring.figures import drawing
from backprop_lab.reference import convolution, network
from backprop_lab.reference import toy_worked as toy

TOY_SIZES = (toy.INPUT_SIZE, toy.HIDDEN_SIZE, toy.N_CLASSES)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """All figures, built once for the module: (output directory, returned paths)."""
    out_dir = tmp_path_factory.mktemp("images")
    return out_dir, figures.build_all(out_dir)


# --------------------------------------------------------------------------- figures

def test_build_all_writes_every_figure(built):
    """Does build_all write exactly the files in FIGURES, each a non-empty image Pillow opens?"""
    out_dir, written = built
    assert [p.name for p in written] == figures.FIGURES
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(figures.FIGURES)
    assert len(set(figures.FIGURES)) == len(figures.FIGURES) == 8
    for path in written:
        assert path.stat().st_size > 0, path.name
        with Image.open(path) as image:
            image.verify()
        with Image.open(path) as image:
            assert image.format == ("GIF" if path.suffix == ".gif" else "PNG"), path.name
            assert min(image.size) >= 16, path.name


def test_diagrams_are_legible_size_on_white(built):
    """Are the drawn PNGs big enough to read, with a white background (corner pixel)?"""
    out_dir, _ = built
    for name in figures.FIGURES:
        if not name.endswith(".png") or name == "square.png":
            continue
        with Image.open(out_dir / name) as image:
            rgb = image.convert("RGB")
            assert rgb.width >= 600 and rgb.height >= 300, name
            assert rgb.getpixel((0, 0)) == (255, 255, 255), name
            assert rgb.getpixel((rgb.width - 1, rgb.height - 1)) == (255, 255, 255), name
            # Something was drawn: not a blank canvas.
            colours = rgb.getcolors(maxcolors=1 << 20)
            assert colours is not None and len(colours) > 10, name


def test_gif_is_a_small_looping_animation(built):
    """Does convolution.gif loop forever, with more than 10 frames and under 500 KB?"""
    out_dir, _ = built
    path = out_dir / "convolution.gif"
    assert path.stat().st_size < 500_000
    with Image.open(path) as gif:
        assert gif.n_frames > 10
        assert gif.is_animated
        assert gif.info.get("loop") == 0
        first = np.array(gif.convert("RGB"))
        gif.seek(gif.n_frames - 1)
        last = np.array(gif.convert("RGB"))
    assert not np.array_equal(first, last), "the output grid should fill in"


def test_rebuilding_gives_byte_identical_files(built, tmp_path):
    """Does a second build write exactly the same bytes (no timestamps, no randomness)?"""
    out_dir, _ = built
    again = figures.build_all(tmp_path)
    for path in again:
        assert path.read_bytes() == (out_dir / path.name).read_bytes(), path.name


def test_square_png_round_trips_exactly(built):
    """Does square.png load back as square_image(), pixel for pixel, at 16 x 16?"""
    out_dir, _ = built
    with Image.open(out_dir / "square.png") as image:
        assert image.size == (16, 16)
        loaded = np.array(image.convert("L")) / 255
    np.testing.assert_array_equal(loaded, convolution.square_image())


def test_each_draw_function_returns_its_path(tmp_path):
    """Does a single draw_* function write (and return) the path it was given?"""
    target = tmp_path / "square.png"
    assert figures.BUILDERS["square.png"](target) == target
    assert target.is_file()


# --------------------------------------------------------------------------- convolution

def test_square_image_is_a_white_square_on_black():
    """Is the Square image float64 16 x 16 in [0, 1], a filled white square on black?"""
    image = convolution.square_image()
    assert image.dtype == np.float64 and image.shape == (16, 16)
    assert set(np.unique(image)) == {0.0, 1.0}
    rows, cols = np.nonzero(image)
    filled = image[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    assert np.all(filled == 1.0), "the square is filled"
    assert 0 < rows.min() and rows.max() < 15 and 0 < cols.min() and cols.max() < 15
    image[:] = 7  # callers get their own copy
    assert convolution.square_image().max() == 1.0


def test_filters_detect_vertical_and_horizontal_edges():
    """Are filterOne / filterTwo the course's vertical / horizontal edge filters, as floats?"""
    np.testing.assert_array_equal(convolution.FILTER_ONE, [[-1, 0, 1]] * 3)
    np.testing.assert_array_equal(convolution.FILTER_TWO, [[-1] * 3, [0] * 3, [1] * 3])
    assert convolution.FILTER_ONE.dtype == convolution.FILTER_TWO.dtype == np.float64
    image = convolution.square_image()
    vertical = convolution.correlate_same(image, convolution.FILTER_ONE)
    horizontal = convolution.correlate_same(image, convolution.FILTER_TWO)
    middle = image.shape[0] // 2
    # Left edge of the square: brighter to the right -> positive; right edge -> negative.
    assert vertical[middle].max() > 0 > vertical[middle].min()
    assert np.all(vertical[:, middle] == 0), "no vertical edge through the square's middle"
    np.testing.assert_array_equal(horizontal, vertical.T)


@pytest.mark.parametrize("shape, kernel_shape", [
    ((7, 11), (3, 3)),
    ((12, 5), (5, 5)),
    ((9, 13), (3, 5)),
    ((16, 16), (5, 3)),
])
def test_correlate_same_matches_scipy_correlate2d(shape, kernel_shape):
    """Does correlate_same equal scipy's correlate2d(mode="same", boundary="fill")?"""
    rng = np.random.default_rng(sum(shape) * 31 + sum(kernel_shape))
    image = rng.normal(size=shape)
    kernel = rng.normal(size=kernel_shape)  # asymmetric
    expected = scipy.signal.correlate2d(image, kernel, mode="same", boundary="fill")
    result = convolution.correlate_same(image, kernel)
    assert result.shape == image.shape
    np.testing.assert_allclose(result, expected, rtol=1e-12, atol=1e-12)


def test_correlate_same_does_not_flip_the_kernel():
    """Is it cross-correlation (no flip), i.e. different from convolve2d for asymmetric kernels?"""
    rng = np.random.default_rng(3)
    image = rng.normal(size=(8, 10))
    kernel = rng.normal(size=(3, 3))
    flipped = scipy.signal.convolve2d(image, kernel, mode="same", boundary="fill")
    result = convolution.correlate_same(image, kernel)
    assert not np.allclose(result, flipped)
    # Convolution is correlation with the kernel rotated by 180 degrees.
    np.testing.assert_allclose(convolution.correlate_same(image, kernel[::-1, ::-1]), flipped,
                               rtol=1e-12, atol=1e-12)


def test_correlate_same_on_a_single_pixel_shows_the_kernel_upside_down():
    """Does a lone 1 in the image spread out as the kernel rotated by 180 degrees (no flip)?"""
    image = np.zeros((5, 5))
    image[2, 2] = 1.0
    kernel = np.arange(9.0).reshape(3, 3)
    np.testing.assert_array_equal(convolution.correlate_same(image, kernel)[1:4, 1:4],
                                  kernel[::-1, ::-1])


def test_correlate_same_rejects_even_kernels():
    """Does an even-sized kernel (no centre pixel) raise ValueError?"""
    with pytest.raises(ValueError):
        convolution.correlate_same(np.zeros((4, 4)), np.ones((2, 3)))


# --------------------------------------------------------------------------- toy example

def _toy_cost(thetas):
    return network.cost(thetas, toy.X, toy.Y, 0.0, *TOY_SIZES)


def test_toy_gradients_match_central_differences():
    """Are GRAD1 / GRAD2 of the worked example the numerical gradient of network.cost?"""
    wx = toy.worked_example()
    assert wx["GRAD1"].shape == toy.THETA1.shape and wx["GRAD2"].shape == toy.THETA2.shape
    numerical = network.numerical_gradient(_toy_cost, toy.thetas())
    analytic = network.pack(wx["GRAD1"], wx["GRAD2"])
    assert network.relative_error(analytic, numerical) < 1e-8
    # And the trusted network computes the same gradient.
    assert network.relative_error(network.gradient(toy.thetas(), toy.X, toy.Y, 0.0, *TOY_SIZES),
                                  analytic) < 1e-12


def test_toy_output_delta_is_a3_minus_y():
    """Is DELTA3 exactly A3 - Y (cross-entropy: no sigma' factor), one row per example?"""
    wx = toy.worked_example()
    assert wx["DELTA3"].shape == toy.Y.shape
    np.testing.assert_array_equal(wx["DELTA3"], wx["A3"] - toy.Y)
    np.testing.assert_allclose(wx["A3"], network.predict_proba(toy.thetas(), toy.X, *TOY_SIZES))


def test_toy_hidden_delta_uses_sigmoid_gradient_at_z2():
    """Is DELTA2 = (DELTA3 Theta2[:, 1:]) * sigma'(Z2), without the bias column of Theta2?"""
    wx = toy.worked_example()
    s = network.sigmoid(wx["Z2"])
    np.testing.assert_allclose(wx["DELTA2"], (wx["DELTA3"] @ toy.THETA2[:, 1:]) * s * (1 - s))


def test_sigmoid_gradient():
    """Is sigma'(0) = 0.25 and sigma'(z) = s(1 - s), s = sigma(z) (not sigma(z) sigma(1 - z))?"""
    assert network.sigmoid_gradient(0.0) == 0.25
    z = np.linspace(-6.0, 6.0, 25)
    s = network.sigmoid(z)
    np.testing.assert_allclose(network.sigmoid_gradient(z), s * (1.0 - s), rtol=1e-15, atol=0)
    wrong = s * network.sigmoid(1.0 - z)
    assert not np.allclose(network.sigmoid_gradient(z), wrong)


# --------------------------------------------------------------------------- worked numbers drawn

def _texts(fig):
    return [text.get_text() for ax in fig.axes for text in ax.texts]


def test_chain_rule_numbers_are_the_toy_networks():
    """Are the numbers chain_rule.png shows computed from the toy network, with z the sum over every
    hidden unit's term plus the bias (not one weight's term alone)?"""
    from backprop_lab.student import toy as student_toy
    numbers = backprop_figures.chain_rule_numbers()
    example, unit, k = numbers["example"], numbers["unit"], numbers["source"]
    forward = student_toy.forward()
    hidden = forward["A2"][example, 1:]
    weights = student_toy.THETA2[unit, 1:]
    assert len(numbers["terms"]) == student_toy.HIDDEN_SIZE == 2, "one term per hidden unit"
    np.testing.assert_array_equal(numbers["weights"], weights)
    np.testing.assert_allclose(numbers["activations"], hidden, rtol=1e-15)
    np.testing.assert_allclose(numbers["terms"], weights * hidden, rtol=1e-15)
    assert numbers["b"] == student_toy.THETA2[unit, 0]
    z = weights @ hidden + student_toy.THETA2[unit, 0]
    assert np.isclose(numbers["z"], z, rtol=1e-14) and np.isclose(z, forward["Z3"][example, unit], rtol=1e-14)
    one_term = weights[k - 1] * hidden[k - 1] + numbers["b"]
    assert not np.isclose(one_term, numbers["z"], atol=1e-3), "the old figure's w a_prev + b"
    a = network.sigmoid(z)
    y = student_toy.Y[example, unit]
    assert np.isclose(numbers["a"], a) and numbers["y"] == y
    assert numbers["dz_dw"] == hidden[k - 1]
    assert np.isclose(numbers["da_dz"], a * (1 - a))
    assert np.isclose(numbers["delta"], a - y)
    # dC/dw_k for this one example, against a central difference of the trusted cost.
    def cost_of(w):
        thetas = toy.thetas().copy()
        theta2 = thetas[toy.THETA1.size:].reshape(toy.THETA2.shape)
        theta2[unit, k] = w
        return network.cost(thetas, toy.X[example:example + 1], toy.Y[example:example + 1], 0.0, *TOY_SIZES)
    e = 1e-6
    w = weights[k - 1]
    # The cost sums over the three output units; only unit `unit` depends on this weight.
    assert np.isclose(numbers["dc_dw"], (cost_of(w + e) - cost_of(w - e)) / (2 * e), rtol=1e-7)
    assert np.isclose(numbers["dc_dw"], numbers["delta"] * numbers["dz_dw"], rtol=1e-12)


def test_chain_rule_figure_shows_both_terms_and_the_sum():
    """Does the drawn figure write z as the sum over k, with both terms and the bias, and each
    number as chain_rule_numbers gives it?"""
    numbers = backprop_figures.chain_rule_numbers()
    texts = _texts(backprop_figures.chain_rule_figure(numbers))
    joined = "\n".join(texts)
    assert r"$z = \sum_k w_k\,a_k + b$" in texts
    products = " + ".join(f"({drawing.given(w)})({drawing.num(a)})"
                          for w, a in zip(numbers["weights"], numbers["activations"]))
    assert f"= {products} + {drawing.given(numbers['b'])}" in texts
    assert "(\u22120.5)(0.646) + (0.8)(0.401) + 0.3" in products + f" + {drawing.given(numbers['b'])}"
    assert f"= {drawing.num(numbers['z'])}" in texts and drawing.num(numbers["z"]) == "0.298"
    for key in ("a", "dz_dw", "da_dz", "dc_da", "dc_dw", "delta"):
        assert drawing.num(numbers[key]) in joined, key
    assert "a_{\\mathrm{prev}} + b" not in joined


def test_regularised_gradient_uses_the_lessons_indices(tmp_path):
    """Does regularised_gradient.png index Theta_jk as the lesson does: rows j from 1, columns k from
    0 (the bias), and no i?"""
    from unittest import mock
    captured = {}
    real_save = drawing.save

    def keep(fig, path, dpi=drawing.DPI):
        captured["fig"] = fig
        real_save(fig, path, dpi)

    with mock.patch.object(backprop_figures, "save", keep):
        backprop_figures.draw_regularised_gradient(tmp_path / "regularised_gradient.png")
    texts = _texts(captured["fig"])
    rows, cols = toy.THETA2.shape
    assert [f"$j = {j}$" for j in range(1, rows + 1)] == [t for t in texts if t.startswith("$j = ")]
    assert [f"$k = {k}$" for k in range(cols)] == [t for t in texts if t.startswith("$k = ")]
    assert not any("i = " in t or "_{ij}" in t or "_{i0}" in t for t in texts)
    assert any("_{jk}" in t for t in texts) and any("_{j0}" in t for t in texts)
    drawn = [t for t in texts if t in {drawing.given(v) for v in toy.THETA2.ravel()}]
    assert drawn == [drawing.given(v) for v in toy.THETA2.ravel()]
