"""The kernel launcher's own steps, before it replaces itself with bwrap (bubblewrap.main, the
kernelspec's argv, runs them in this order): the sockets' folder handed to the kernel's user, a
mount namespace of its own with the write quota mounted in it, then the process limits.
"""
import ctypes
import os
import resource
import shutil
from pathlib import Path


def hand_over(connection_file, uid):
    """Give the kernel's user its sockets' folder, and a passwd entry."""
    connection_dir = os.path.dirname(os.path.abspath(connection_file))
    shown_uid = uid if uid is not None else 65534  # 65534: the uid bwrap maps the grader's to
    Path(connection_dir, "passwd").write_text(f"student:x:{shown_uid}:{shown_uid}::/tmp/home:/usr/sbin/nologin\n")
    if uid is not None:
        chown_tree(connection_dir, uid)


def chown_tree(folder, uid):
    os.chown(folder, uid, uid)
    for root, dirs, files in os.walk(folder):
        for entry in dirs + files:
            os.lchown(os.path.join(root, entry), uid, uid)


# The quota: linux/sched.h and linux/mount.h; Python 3.11's os has neither unshare nor mount.
CLONE_NEWNS, CLONE_NEWUSER = 0x00020000, 0x10000000
MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_REC, MS_PRIVATE = 0x2, 0x4, 0x20, 0x4000, 0x40000
_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]


def _call(what, result):
    if result != 0:
        number = ctypes.get_errno()
        raise OSError(number, f"{what}: {os.strerror(number)}")


def _mount_tmpfs(target, options, flags=MS_NOSUID | MS_NODEV):
    _call(f"mount tmpfs on {target}", _libc.mount(b"tmpfs", os.fsencode(target), b"tmpfs", flags, options.encode()))


def own_mount_namespace():
    """Leave the grader's mount namespace: what this process mounts from now on, only bwrap sees.
    Not root: in a user namespace of its own, whose root is the grader's uid."""
    if os.geteuid() == 0:
        _call("unshare", _libc.unshare(CLONE_NEWNS))
    else:
        uid, gid = os.getuid(), os.getgid()
        _call("unshare", _libc.unshare(CLONE_NEWUSER | CLONE_NEWNS))
        Path("/proc/self/setgroups").write_text("deny")
        Path("/proc/self/uid_map").write_text(f"0 {uid} 1")
        Path("/proc/self/gid_map").write_text(f"0 {gid} 1")
    _call("make / private", _libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None))


def quota_folder(workdir, connection_dir, limits, uid=None):
    """Mount the kernel's quota, a tmpfs of its own in connection_dir/quota, with a copy of
    workdir in work/ and an empty tmp/. Call it in the launcher's own mount namespace
    (own_mount_namespace): the grader never sees it, and it goes when the kernel does.

    It holds what was submitted plus limits.quota_bytes and limits.quota_files, so that the
    kernel's writes in its folder and /tmp end with ENOSPC. uid: the owner of work/. -> the folder
    """
    quota = os.path.join(connection_dir, "quota")
    os.mkdir(quota, 0o755)
    entries = [os.path.join(root, name) for root, dirs, files in os.walk(workdir) for name in dirs + files]
    submitted = sum(os.lstat(entry).st_size + 4096 for entry in entries)
    # tmpfs cannot limit later what it did not limit at first: generous limits, made exact below.
    _mount_tmpfs(quota, f"mode=0755,size={submitted + limits.quota_bytes},"
                        f"nr_inodes={len(entries) + 8 + limits.quota_files}")
    shutil.copytree(workdir, os.path.join(quota, "work"), symlinks=True, ignore=_special_files)
    os.mkdir(os.path.join(quota, "tmp"))
    os.chmod(os.path.join(quota, "tmp"), 0o1777)
    if uid is not None:
        chown_tree(os.path.join(quota, "work"), uid)
    # Now that the copy is in: exactly the quota left for the kernel, in bytes and inodes.
    used = os.statvfs(quota)
    used_bytes = (used.f_blocks - used.f_bfree) * used.f_frsize
    used_inodes = used.f_files - used.f_ffree
    _mount_tmpfs(quota, f"size={used_bytes + limits.quota_bytes},nr_inodes={used_inodes + limits.quota_files}",
                 MS_REMOUNT | MS_NOSUID | MS_NODEV)
    return quota


def _special_files(folder, names):
    """Pipes, sockets and devices: not copied into the quota (staging skips them too)."""
    return [name for name in names if not (os.path.islink(os.path.join(folder, name))
                                           or os.path.isfile(os.path.join(folder, name))
                                           or os.path.isdir(os.path.join(folder, name)))]


def set_limits(limits, uid):
    def limit(kind, value):
        resource.setrlimit(kind, (value, value))
    limit(resource.RLIMIT_AS, limits.memory_bytes)
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
    limit(resource.RLIMIT_FSIZE, limits.file_bytes)
    limit(resource.RLIMIT_NOFILE, limits.open_files)
    limit(resource.RLIMIT_CORE, 0)
    processes = limits.processes
    if uid is None:  # the grader's own uid: the limit counts its other processes too
        processes += sum(1 for p in Path("/proc").iterdir() if p.name.isdigit() and _owner(p) == os.getuid())
    limit(resource.RLIMIT_NPROC, processes)


def _owner(path):
    try:
        return path.stat().st_uid
    except OSError:
        return None
