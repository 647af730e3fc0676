"""The sandbox's pieces: refusing to grade without it, the kernel it builds, what the grader accepts back."""
import base64
import io
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from backprop_lab import cli
from backprop_lab.sandbox import kernel, kernel_wire, bubblewrap
from backprop_lab.pipeline import autograde


def test_grading_refuses_without_bubblewrap(course, monkeypatch):
    """With bwrap missing, does autograde refuse with what to install and how to override?"""
    monkeypatch.setattr(bubblewrap, "bwrap", lambda: None)
    with pytest.raises(bubblewrap.SandboxUnavailable, match="apt-get install bubblewrap.*--unsafe-no-sandbox"):
        autograde.autograde(course, progress=False)


def test_cli_says_why_it_refused(monkeypatch, capsys):
    monkeypatch.setattr(bubblewrap, "bwrap", lambda: None)
    with pytest.raises(SystemExit) as stop:
        cli.main(["autograde"])
    assert stop.value.code == 1
    assert "autograde: refused" in capsys.readouterr().err


@pytest.mark.parametrize("sandboxed", [True, False])
def test_every_grading_kernel_finds_the_course_and_uses_one_blas_thread(tmp_path, monkeypatch, sandboxed):
    """With or without the sandbox, does a grading kernel get the course's data folder and one
    BLAS thread from sandbox.kernel, though the grader's own environment has neither?"""
    for name in [*bubblewrap.ONE_BLAS_THREAD, "BACKPROP_LAB_DATA_DIR", "BACKPROP_LAB_IMAGES_DIR"]:
        monkeypatch.delenv(name, raising=False)
    graded = kernel.GradingKernel(tmp_path, sandboxed=sandboxed, timeout=60)
    try:
        run = graded.run_cell("import os\nfrom backprop_lab.student import course\n"
                              "print(os.path.basename(course.dataFile('dataMNISTNeuralNetwork.npz')), "
                              "os.environ['OPENBLAS_NUM_THREADS'], os.environ['MKL_NUM_THREADS'])\n")
    finally:
        graded.shutdown()
    assert "".join(output.get("text", "") for output in run.outputs) == "dataMNISTNeuralNetwork.npz 1 1\n"
    assert "OPENBLAS_NUM_THREADS" not in os.environ  # the grader's environment is left as it was


def test_sandboxed_kernel_is_isolated(tmp_path, monkeypatch):
    """Does a sandboxed kernel run as another user, without network, without the grader's
    environment, and see only its folder of the course (not the reference or the checks)?"""
    (tmp_path / "mine.txt").write_text("mine")
    monkeypatch.setenv("BACKPROP_LAB_TEST_SECRET", "grader only")
    probe = kernel.GradingKernel(tmp_path, sandboxed=True, timeout=60)
    try:
        run = probe.run_cell(
            "import os, socket, importlib.util\n"
            "print('uid', os.getuid())\n"
            "print('files', sorted(os.listdir('.')))\n"
            "print('env', sorted(os.environ))\n"
            "print('network', importlib.util.find_spec('backprop_lab.reference'))\n"
            "print('checks', importlib.util.find_spec('backprop_lab.judging'))\n"
            "from backprop_lab.student import course, toy\n"
            "print('course', os.path.basename(course.dataFile('dataMNISTNeuralNetwork.npz')), toy.forward()['A3'].shape)\n"
            "import backprop_lab\n"
            "print('package', [sorted(os.listdir(folder)) for folder in backprop_lab.__path__])\n"
            "try:\n    socket.create_connection(('127.0.0.1', 9), timeout=1)\nexcept OSError as e:\n"
            "    print('connect', type(e).__name__)\n"
            "print('interfaces', socket.if_nameindex())\n")
    finally:
        probe.shutdown()
    text = "".join(output.get("text", "") for output in run.outputs)
    assert "files ['mine.txt']" in text
    assert "network None" in text and "checks None" in text
    assert "course dataMNISTNeuralNetwork.npz (2, 3)" in text
    assert "package [['student']]" in text  # the student package, the trust boundary, and nothing else
    assert "connect " in text and "eth" not in text.split("interfaces")[1]
    assert "'HOME'" in text and "BACKPROP_LAB_TEST_SECRET" not in text
    if bubblewrap.os.geteuid() == 0:
        assert "uid 0\n" not in text
    assert (tmp_path / "mine.txt").stat().st_uid == bubblewrap.os.geteuid()  # the kernel wrote to a copy


def test_sandboxed_kernel_has_a_file_quota(tmp_path):
    """Does a sandboxed kernel stop with "No space left on device" at Limits.quota_files files and
    at Limits.quota_bytes bytes, in its folder and /tmp together, go on running after it, and leave
    nothing in the real folder? (As root: nor can it add files to its sockets' folder.)"""
    limits = bubblewrap.Limits()
    (tmp_path / "mine.txt").write_text("mine")
    probe = kernel.GradingKernel(tmp_path, sandboxed=True, timeout=60)
    try:
        files = probe.run_cell(
            "import os, shutil, glob\n"
            "os.mkdir('many')\n"
            f"for made in range({limits.quota_files + 100}):\n"
            "    try:\n        open(f'/tmp/{made}' if made % 2 else f'many/{made}', 'w').close()\n"
            "    except OSError as error:\n        print('files', made, error.strerror)\n        break\n")
        written = probe.run_cell(
            "shutil.rmtree('many')\n"
            "for name in glob.glob('/tmp/[0-9]*'):\n    os.remove(name)\n"
            "written, chunk = 0, b'0' * 2**20\n"
            "try:\n"
            f"    for part in range({(limits.quota_bytes >> 23) + 2}):\n"  # 8 MB files: under the file size limit
            "        with open(f'/tmp/part{part}' if part % 2 else f'part{part}', 'wb') as handle:\n"
            "            for _ in range(8):\n                written += handle.write(chunk)\n"
            "except OSError as error:\n    print('bytes', written, error.strerror)\n")
        sockets = probe.run_cell(
            "from ipykernel.kernelapp import IPKernelApp\n"
            "folder = os.path.dirname(IPKernelApp.instance().connection_file)\n"
            "try:\n    open(os.path.join(folder, 'extra'), 'w').close()\n    print('sockets folder writable')\n"
            "except OSError as error:\n    print('sockets folder', error.strerror)\n"
            "print('after', 6 * 7)\n")
    finally:
        probe.shutdown()
    text = "".join(output.get("text", "") for run in (files, written, sockets) for output in run.outputs)
    made = re.search(r"^files (\d+) No space left on device$", text, re.MULTILINE)
    assert made, text
    # the kernel's own start-up (IPython's and matplotlib's folders, mount points) takes a few
    assert limits.quota_files - 40 <= int(made[1]) <= limits.quota_files, (made[1], limits.quota_files)
    stopped_at = re.search(r"^bytes (\d+) No space left on device$", text, re.MULTILINE)
    assert stopped_at, text
    assert limits.quota_bytes - (1 << 20) <= int(stopped_at[1]) <= limits.quota_bytes, stopped_at[1]
    assert "after 42" in text  # the kernel goes on after the quota's errors
    if bubblewrap.os.geteuid() == 0:
        assert "sockets folder Permission denied" in text, text
    assert sorted(path.name for path in tmp_path.rglob("*")) == ["mine.txt"]


def _npy(array, allow_pickle=False):
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=allow_pickle)
    return {"__ndarray__": base64.b64encode(buffer.getvalue()).decode()}


def test_grader_reads_plain_data_only():
    """Does the grader decode numbers and numeric arrays, and refuse pickles and object arrays?"""
    assert np.array_equal(kernel_wire.decode(_npy(np.arange(3.0))), np.arange(3.0))
    assert kernel_wire.decode({"__tuple__": [1, 2.5, "x", None]}) == (1, 2.5, "x", None)
    with pytest.raises(ValueError):
        kernel_wire.decode(_npy(np.array([object()], dtype=object), allow_pickle=True))
    with pytest.raises(ValueError):
        kernel_wire.decode({"__class__": "os.system"})


def test_launcher_refuses_without_bubblewrap(tmp_path):
    """Is the kernelspec's launcher itself unable to start a kernel unsandboxed?"""
    result = subprocess.run([sys.executable, "-m", "backprop_lab.sandbox.bubblewrap", str(tmp_path / "kernel.json")],
                            env={"PATH": "/nonexistent"}, capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode != 0 and "bubblewrap" in result.stderr
