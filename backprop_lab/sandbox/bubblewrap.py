"""The grading sandbox: each submission's kernel runs under bubblewrap (Debian package `bubblewrap`).

The kernel sees a copy of its own submission folder (read-write), Python and the course's
packages and data (read-only), a private /tmp and nothing else: not source/, not the gradebook,
not other students, not the grader's home or environment. It has no network, runs as an
unprivileged user with limits on memory, CPU time, processes, file size and open files, and
everything it starts dies with it. The grader talks to it through Unix sockets in a private
folder (Jupyter's ``ipc`` transport), since the kernel has no network at all, not even loopback.

Its folder and its /tmp are one tmpfs of its own with a size and an inode limit (the quota):
what the kernel writes is capped in bytes and in files (a write past it fails with "No space
left on device"), and it is thrown away with the kernel, so autograded/ keeps only what was
submitted and the graded notebook. The launcher mounts it in a mount namespace of its own
(and a user namespace when the grader is not root), then bwrap binds it.

The kernelspec ``backprop-lab-sandbox`` (installed into this Python's prefix) runs this module,
which mounts the quota, sets the limits (launcher.py) and replaces itself with bwrap
running ``ipykernel_launcher``.
"""
import json
import os
import shutil
import subprocess
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

from backprop_lab.sandbox.launcher import chown_tree, hand_over, own_mount_namespace, quota_folder, set_limits

KERNEL_NAME = "backprop-lab-sandbox"
PACKAGE_DIR = Path(__file__).resolve().parents[1]
# All of the course package that a graded kernel can import: the student package, exactly what the
# student kit installs. The reference (network.py), the hidden checks and the grader stay outside.
STUDENT_DIR = PACKAGE_DIR / "student"
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime",
                "/etc/fonts", "/etc/mime.types", "/etc/alternatives")
INSTALL_HINT = ("Install bubblewrap (Debian/Ubuntu: `sudo apt-get install bubblewrap`; `make setup` does it "
                "when run as root), or grade without isolation with --unsafe-no-sandbox, only for code you trust.")


@dataclass(frozen=True)
class Limits:
    """What one graded kernel may use. Threads count as processes."""
    memory_bytes: int = 3 << 30  # address space; a graded kernel peaks at 1.3 GB
    cpu_seconds: int = 900
    processes: int = 64
    file_bytes: int = 64 << 20
    open_files: int = 256
    # What it may write in its folder and /tmp together, besides the submission's own files: a
    # tmpfs, so memory. An honest kernel writes about 20 files and 150 kB (IPython's, matplotlib's).
    quota_bytes: int = 32 << 20
    quota_files: int = 1000  # files and folders


class SandboxUnavailable(RuntimeError):
    """Grading would run student code without isolation."""


def bwrap():
    return shutil.which("bwrap")


def check_available():
    """Raise SandboxUnavailable unless bubblewrap is installed and can create a sandbox here."""
    path = bwrap()
    if path is None:
        raise SandboxUnavailable(f"Grading runs every submission in a sandbox, but bubblewrap (bwrap) is not "
                                 f"installed. {INSTALL_HINT}")
    trial = subprocess.run([path, *_unshare_options(), "--ro-bind", "/", "/", "true"],
                           capture_output=True, text=True)
    if trial.returncode != 0:
        raise SandboxUnavailable(f"bubblewrap cannot create a sandbox on this machine ({trial.stderr.strip()}); "
                                 "it needs user namespaces or root. " + INSTALL_HINT)


def kernelspec_dir(prefix=sys.prefix):
    return Path(prefix) / "share" / "jupyter" / "kernels" / KERNEL_NAME


def install_kernelspec(prefix=sys.prefix):
    """Write (or refresh) the sandbox kernelspec for this Python. -> its folder"""
    spec = {
        "argv": [sys.executable, "-m", "backprop_lab.sandbox.bubblewrap", "{connection_file}"],
        "display_name": "Python 3 (Backprop Lab grading sandbox)",
        "language": "python",
        "interrupt_mode": "message",  # the kernel is in its own PID namespace: signals cannot reach it
        "metadata": {"debugger": False},
    }
    folder = kernelspec_dir(prefix)
    folder.mkdir(parents=True, exist_ok=True)
    text = json.dumps(spec, indent=1) + "\n"
    if not (folder / "kernel.json").exists() or (folder / "kernel.json").read_text() != text:
        (folder / "kernel.json").write_text(text)
    return folder


def sandbox_uid(connection_file):
    """An unprivileged user id of its own for each kernel (when the grader is root), so that the
    process limit of one kernel is not shared with another graded beside it."""
    return 200_000 + zlib.crc32(str(connection_file).encode()) % 60_000


def _unshare_options():
    if os.geteuid() == 0:  # root: no user namespace; the kernel drops to its own uid instead
        return ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
    return ["--unshare-all", "--uid", "65534", "--gid", "65534"]


def _read_only(paths):
    """--ro-bind options for the existing paths, symlinks kept as symlinks."""
    options, seen = [], set()
    for path in paths:
        path = str(path)
        if path in seen or not os.path.lexists(path):
            continue
        seen.add(path)
        if os.path.islink(path) and os.path.dirname(path) == "/":  # /lib -> usr/lib on merged-/usr systems
            options += ["--symlink", os.readlink(path), path]
        else:
            options += ["--ro-bind", path, path]
    return options


def _parent_dirs(mounted):
    """--dir options for the folders above the mount points, readable by the kernel's user
    (bwrap would make them root-only)."""
    parents = {str(parent) for path in mounted for parent in Path(path).parents if str(parent) != "/"}
    parents -= {os.path.abspath(path) for path in mounted}
    options = []
    for parent in sorted(parents, key=lambda p: (p.count("/"), p)):
        if not any(parent == d or parent.startswith(d + "/") for d in SYSTEM_DIRS):
            options += ["--perms", "0755", "--dir", parent]
    return options


# One BLAS thread per kernel: graders run kernels side by side, and spinning BLAS threads that
# outnumber the cores slow every submission down many times over (bench/README.md).
ONE_BLAS_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def kernel_variables():
    """The course's variables in every grading kernel's environment, sandboxed or not."""
    from backprop_lab import paths
    return {**ONE_BLAS_THREAD, **paths.course_file_variables()}


def _kernel_environment(home):
    environment = {
        "PATH": os.pathsep.join([os.path.dirname(sys.executable), "/usr/local/bin", "/usr/bin", "/bin"]),
        "HOME": home, "TMPDIR": "/tmp", "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1",
        "MPLCONFIGDIR": f"{home}/.matplotlib", "IPYTHONDIR": f"{home}/.ipython",
        **kernel_variables(),
        # backprop_lab is a namespace package in the sandbox (no __init__.py), as in the student kit:
        # found on the path, whether the course is installed in site-packages or editable.
        "PYTHONPATH": str(PACKAGE_DIR.parent),
    }
    return [option for name, value in environment.items() for option in ("--setenv", name, value)]


def bwrap_command(connection_file, workdir, quota, uid=None):
    """The bwrap command line that runs ipykernel for connection_file in workdir. quota: the
    mounted quota folder (quota_folder), whose work/ and tmp/ become workdir and /tmp.
    uid: the user to run as (when the grader is root)."""
    from backprop_lab import paths
    connection_dir = os.path.dirname(os.path.abspath(connection_file))
    python_dirs = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    course_dirs = tuple(sorted(python_dirs)) + (str(paths.DATA), str(paths.IMAGES))
    mounted = SYSTEM_FILES + course_dirs + (str(PACKAGE_DIR), connection_dir, workdir)
    command = [bwrap(), "--die-with-parent", "--new-session", *_unshare_options(), "--clearenv",
               "--proc", "/proc", "--dev", "/dev", "--bind", os.path.join(quota, "tmp"), "/tmp",
               *_read_only(SYSTEM_DIRS), *_parent_dirs(mounted), *_read_only(SYSTEM_FILES + course_dirs),
               # Hide the course package but for the student package, wherever it is installed.
               "--tmpfs", str(PACKAGE_DIR), "--ro-bind", str(STUDENT_DIR), str(STUDENT_DIR),
               "--ro-bind", os.path.join(connection_dir, "passwd"), "/etc/passwd",
               "--bind", connection_dir, connection_dir,
               "--bind", os.path.join(quota, "work"), workdir, "--chdir", workdir,
               "--perms", "0777", "--dir", "/tmp/home", *_kernel_environment("/tmp/home"), "--"]
    if uid is not None:
        command[-1:-1] = ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]  # for setpriv only
        command += ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                    "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs"]
    return command + [sys.executable, "-m", "ipykernel_launcher", "-f", connection_file]


def take_back_sockets_folder(connection_file):
    """Once the kernel has bound its sockets: their folder, on the grader's disk and outside the
    quota, back to the grader, so that the kernel cannot add files there. Only when the grader is
    root: an unprivileged kernel is the grader's own uid, and could take it back."""
    if os.geteuid() == 0:
        connection_dir = os.path.dirname(os.path.abspath(connection_file))
        chown_tree(connection_dir, 0)
        os.chmod(connection_dir, 0o711)  # the kernel still reads the grader's requests in it by name


def main(argv=None):
    """Kernel launcher (the kernelspec's argv): the quota, limits, then exec bwrap."""
    argv = sys.argv[1:] if argv is None else argv
    connection_file, extra = argv[0], argv[1:]
    if bwrap() is None:
        sys.exit(f"backprop-lab-sandbox: {INSTALL_HINT}")
    workdir = os.getcwd()
    connection_dir = os.path.dirname(os.path.abspath(connection_file))
    uid = sandbox_uid(connection_file) if os.geteuid() == 0 else None
    limits = Limits()
    hand_over(connection_file, uid)
    # The command line before the namespace: in a user namespace this process is uid 0.
    command = bwrap_command(connection_file, workdir, os.path.join(connection_dir, "quota"), uid) + extra
    try:
        own_mount_namespace()
        quota_folder(workdir, connection_dir, limits, uid)
    except OSError as error:
        sys.exit(f"backprop-lab-sandbox: cannot mount the kernel's write quota ({error}); it needs root or "
                 "unprivileged user namespaces")
    set_limits(limits, uid)
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # ipykernel's terminal banner; cell output goes over the sockets
    os.execv(command[0], command)


if __name__ == "__main__":
    main()
