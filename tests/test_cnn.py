"""The CNN sneak peek runs for real when Keras and a backend are installed (requirements-cnn.txt)."""
import os
import re

import pytest
from nbclient import NotebookClient

from backprop_lab import paths
from backprop_lab.authoring import build

pytestmark = pytest.mark.cnn


def _run(tmp_path, environment):
    notebook = build.build_notebook(paths.NOTEBOOKS / "03_cnn_peek.py")
    client = NotebookClient(notebook, timeout=600, kernel_name="python3", allow_errors=False,
                            resources={"metadata": {"path": str(tmp_path)}})
    saved = dict(os.environ)
    os.environ.update(environment)
    try:
        client.execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return "".join(output.get("text", "") for cell in notebook.cells if cell.cell_type == "code"
                   for output in cell.outputs if output.output_type == "stream")


def test_cnn_trains_on_the_course_digits(tmp_path):
    """With Keras on its PyTorch backend, does the CNN train and beat the dense network's ~92 %?"""
    pytest.importorskip("torch")
    text = _run(tmp_path, {"KERAS_BACKEND": "torch"})
    accuracy = re.search(r"Test set accuracy of the CNN: ([\d.]+)%", text)
    assert accuracy, text[-2000:]
    assert float(accuracy.group(1)) > 93.0


def test_without_keras_the_notebook_says_what_to_install(tmp_path):
    """Where Keras cannot load, does the notebook run through and say how to install it?"""
    # An unknown backend makes `import keras` fail the way a missing installation does.
    text = _run(tmp_path, {"KERAS_BACKEND": "no-such-backend"})
    assert "pip install -r requirements-cnn.txt" in text
