"""faasguard-shield: the Python part of the in-process layer (docs/shield.md).

The wrapper puts this directory first on PYTHONPATH and the effective policy (JSON) in
FAASGUARD_SHIELD_EFFECTIVE. This module installs a PEP 578 audit hook and then runs the next
`sitecustomize` on sys.path, if any.

One violation gives one alert line. When libfaasguard_shield.so (LD_PRELOAD) is loaded in this
process, it sees the same calls in C:
  - block mode: this hook refuses first (PermissionError, mechanism "python_audit"), so the C
    call never happens;
  - alert mode: this hook stays silent and the library reports (mechanism "ld_preload");
  - outbound_connectivity and read_handler are left to the library in both modes (it learns
    every address -> host name pair from getaddrinfo and arms read_handler at the Runtime API
    connection, which the native runtime client makes without any Python event).
Without the library, this hook handles all four controls in both modes.

Start-up cost: the implementation (faasguard_shield_audit.py, beside this file) is loaded on the
first event that can be a violation: a write-open, a path change, a spawn, a connection or a
lookup. Reads before that need no check (read_handler is armed by a connection, which loads it),
so a cold start that only imports does not compile it (in Lambda /opt is read-only: no .pyc).

It never breaks the interpreter: any internal error lets the call through silently.
"""

import sys

# The events the implementation handles.
_EVENTS = frozenset(
    {
        "open",
        "os.remove",
        "os.rmdir",
        "os.mkdir",
        "os.rename",
        "os.truncate",
        "os.link",
        "os.symlink",
        "subprocess.Popen",
        "os.system",
        "os.exec",
        "os.posix_spawn",
        "socket.connect",
        "socket.sendto",
        "socket.sendmsg",
        "socket.getaddrinfo",
    }
)


def _install():
    import os

    if not os.environ.get("FAASGUARD_SHIELD_EFFECTIVE"):
        return
    here = os.path.dirname(os.path.abspath(__file__))
    write_flags = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC
    import _thread

    loaded = []  # [hook or None] once the implementation has been loaded
    loading = []  # [thread id] while that thread loads it (its own imports raise events)
    lock = _thread.allocate_lock()
    get_ident = _thread.get_ident

    def reads_only(args):
        mode = args[1] if len(args) > 1 and isinstance(args[1], str) else ""
        flags = args[2] if len(args) > 2 and isinstance(args[2], int) else 0
        return not (flags & write_flags) and not any(c in mode for c in "wax+")

    def load():
        import importlib.util

        path = os.path.join(here, "faasguard_shield_audit.py")
        spec = importlib.util.spec_from_file_location("_faasguard_shield_audit", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.make_hook()

    def hook(event, args):
        if event not in _EVENTS:
            return
        if not loaded:
            if event == "open" and reads_only(args):
                return
            if loading and loading[0] == get_ident():
                return
            # Other threads wait for the implementation rather than pass unchecked.
            with lock:
                if not loaded:
                    loading.append(get_ident())
                    try:
                        loaded.append(load())
                    except Exception:
                        loaded.append(None)
                    finally:
                        loading.clear()
        implementation = loaded[0]
        if implementation is not None:
            implementation(event, args)

    sys.addaudithook(hook)


def _chain():
    """Runs the next sitecustomize on sys.path (after this directory), as site.py would."""
    import os
    import importlib.machinery
    import importlib.util

    here = os.path.realpath(os.path.dirname(os.path.abspath(__file__)))
    rest = []
    for entry in sys.path:
        try:
            if os.path.realpath(os.path.abspath(entry or ".")) != here:
                rest.append(entry)
        except (TypeError, ValueError, OSError):
            continue
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    sys.modules["sitecustomize"] = module
    try:
        spec.loader.exec_module(module)
    except Exception as err:  # as site.py does for a failing sitecustomize
        sys.stderr.write("Error in sitecustomize; set PYTHONVERBOSE for traceback:\n%s: %s\n" % (type(err).__name__, err))


try:
    _install()
except Exception:
    pass
try:
    _chain()
except Exception:
    pass
