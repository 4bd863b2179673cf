"""faasguard-shield e2e: a Python Lambda handler that attempts one violation per invocation.

The event names the check and carries its parameters (loopback ports, paths under the test's
tmp root). The response says what happened: outcome "ok", or the errno name of the refusal
(EPERM, EACCES), with a short detail. Nothing connects anywhere but 127.0.0.1.
"""

import ctypes
import errno
import os
import platform
import socket
import subprocess


def tcp(event):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(5)
        s.connect(("127.0.0.1", event["port"]))
    return "connected"


def host(event):
    # A name from /etc/hosts: getaddrinfo (hooked) learns which host the address belongs to.
    infos = socket.getaddrinfo(event["host"], event["port"], socket.AF_INET, socket.SOCK_STREAM)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(5)
        s.connect(infos[0][4])
    return "connected to %s" % (infos[0][4],)


def udp(event):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.sendto(b"faasguard", ("127.0.0.1", event["port"]))
    return "sent"


def tmp_create(event):
    with open(event["path"], "w") as f:
        f.write("created")
    return "created"


def tmp_write(event):
    with open(event["path"], "a") as f:
        f.write("appended")
    return "appended"


def tmp_rename(event):
    os.rename(event["path"], event["target"])
    return "renamed"


def tmp_delete(event):
    os.unlink(event["path"])
    return "deleted"


def tmp_read(event):
    with open(event["path"]) as f:
        return f.read()


def run_subprocess(event):
    return "exit %d" % subprocess.run(["true"]).returncode


def run_os_system(event):
    return "status %d" % os.system("exit 0")


def run_posix_spawn(event):
    pid = os.posix_spawn("/bin/true", ["true"], dict(os.environ))
    return "status %d" % os.waitpid(pid, 0)[1]


def read_handler(event):
    with open(os.path.join(os.environ["LAMBDA_TASK_ROOT"], "handler.py")) as f:
        return "read %d bytes" % len(f.read())


# openat(2) by number, past every libc entry point the preload library hooks.
SYS_OPENAT = {"x86_64": 257, "aarch64": 56}


def raw_syscall(event):
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    fd = libc.syscall(
        ctypes.c_long(SYS_OPENAT[platform.machine()]),
        ctypes.c_int(-100),  # AT_FDCWD
        ctypes.c_char_p(os.fsencode(event["path"])),
        ctypes.c_int(os.O_WRONLY | os.O_CREAT),
        ctypes.c_int(0o644),
    )
    if fd < 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err), event["path"])
    os.close(fd)
    return "created"


CHECKS = {
    "tcp_allowed": tcp,
    "tcp_denied": tcp,
    "udp_denied": udp,
    "host_allowed": host,
    "host_denied": host,
    "tmp_create": tmp_create,
    "tmp_write": tmp_write,
    "tmp_rename": tmp_rename,
    "tmp_delete": tmp_delete,
    "tmp_read": tmp_read,
    "subprocess": run_subprocess,
    "os_system": run_os_system,
    "posix_spawn": run_posix_spawn,
    "read_handler": read_handler,
    "raw_syscall": raw_syscall,
}


def handler(event, context):
    check = event["check"]
    try:
        detail = CHECKS[check](event)
        outcome = "ok"
    except OSError as e:
        outcome = errno.errorcode.get(e.errno, str(e.errno)) if e.errno else type(e).__name__
        detail = "%s: %s" % (type(e).__name__, e)
    return {
        "check": check,
        "outcome": outcome,
        "detail": str(detail)[:200],
        "request_id": context.aws_request_id,
    }
