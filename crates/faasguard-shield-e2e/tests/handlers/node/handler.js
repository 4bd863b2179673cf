'use strict';
// faasguard-shield e2e: a Node.js Lambda handler that attempts one violation per invocation.
// The event names the check and carries its parameters (loopback ports, paths under the test's
// tmp root). The response says what happened: outcome "ok", or the error code of the refusal
// (EPERM, EACCES), with a short detail. Nothing connects anywhere but 127.0.0.1.

const cp = require('child_process');
const dgram = require('dgram');
const fs = require('fs');
const net = require('net');
const path = require('path');

function tcp(host, port) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port, family: 4 });
    s.setTimeout(5000);
    s.once('connect', () => {
      s.destroy();
      resolve(`connected to ${host}:${port}`);
    });
    s.once('error', reject);
    s.once('timeout', () => {
      s.destroy();
      reject(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }));
    });
  });
}

function udp(port) {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    s.send(Buffer.from('faasguard'), port, '127.0.0.1', (err) => {
      s.close();
      if (err) reject(err);
      else resolve('sent');
    });
  });
}

// A child process that has finished (alert mode) or the synchronous refusal (block mode).
function exited(child) {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(`exit ${code}`));
  });
}

const checks = {
  tcp_allowed: (e) => tcp('127.0.0.1', e.port),
  tcp_denied: (e) => tcp('127.0.0.1', e.port),
  udp_denied: (e) => udp(e.port),
  // A name from /etc/hosts: getaddrinfo (hooked) learns which host the address belongs to.
  host_allowed: (e) => tcp(e.host, e.port),
  host_denied: (e) => tcp(e.host, e.port),
  tmp_create: (e) => {
    fs.writeFileSync(e.path, 'created');
    return 'created';
  },
  tmp_write: (e) => {
    fs.appendFileSync(e.path, 'appended');
    return 'appended';
  },
  tmp_rename: (e) => {
    fs.renameSync(e.path, e.target);
    return 'renamed';
  },
  tmp_delete: (e) => {
    fs.unlinkSync(e.path);
    return 'deleted';
  },
  tmp_read: (e) => fs.readFileSync(e.path, 'utf8'),
  exec: () =>
    new Promise((resolve, reject) => {
      cp.exec('exit 0', (err) => (err ? reject(err) : resolve('exit 0')));
    }),
  spawn: () => exited(cp.spawn('true', [], { stdio: 'ignore' })),
  execFile: () =>
    new Promise((resolve, reject) => {
      cp.execFile('/bin/true', [], (err) => (err ? reject(err) : resolve('exit 0')));
    }),
  read_handler: () => {
    const text = fs.readFileSync(path.join(process.env.LAMBDA_TASK_ROOT, 'handler.js'), 'utf8');
    return `read ${text.length} bytes`;
  },
};

exports.handler = async (event, context) => {
  const check = event.check;
  let outcome = 'ok';
  let detail;
  try {
    detail = await checks[check](event);
  } catch (err) {
    outcome = err.code || err.name;
    detail = `${err.name}: ${err.message}`;
  }
  return {
    check,
    outcome,
    detail: String(detail).slice(0, 200),
    request_id: context.awsRequestId,
  };
};
