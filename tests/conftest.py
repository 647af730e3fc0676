"""Shared fixtures: a throw-away course directory built from the repository's notebooks/."""
import pytest

from backprop_lab import paths
from backprop_lab.authoring import build
from backprop_lab.pipeline import nbgrader_api


def pytest_configure(config):
    # A course built in a temporary folder must still find the repository's data and images.
    import os
    os.environ.setdefault("BACKPROP_LAB_DATA_DIR", str(paths.DATA))
    os.environ.setdefault("BACKPROP_LAB_IMAGES_DIR", str(paths.IMAGES))


@pytest.fixture(scope="session")
def course(tmp_path_factory):
    """notebooks/ -> source/ -> release/ in a fresh folder, exactly as `make release` does it."""
    root = tmp_path_factory.mktemp("course")
    build.build_source(source_dir=root / "source")
    nbgrader_api.release(root)
    return root
