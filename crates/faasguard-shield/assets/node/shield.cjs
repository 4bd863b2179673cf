'use strict';
// faasguard-shield: the Node.js part of the in-process layer (docs/shield.md), loaded with
// NODE_OPTIONS=--require <this file>. The effective policy comes as JSON in
// FAASGUARD_SHIELD_EFFECTIVE; alerts go to FAASGUARD_SHIELD_LOG_FD (fd 2 when unset or closed),
// one JSON line per write, mechanism "node_preload".
//
// One violation gives one alert line. When libfaasguard_shield.so (LD_PRELOAD) is loaded in
// this process it sees the same calls in C (libuv calls libc):
//   - block mode: this shim refuses first (an Error with code 'EPERM': thrown by sync calls and
//     spawns, passed to the callback of callback calls, a rejected promise for fs.promises), so
//     the C call never happens;
//   - alert mode: this shim stays silent and the library reports (mechanism "ld_preload");
//   - outbound_connectivity and read_handler are left to the library in both modes.
// Without the library, this shim handles all four controls in both modes (outbound for
// net/tls/http connections; UDP is seen only by the library).
//
// It never breaks the process: any internal error lets the call through.

function install() {
  let eff;
  try {
    const text = process.env.FAASGUARD_SHIELD_EFFECTIVE;
    if (!text) return;
    eff = JSON.parse(text);
  } catch (_) {
    return;
  }
  const fs = require('fs');
  const pathMod = require('path');
  const modes = eff.policy || {};
  const mode = (c) => (modes[c] === 'block' || modes[c] === 'alert' ? modes[c] : 'allow');

  let preload = false;
  try {
    preload = fs.readFileSync('/proc/self/maps', 'latin1').includes('libfaasguard_shield.so');
  } catch (_) {
    preload = false;
  }
  const acting = new Map();
  for (const c of ['read_write_tmp', 'create_child_process']) {
    const m = mode(c);
    if (m !== 'allow' && (m === 'block' || !preload)) acting.set(c, m);
  }
  if (!preload) {
    for (const c of ['outbound_connectivity', 'read_handler']) {
      if (mode(c) !== 'allow') acting.set(c, mode(c));
    }
  }
  if (acting.size === 0) return;

  const writeSync = fs.writeSync;
  const fstatSync = fs.fstatSync;
  const existsSync = fs.existsSync;
  const accessSync = fs.accessSync;
  let logFd = 2;
  try {
    const fd = Number.parseInt(process.env.FAASGUARD_SHIELD_LOG_FD || '2', 10);
    fstatSync(fd);
    logFd = fd;
  } catch (_) {
    logFd = 2;
  }

  const tmpRoots = (eff.tmp_paths || []).map((p) => pathMod.resolve(p));
  const handlerFiles = new Set((eff.handler_files || []).map((p) => pathMod.resolve(p)));
  const net = require('net');
  const runtimeApi = (eff.runtime_api || []).map((a) => {
    const i = a.lastIndexOf(':');
    return { ip: a.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(a.slice(i + 1)) };
  });
  const resolvers = new Set(eff.resolvers || []);
  const allowLoopback = eff.allow_loopback !== false;
  const state = { armed: false, invocation: undefined, seen: new Set(), written: 0, dropped: 0 };
  const hosts = new Map();
  let busy = 0;

  function canonical(ip) {
    const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
    return m ? m[1] : ip.toLowerCase();
  }
  function ipBits(ip) {
    ip = canonical(ip);
    if (net.isIPv4(ip)) {
      return { v: 4, n: ip.split('.').reduce((a, o) => (a << 8n) | BigInt(o), 0n) };
    }
    if (!net.isIPv6(ip)) return null;
    let [head, tail] = ip.split('::');
    const h = head ? head.split(':') : [];
    const t = tail !== undefined && tail ? tail.split(':') : [];
    const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
    return { v: 6, n: groups.reduce((a, g) => (a << 16n) | BigInt(Number.parseInt(g || '0', 16)), 0n) };
  }
  function parseEntry(text) {
    let m = /^\[([^\]]+)\](?:\/(\d+))?(?::(\d+))?$/.exec(text);
    if (m) return { kind: 'net', ip: ipBits(m[1]), prefix: m[2] ? Number(m[2]) : 128, port: m[3] ? Number(m[3]) : null };
    if ((text.match(/:/g) || []).length > 1) {
      const [a, p] = text.split('/');
      return { kind: 'net', ip: ipBits(a), prefix: p ? Number(p) : 128, port: null };
    }
    m = /^(.*?)(?::(\d+))?$/.exec(text);
    const base = m[1].toLowerCase().replace(/\.$/, '');
    const port = m[2] ? Number(m[2]) : null;
    if (base.startsWith('*.')) return { kind: 'suffix', name: base.slice(2), port };
    const [a, p] = base.split('/');
    if (net.isIPv4(a)) return { kind: 'net', ip: ipBits(a), prefix: p ? Number(p) : 32, port };
    return { kind: 'host', name: base, port };
  }
  const entries = (eff.outbound_allow || []).map(parseEntry).filter((e) => e.kind !== 'net' || e.ip);
  function inNet(ip, e) {
    const b = ipBits(ip);
    if (!b || b.v !== e.ip.v) return false;
    const width = b.v === 4 ? 32n : 128n;
    const shift = width - BigInt(e.prefix);
    return b.n >> shift === e.ip.n >> shift;
  }
  function isLoopback(ip) {
    ip = canonical(ip);
    return ip.startsWith('127.') || ip === '::1';
  }
  function outboundAllowed(host, ip, port) {
    ip = canonical(ip);
    if (runtimeApi.some((a) => canonical(a.ip) === ip && a.port === port)) return true;
    if (port === 53 && [...resolvers].some((r) => canonical(r) === ip)) return true;
    if (allowLoopback && isLoopback(ip)) return true;
    const name = (host || '').toLowerCase().replace(/\.$/, '');
    return entries.some((e) => {
      if (e.port !== null && e.port !== port) return false;
      if (e.kind === 'net') return inNet(ip, e);
      if (e.kind === 'host') return name !== '' && name === e.name;
      return name.endsWith('.' + e.name);
    });
  }

  function now() {
    return new Date().toISOString();
  }
  function write(line) {
    try {
      writeSync(logFd, line);
    } catch (_) {
      try {
        writeSync(2, line);
      } catch (_) {
        /* nowhere to write */
      }
    }
  }
  // Writes the alert (rate-limited per invocation) and says whether to block.
  function report(control, details) {
    const m = acting.get(control);
    const trace = process.env._X_AMZN_TRACE_ID || undefined;
    if (trace !== state.invocation) {
      const carried = state.dropped;
      Object.assign(state, { invocation: trace, seen: new Set(), written: 0, dropped: 0 });
      if (carried) write(`{"faasguard_shield":"suppressed","count":${carried},"ts":"${now()}"}\n`);
    }
    const key = `${control}|${m}|${JSON.stringify(details)}`;
    if (state.seen.has(key) || state.written >= 100) {
      state.dropped += 1;
    } else {
      state.seen.add(key);
      state.written += 1;
      const line = {
        faasguard_shield: 'alert',
        policy: control,
        mode: m,
        action: m === 'block' ? 'blocked' : 'allowed',
        details,
        mechanism: 'node_preload',
        pid: process.pid,
      };
      if (trace) line.trace_id = trace.slice(0, 256);
      line.ts = now();
      let text = JSON.stringify(line);
      if (Buffer.byteLength(text) >= 4096) {
        line.details = Object.fromEntries(
          Object.entries(details).map(([k, v]) => [k, typeof v === 'string' ? v.slice(0, 64) : Array.isArray(v) ? v.slice(0, 8).map((a) => String(a).slice(0, 16)) : v]),
        );
        line.truncated = true;
        text = JSON.stringify(line);
      }
      write(text + '\n');
    }
    return m === 'block';
  }
  function refusal(control, path) {
    const err = new Error(`faasguard-shield: ${control} blocked${path ? ': ' + path : ''}`);
    err.code = 'EPERM';
    err.errno = -1;
    err.syscall = control;
    if (path) err.path = path;
    return err;
  }

  function toPath(p) {
    if (typeof p === 'string') return p;
    if (Buffer.isBuffer(p)) return p.toString();
    if (p instanceof URL && p.protocol === 'file:') return require('url').fileURLToPath(p);
    return null;
  }
  function resolve(p) {
    const s = toPath(p);
    return s === null ? null : pathMod.resolve(s);
  }
  function underTmp(p) {
    return p !== null && tmpRoots.some((r) => p === r || p.startsWith(r.endsWith('/') ? r : r + '/'));
  }
  // The refusal for a tmp change, or null.
  function tmpCheck(p, operation, target) {
    if (!acting.has('read_write_tmp')) return null;
    if (!underTmp(p) && !underTmp(target === undefined ? null : target)) return null;
    const details = { path: p, operation };
    if (target !== undefined) details.target = target;
    return report('read_write_tmp', details) ? refusal('read_write_tmp', p) : null;
  }
  function writesFlags(flags) {
    if (typeof flags === 'number') {
      const c = fs.constants;
      return (flags & (c.O_WRONLY | c.O_RDWR | c.O_CREAT | c.O_TRUNC)) !== 0;
    }
    return typeof flags === 'string' && /[wa+]/.test(flags);
  }
  function openOperation(p, flags) {
    const created = typeof flags === 'number' ? flags & fs.constants.O_CREAT : /[wax]/.test(flags || '');
    if (created && !existsSync(p)) return 'create';
    const trunc = typeof flags === 'number' ? flags & fs.constants.O_TRUNC : /w/.test(flags || '');
    return trunc ? 'truncate' : 'write';
  }
  function handlerCheck(p) {
    if (!state.armed || !acting.has('read_handler') || p === null || !handlerFiles.has(p)) return null;
    return report('read_handler', { path: p }) ? refusal('read_handler', p) : null;
  }

  // fs: each entry says how to find the refusal for a call's arguments.
  const flagsOf = (o, dflt) => (typeof o === 'string' ? o : o && o.flag) || dflt;
  const checks = {
    open: (a) => {
      const p = resolve(a[0]);
      const flags = a[1] === undefined || typeof a[1] === 'function' ? 'r' : a[1];
      if (writesFlags(flags)) return tmpCheck(p, openOperation(p, flags));
      return handlerCheck(p);
    },
    readFile: (a) => (typeof a[0] === 'number' ? null : handlerCheck(resolve(a[0]))),
    writeFile: (a) => {
      if (typeof a[0] === 'number') return null;
      const p = resolve(a[0]);
      const flags = flagsOf(a[2], 'w');
      return tmpCheck(p, openOperation(p, flags));
    },
    appendFile: (a) => {
      if (typeof a[0] === 'number') return null;
      const p = resolve(a[0]);
      return tmpCheck(p, openOperation(p, flagsOf(a[2], 'a')));
    },
    mkdir: (a) => tmpCheck(resolve(a[0]), 'mkdir'),
    mkdtemp: (a) => tmpCheck(resolve(toPath(a[0]) === null ? null : toPath(a[0]) + 'XXXXXX'), 'mkdir'),
    rm: (a) => tmpCheck(resolve(a[0]), 'delete'),
    rmdir: (a) => tmpCheck(resolve(a[0]), 'delete'),
    unlink: (a) => tmpCheck(resolve(a[0]), 'delete'),
    rename: (a) => tmpCheck(resolve(a[0]), 'rename', resolve(a[1])),
    truncate: (a) => (typeof a[0] === 'number' ? null : tmpCheck(resolve(a[0]), 'truncate')),
    copyFile: (a) => tmpCheck(resolve(a[1]), underTmp(resolve(a[1])) && existsSync(resolve(a[1])) ? 'truncate' : 'create'),
    cp: (a) => tmpCheck(resolve(a[1]), 'create'),
    link: (a) => tmpCheck(resolve(a[1]), 'link', resolve(a[0])),
    symlink: (a) => {
      const p = resolve(a[1]);
      return underTmp(p) ? tmpCheck(p, 'link', toPath(a[0])) : null;
    },
    createWriteStream: (a) => {
      const p = resolve(a[0]);
      const flags = flagsOf(a[1], 'w');
      return tmpCheck(p, openOperation(p, flags));
    },
    createReadStream: (a) => handlerCheck(resolve(a[0])),
  };
  function guard(target, name, kind) {
    const original = target[name];
    const check = checks[name.replace(/Sync$/, '')];
    if (typeof original !== 'function' || !check) return;
    const wrapped = function (...args) {
      if (busy === 0) {
        let refused = null;
        busy += 1;
        try {
          refused = check(args);
        } catch (_) {
          refused = null;
        } finally {
          busy -= 1;
        }
        if (refused) {
          if (kind === 'promise') return Promise.reject(refused);
          const cb = args[args.length - 1];
          if (kind === 'callback' && typeof cb === 'function') {
            process.nextTick(cb, refused);
            return undefined;
          }
          throw refused;
        }
      }
      busy += 1;
      try {
        return original.apply(this, args);
      } finally {
        busy -= 1;
      }
    };
    Object.defineProperty(wrapped, 'name', { value: original.name });
    target[name] = wrapped;
  }
  try {
    for (const name of Object.keys(checks)) {
      if (name.startsWith('create')) guard(fs, name, 'sync');
      else {
        guard(fs, name, 'callback');
        guard(fs, name + 'Sync', 'sync');
        if (fs.promises) guard(fs.promises, name, 'promise');
      }
    }
  } catch (_) {
    /* leave fs as it is */
  }

  // child_process
  function program(file) {
    if (file.includes('/')) return file;
    for (const dir of (process.env.PATH || '/bin:/usr/bin').split(':')) {
      const candidate = pathMod.join(dir || '.', file);
      try {
        accessSync(candidate, fs.constants.X_OK);
        return candidate;
      } catch (_) {
        /* next */
      }
    }
    return file;
  }
  function childCheck(path, argv) {
    if (!acting.has('create_child_process')) return null;
    const args = argv.slice(0, 16).map((a) => String(a).slice(0, 256));
    return report('create_child_process', { path, argv: args }) ? refusal('create_child_process', path) : null;
  }
  const shellOf = (opts) => (opts && typeof opts.shell === 'string' ? opts.shell : '/bin/sh');
  const cp = require('child_process');
  const spawnLike = (a) => {
    const file = String(a[0]);
    const args = Array.isArray(a[1]) ? a[1] : [];
    const opts = Array.isArray(a[1]) ? a[2] : a[1];
    if (opts && opts.shell) {
      const command = [file, ...args].join(' ');
      return childCheck(shellOf(opts), [pathMod.basename(shellOf(opts)), '-c', command]);
    }
    return childCheck(program(file), [file, ...args.map(String)]);
  };
  const childChecks = {
    exec: (a) => childCheck(shellOf(a[1]), [pathMod.basename(shellOf(a[1])), '-c', String(a[0])]),
    execSync: (a) => childCheck(shellOf(a[1]), [pathMod.basename(shellOf(a[1])), '-c', String(a[0])]),
    execFile: spawnLike,
    execFileSync: spawnLike,
    spawn: spawnLike,
    spawnSync: spawnLike,
    fork: (a) => {
      const args = Array.isArray(a[1]) ? a[1] : [];
      return childCheck(process.execPath, [process.execPath, String(a[0]), ...args.map(String)]);
    },
  };
  try {
    for (const [name, check] of Object.entries(childChecks)) {
      const original = cp[name];
      if (typeof original !== 'function') continue;
      const wrapped = function (...args) {
        if (busy === 0) {
          let refused = null;
          busy += 1;
          try {
            refused = check(args);
          } catch (_) {
            refused = null;
          } finally {
            busy -= 1;
          }
          if (refused) throw refused;
        }
        busy += 1;
        try {
          return original.apply(this, args);
        } finally {
          busy -= 1;
        }
      };
      Object.defineProperty(wrapped, 'name', { value: original.name });
      cp[name] = wrapped;
    }
  } catch (_) {
    /* leave child_process as it is */
  }

  // Outbound (only without the library): net.Socket#connect covers net, tls and http.
  if (acting.has('outbound_connectivity') || acting.has('read_handler')) {
    try {
      const dns = require('dns');
      const lookup = dns.lookup;
      const learn = (host, address) => {
        for (const a of Array.isArray(address) ? address : [{ address }]) {
          if (a && a.address) hosts.set(canonical(a.address), host);
        }
      };
      dns.lookup = function (host, options, callback) {
        const cb = typeof options === 'function' ? options : callback;
        const wrappedCb = function (err, address, family) {
          if (!err) {
            try {
              learn(host, address);
            } catch (_) {
              /* ignore */
            }
          }
          return cb.apply(this, arguments);
        };
        return typeof options === 'function' ? lookup.call(this, host, wrappedCb) : lookup.call(this, host, options, wrappedCb);
      };
      const destCheck = (host, ip, port) => {
        ip = canonical(ip);
        if (runtimeApi.some((a) => canonical(a.ip) === ip && a.port === port)) state.armed = true;
        if (!acting.has('outbound_connectivity')) return null;
        const name = host || hosts.get(ip);
        if (outboundAllowed(name, ip, port)) return null;
        const details = {};
        if (name) details.host = name;
        Object.assign(details, { ip, port, proto: 'tcp' });
        return report('outbound_connectivity', details) ? refusal('outbound_connectivity') : null;
      };
      const connect = net.Socket.prototype.connect;
      net.Socket.prototype.connect = function (...args) {
        try {
          // net.connect() passes its normalised [options, callback] array as the first argument.
          const holder = Array.isArray(args[0]) ? args[0] : args;
          const opts = typeof holder[0] === 'object' && holder[0] !== null && !Array.isArray(holder[0]) ? holder[0] : null;
          const port = Number(opts ? opts.port : args[0]);
          const host = opts ? opts.host || 'localhost' : typeof args[1] === 'string' ? args[1] : 'localhost';
          if (opts && opts.path) return connect.apply(this, args);
          if (net.isIP(host)) {
            const refused = destCheck(null, host, port);
            if (refused) {
              process.nextTick(() => this.destroy(refused));
              return this;
            }
          } else if (opts) {
            const userLookup = opts.lookup || dns.lookup;
            holder[0] = Object.assign({}, opts, {
              lookup: (name, o, cb) =>
                userLookup(name, o, (err, address, family) => {
                  if (err) return cb(err, address, family);
                  const list = Array.isArray(address) ? address : [{ address, family }];
                  for (const a of list) {
                    const refused = destCheck(name, a.address, port);
                    if (refused) return cb(refused);
                  }
                  return cb(err, address, family);
                }),
            });
          }
        } catch (_) {
          /* pass through */
        }
        return connect.apply(this, args);
      };
    } catch (_) {
      /* leave net as it is */
    }
  }
}

try {
  install();
} catch (_) {
  /* never break the process */
}
