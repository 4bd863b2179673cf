"""faasguard-shield: the Python audit hook's implementation (docs/shield.md).

`sitecustomize.py` (beside this file) installs a small audit hook at start-up and loads this
module on the first event that can be a violation (a write-open, a path change, a spawn, a
connection or a lookup), so a cold start that only imports and reads does not compile it.
`make_hook()` reads the policy from FAASGUARD_SHIELD_EFFECTIVE and returns the hook, or None
when this layer has nothing to do (see sitecustomize.py for how it shares the work with
libfaasguard_shield.so).

It never breaks the interpreter: any internal error lets the call through silently.
"""

import sys


def make_hook():
    import os

    text = os.environ.get("FAASGUARD_SHIELD_EFFECTIVE")
    if not text:
        return None
    import json

    eff = json.loads(text)
    modes = eff.get("policy") or {}

    def mode(control):
        value = modes.get(control, "allow")
        return value if value in ("block", "alert") else "allow"

    try:
        with open("/proc/self/maps", "rb") as maps:
            preload = b"libfaasguard_shield.so" in maps.read()
    except OSError:
        preload = False

    # What this hook reports: control -> set of modes it acts on.
    acting = {}
    for control in ("read_write_tmp", "create_child_process"):
        m = mode(control)
        if m != "allow" and (m == "block" or not preload):
            acting[control] = m
    if not preload:
        for control in ("outbound_connectivity", "read_handler"):
            if mode(control) != "allow":
                acting[control] = mode(control)
    if not acting:
        return None

    import errno
    import time
    import _thread

    log_fd = 2
    try:
        fd = int(os.environ.get("FAASGUARD_SHIELD_LOG_FD", "2"))
        os.fstat(fd)
        log_fd = fd
    except (ValueError, OSError):
        pass

    tmp_roots = [os.path.normpath(p) for p in eff.get("tmp_paths") or []]
    handler_files = {os.path.normpath(p) for p in eff.get("handler_files") or []}
    runtime_api = set()
    for item in eff.get("runtime_api") or []:
        host, _, port = item.rpartition(":")
        runtime_api.add((host.strip("[]"), int(port)))
    resolvers = set(eff.get("resolvers") or [])
    allow_loopback = eff.get("allow_loopback", True)
    state = {"armed": False, "invocation": None, "seen": set(), "written": 0, "dropped": 0}
    hosts = {}
    busy = set()

    import ipaddress

    def canonical(ip):
        addr = ipaddress.ip_address(ip.split("%")[0])
        if addr.version == 6 and addr.ipv4_mapped is not None:
            return addr.ipv4_mapped
        return addr

    def parse_entry(text):
        port = None
        if text.startswith("["):
            addr, _, rest = text[1:].partition("]")
            if rest.startswith("/"):
                prefix, _, p = rest[1:].partition(":")
                addr = addr + "/" + prefix
            else:
                p = rest[1:] if rest.startswith(":") else ""
            return ("net", ipaddress.ip_network(addr, strict=False), int(p) if p else None)
        if text.count(":") > 1:
            return ("net", ipaddress.ip_network(text, strict=False), None)
        base, sep, p = text.rpartition(":")
        if not sep:
            base, p = text, ""
        port = int(p) if p else None
        if base.startswith("*."):
            return ("suffix", base[2:].lower(), port)
        try:
            return ("net", ipaddress.ip_network(base, strict=False), port)
        except ValueError:
            return ("host", base.lower().rstrip("."), port)

    entries = []
    for item in eff.get("outbound_allow") or []:
        try:
            entries.append(parse_entry(item))
        except ValueError:
            pass

    def outbound_allowed(host, ip, port):
        addr = canonical(ip)
        for api_host, api_port in runtime_api:
            try:
                if canonical(api_host) == addr and api_port == port:
                    return True
            except ValueError:
                pass
        if port == 53 and any(canonical(r) == addr for r in resolvers):
            return True
        if allow_loopback and addr.is_loopback:
            return True
        name = (host or "").lower().rstrip(".")
        for kind, target, p in entries:
            if p is not None and p != port:
                continue
            if kind == "net" and addr.version == target.version and addr in target:
                return True
            if kind == "host" and name and name == target:
                return True
            if kind == "suffix" and name.endswith("." + target):
                return True
        return False

    def now():
        t = time.time()
        return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%03dZ" % (int(t * 1000) % 1000)

    def write(line):
        data = line.encode("utf-8", "replace")
        try:
            os.write(log_fd, data)
        except OSError:
            try:
                os.write(2, data)
            except OSError:
                pass

    def report(control, details):
        m = acting[control]
        trace = os.environ.get("_X_AMZN_TRACE_ID") or None
        key = (control, m, json.dumps(details, sort_keys=True))
        if trace != state["invocation"]:
            carried = state["dropped"]
            state.update(invocation=trace, seen=set(), written=0, dropped=0)
            if carried:
                write('{"faasguard_shield":"suppressed","count":%d,"ts":"%s"}\n' % (carried, now()))
        if key in state["seen"] or state["written"] >= 100:
            state["dropped"] += 1
        else:
            state["seen"].add(key)
            state["written"] += 1
            line = {
                "faasguard_shield": "alert",
                "policy": control,
                "mode": m,
                "action": "blocked" if m == "block" else "allowed",
                "details": details,
                "mechanism": "python_audit",
                "pid": os.getpid(),
            }
            if trace:
                line["trace_id"] = trace[:256]
            line["ts"] = now()
            text = json.dumps(line, separators=(",", ":"), ensure_ascii=False)
            if len(text.encode("utf-8", "replace")) >= 4096:
                line["details"] = {k: (v[:64] if isinstance(v, str) else v) for k, v in details.items()}
                if isinstance(details.get("argv"), list):
                    line["details"]["argv"] = [a[:16] for a in details["argv"][:8]]
                line["truncated"] = True
                text = json.dumps(line, separators=(",", ":"), ensure_ascii=False)
            write(text + "\n")
        return m == "block"

    def text_of(value):
        if isinstance(value, (bytes, bytearray)):
            return os.fsdecode(bytes(value))
        return str(value)

    def resolve(path, dir_fd=None):
        if isinstance(path, int):
            return None
        path = os.fspath(path)
        path = os.fsdecode(path) if isinstance(path, bytes) else path
        if not path.startswith("/"):
            base = os.readlink("/proc/self/fd/%d" % dir_fd) if isinstance(dir_fd, int) else os.getcwd()
            path = os.path.join(base, path)
        return os.path.normpath(path)

    def under_tmp(path):
        return path is not None and any(
            path == root or path.startswith(root.rstrip("/") + "/") for root in tmp_roots
        )

    def tmp(path, operation, target=None):
        if "read_write_tmp" not in acting:
            return False
        if not (under_tmp(path) or under_tmp(target)):
            return False
        details = {"path": path, "operation": operation}
        if target is not None:
            details["target"] = target
        return report("read_write_tmp", details)

    def program(file):
        file = text_of(file)
        if "/" in file:
            return file
        for d in os.environ.get("PATH", "/bin:/usr/bin").split(":"):
            candidate = os.path.join(d or ".", file)
            if os.access(candidate, os.X_OK) and not os.path.isdir(candidate):
                return candidate
        return file

    def child(path, argv):
        if "create_child_process" not in acting:
            return False
        if isinstance(argv, (str, bytes)):
            argv = [argv]
        args = [text_of(a)[:256] for a in list(argv or [])[:16]]
        return report("create_child_process", {"path": program(path), "argv": args})

    def destination(sock, address):
        import socket

        if sock.family not in (socket.AF_INET, socket.AF_INET6) or not isinstance(address, tuple):
            return None
        host, port = address[0], int(address[1])
        host = text_of(host)
        try:
            return None, str(canonical(host)), port
        except ValueError:
            pass
        ips = hosts_for(host)
        return host, (ips[0] if ips else None), port

    def hosts_for(host):
        import _socket

        try:
            infos = _socket.getaddrinfo(host, None)
        except OSError:
            return []
        ips = []
        for info in infos:
            ip = str(canonical(info[4][0]))
            hosts[ip] = host
            ips.append(ip)
        return ips

    def outbound(sock, address):
        dest = destination(sock, address)
        if dest is None:
            return False
        host, ip, port = dest
        if ip is None:
            return False
        if (canonical(ip), port) in {(canonical(h), p) for h, p in runtime_api if _is_ip(h)}:
            state["armed"] = True
        if "outbound_connectivity" not in acting:
            return False
        host = host or hosts.get(ip)
        if outbound_allowed(host, ip, port):
            return False
        details = {}
        if host:
            details["host"] = host
        details.update(ip=ip, port=port, proto="udp" if sock.type == 2 else "tcp")
        return report("outbound_connectivity", details)

    def _is_ip(h):
        try:
            canonical(h)
            return True
        except ValueError:
            return False

    flags_write = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC

    def on_open(path, open_mode, flags):
        path = resolve(path)
        if path is None:
            return False
        m = open_mode if isinstance(open_mode, str) else ""
        flags = flags if isinstance(flags, int) else 0
        writes = bool(flags & flags_write) or any(c in m for c in "wax+")
        if writes and "read_write_tmp" in acting and under_tmp(path):
            if "x" in m or ((("w" in m or "a" in m) or flags & os.O_CREAT) and not os.path.exists(path)):
                operation = "create"
            elif "w" in m or flags & os.O_TRUNC:
                operation = "truncate"
            else:
                operation = "write"
            if tmp(path, operation):
                raise PermissionError(errno.EACCES, "faasguard-shield: read_write_tmp blocked", path)
        reads = not writes or "+" in m or (flags & os.O_ACCMODE) == os.O_RDWR
        if reads and state["armed"] and "read_handler" in acting and path in handler_files:
            if report("read_handler", {"path": path}):
                raise PermissionError(errno.EACCES, "faasguard-shield: read_handler blocked", path)
        return False

    def blocked(control, path):
        raise PermissionError(errno.EPERM, "faasguard-shield: %s blocked" % control, path)

    def handle(event, args):
        if event == "open":
            on_open(*args[:3])
        elif event in ("os.remove", "os.rmdir"):
            path = resolve(args[0], args[1])
            if tmp(path, "delete"):
                blocked("read_write_tmp", path)
        elif event == "os.mkdir":
            path = resolve(args[0], args[2])
            if tmp(path, "mkdir"):
                blocked("read_write_tmp", path)
        elif event == "os.rename":
            src, dst = resolve(args[0], args[2]), resolve(args[1], args[3])
            if tmp(src, "rename", dst):
                blocked("read_write_tmp", src)
        elif event == "os.truncate":
            path = resolve(args[0])
            if tmp(path, "truncate"):
                blocked("read_write_tmp", path)
        elif event == "os.link":
            src, dst = resolve(args[0], args[2]), resolve(args[1], args[3])
            if tmp(dst, "link", src):
                blocked("read_write_tmp", dst)
        elif event == "os.symlink":
            dst = resolve(args[1], args[2])
            if under_tmp(dst) and tmp(dst, "link", text_of(args[0])):
                blocked("read_write_tmp", dst)
        elif event == "subprocess.Popen":
            executable, argv = args[0], args[1]
            if isinstance(argv, (str, bytes)):
                argv = [argv]
            path = executable if executable is not None else list(argv)[0]
            if child(path, argv):
                blocked("create_child_process", text_of(path))
        elif event == "os.system":
            command = text_of(args[0])
            if child("/bin/sh", ["sh", "-c", command]):
                blocked("create_child_process", "/bin/sh")
        elif event in ("os.exec", "os.posix_spawn"):
            if child(args[0], args[1]):
                blocked("create_child_process", text_of(args[0]))
        elif event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
            if outbound(args[0], args[1]):
                raise PermissionError(errno.EPERM, "faasguard-shield: outbound_connectivity blocked")
        elif event == "socket.getaddrinfo":
            if "outbound_connectivity" in acting and isinstance(args[0], (str, bytes)):
                host = text_of(args[0])
                if not _is_ip(host):
                    hosts_for(host)

    get_ident = _thread.get_ident

    # Only the events sitecustomize's stub lists (`_EVENTS`) reach this hook: it filters.
    def hook(event, args):
        me = get_ident()
        if me in busy:
            return
        busy.add(me)
        try:
            handle(event, args)
        except PermissionError as refused:
            if refused.strerror and refused.strerror.startswith("faasguard-shield:"):
                raise
        except Exception:
            pass
        finally:
            busy.discard(me)

    return hook
