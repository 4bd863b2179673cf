// faasguard dashboard: plain JavaScript, no dependencies, no external URL. Every value from the
// API is written with textContent (never as HTML). The token stays in sessionStorage.
'use strict';

const TOKEN_KEY = 'faasguard.token';
const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'];
const SEV_COLORS = { critical: '#8b1a1a', high: '#d1453b', medium: '#e08a1e', low: '#c9b81d', info: '#6f8fb3' };
const SVG_NS = 'http://www.w3.org/2000/svg';
let me = null;

// ---- helpers -------------------------------------------------------------------------------

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (k === 'class') node.className = v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  for (const c of children.flat(Infinity)) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

function sevBadge(sev) {
  return el('span', { class: `badge sev-${sev}` }, sev);
}

function fmtTime(s) {
  if (!s) return '';
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? s : d.toISOString().replace('T', ' ').slice(0, 19) + 'Z';
}

function main() { return document.getElementById('main'); }

function show(...nodes) {
  const m = main();
  m.replaceChildren(...nodes);
}

function table(headers, rows) {
  return el('table', {},
    el('thead', {}, el('tr', {}, headers.map((h) => el('th', {}, h)))),
    el('tbody', {}, rows.length ? rows : el('tr', {}, el('td', { colspan: headers.length, class: 'muted' }, 'Nothing here.'))));
}

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function api(path, options = {}) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const headers = { Accept: 'application/json', ...(options.headers || {}) };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`/api/v1${path}`, {
    method: options.method || 'GET',
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    cache: 'no-store',
  });
  let data = null;
  try { data = await res.json(); } catch (_) { data = null; }
  if (res.status === 401 && !options.noRedirect) {
    sessionStorage.removeItem(TOKEN_KEY);
    me = null;
    location.hash = '#/signin';
    throw new ApiError(401, 'Please sign in.');
  }
  if (!res.ok) throw new ApiError(res.status, (data && data.message) || `HTTP ${res.status}`);
  return data;
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== '' && v !== null && v !== undefined && v !== false) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

// `exact` is false when a text search stopped counting: `total` is then a lower bound.
// `next` is the answer's next_cursor: Next continues after the last row (as fast as the first
// page), Previous goes back by page number.
function pager(page, perPage, total, go, exact = true, next = undefined) {
  const pages = Math.max(1, Math.ceil(total / perPage));
  const label = exact ? `Page ${page} of ${pages} (${total} in all)` : `Page ${page} (more than ${total})`;
  return el('div', { class: 'pager' },
    el('button', { type: 'button', disabled: page <= 1, onclick: () => go(page - 1) }, '‹ Previous'),
    el('span', {}, label),
    el('button', { type: 'button', disabled: exact && page >= pages, onclick: () => go(page + 1, next) }, 'Next ›'));
}

function confirmDialog(text) {
  const dialog = document.getElementById('confirm');
  document.getElementById('confirm-text').textContent = text;
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.showModal();
  });
}

// A filter form: `fields` are [label, control] pairs, each control named after its key in
// `state`; submitting copies the controls' values into `state` and shows the first page.
function filterForm(state, fields, go) {
  return el('form', {
    class: 'filters',
    onsubmit: (ev) => {
      ev.preventDefault();
      for (const [, control] of fields) state[control.name] = control.value.trim();
      go(1);
    },
  }, fields.map(([label, control]) => el('label', {}, label, control)),
  el('button', { type: 'submit', class: 'primary' }, 'Filter'));
}

function fnLink(id, label) {
  return el('a', { href: `#/function/${encodeURIComponent(id)}` }, label || id);
}

// ---- enforcement ---------------------------------------------------------------------------

function enforceButton(fn, after) {
  if (!me || me.role !== 'admin') return null;
  const action = fn.blocked ? 'unblock' : 'block';
  const label = fn.blocked ? 'Unblock' : 'Block';
  return el('button', {
    type: 'button',
    class: fn.blocked ? 'primary' : 'danger',
    'data-action': action,
    'data-function': fn.name,
    onclick: async (ev) => {
      const question = fn.blocked
        ? `Unblock ${fn.name}? Its previous reserved concurrency will be restored.`
        : `Block ${fn.name}? Its reserved concurrency will be set to 0 and it can no longer be invoked.`;
      if (!(await confirmDialog(question))) return;
      ev.target.disabled = true;
      try {
        await api(`/functions/${encodeURIComponent(fn.id)}/${action}`, { method: 'POST', body: {} });
        await after();
      } catch (e) {
        ev.target.disabled = false;
        ev.target.after(el('span', { class: 'error' }, ` ${e.message}`));
      }
    },
  }, label);
}

// ---- pages ---------------------------------------------------------------------------------

function signinPage() {
  const input = el('input', { type: 'password', id: 'token', autocomplete: 'off', placeholder: 'fg_…', required: true });
  const error = el('p', { class: 'error', id: 'signin-error' });
  const form = el('form', {
    class: 'card signin',
    onsubmit: async (ev) => {
      ev.preventDefault();
      sessionStorage.setItem(TOKEN_KEY, input.value.trim());
      try {
        me = await api('/me', { noRedirect: true });
        location.hash = '#/assurance';
      } catch (e) {
        sessionStorage.removeItem(TOKEN_KEY);
        error.textContent = e.status === 401 ? 'This token is not valid.' : e.message;
      }
    },
  },
  el('h1', {}, 'Sign in'),
  el('label', { for: 'token' }, 'API token'),
  input,
  el('button', { type: 'submit', class: 'primary', id: 'signin-submit' }, 'Sign in'),
  error);
  show(form);
  input.focus();
}

function outcomeCell(outcome) {
  if (!outcome) return el('td', { class: 'muted' }, '–');
  const cls = outcome === 'pass' ? 'pass' : outcome === 'violation' ? 'fail' : 'exempt';
  return el('td', { class: cls }, outcome);
}

// The view's filters as the API takes them: `show` is all, violating (fails a policy) or blocked.
function assuranceFilters(show) {
  return { violating: show === 'violating' ? 'true' : '', blocked: show === 'blocked' ? 'true' : '' };
}

async function assurancePage(params) {
  const state = {
    account: params.get('account') || '', region: params.get('region') || '', q: params.get('q') || '',
    show: params.get('show') || 'all', page: Number(params.get('page') || 1),
  };
  const cursor = params.get('cursor') || '';
  const { show: which, ...filters } = state;
  const data = await api(`/assurance${query({ ...filters, ...assuranceFilters(which), per_page: 50, cursor })}`);
  const reload = () => assurancePage(params);
  const go = (page, next) => { location.hash = `#/assurance${query({ ...state, page, show: state.show === 'all' ? '' : state.show, cursor: next })}`; };
  const showSel = el('select', { name: 'show' }, [['all', 'all functions'], ['violating', 'violating a policy'], ['blocked', 'blocked']]
    .map(([v, label]) => el('option', { value: v, selected: v === state.show }, label)));
  const account = el('input', { name: 'account', value: state.account, placeholder: '123456789012', size: 14 });
  const region = el('input', { name: 'region', value: state.region, placeholder: 'eu-west-1', size: 12 });
  const q = el('input', { name: 'q', value: state.q, placeholder: 'function name', type: 'search', size: 18 });
  const form = filterForm(state, [['Show', showSel], ['Account', account], ['Region', region], ['Function', q]], go);
  const rows = data.rows.map((r) => el('tr', { class: r.blocked ? 'blocked' : '', 'data-function': r.name },
    el('td', {}, fnLink(r.id, r.name), r.blocked ? [' ', el('span', { class: 'badge blocked-badge' }, 'blocked')] : null),
    el('td', {}, r.account), el('td', {}, r.region),
    data.policies.map((p) => outcomeCell(r.results[p])),
    el('td', {}, enforceButton(r, reload))));
  show(
    el('h1', {}, 'Function assurance'),
    form,
    el('p', { class: 'muted' }, `${data.total} functions × ${data.policies.length} policies; blocked functions first.`),
    table(['Function', 'Account', 'Region', ...data.policies, ''], rows),
    pager(state.page, data.per_page, data.total, go, true, data.next_cursor),
  );
}

function findingRows(findings) {
  return findings.map((f) => el('tr', {},
    el('td', {}, sevBadge(f.severity)),
    el('td', { class: 'mono' }, f.rule_id),
    el('td', {}, f.message, f.evidence ? [el('br'), el('code', {}, f.evidence)] : null),
    el('td', {}, f.status),
    el('td', {}, fmtTime(f.first_seen)),
    el('td', {}, fmtTime(f.fixed_at || f.last_seen))));
}

async function functionPage(id) {
  const d = await api(`/functions/${encodeURIComponent(id)}`);
  const fn = d.function;
  const reload = () => functionPage(id);
  const facts = [
    ['ARN', fn.arn], ['Account', fn.account], ['Region', fn.region], ['Runtime', fn.runtime],
    ['Role', fn.role],
    // A block sets the reserved concurrency to 0; the stored value is the last scan's until the next one.
    ['Reserved concurrency', fn.blocked ? 0 : fn.reserved_concurrency ?? 'unreserved'],
    ['Blocked', fn.blocked ? `yes (previous concurrency: ${fn.previous_concurrency ?? 'unreserved'})` : 'no'],
    ['Last scanned', fmtTime(fn.last_seen)],
  ];
  const findingHeaders = ['Severity', 'Rule', 'Finding', 'Status', 'First seen', 'Last seen / fixed'];
  show(
    el('h1', {}, fn.name, ' ', fn.blocked ? el('span', { class: 'badge blocked-badge' }, 'blocked') : null, ' ', enforceButton(fn, reload)),
    el('div', { class: 'card' }, el('dl', { class: 'facts' }, facts.map(([k, v]) => [el('dt', {}, k), el('dd', {}, v ?? '')]))),
    el('h2', {}, 'Policies'),
    table(['Policy', 'Outcome', 'Action', 'Reason'], d.policies.map((p) => el('tr', {},
      el('td', {}, p.policy), outcomeCell(p.outcome), el('td', {}, p.action), el('td', {}, p.reason || '')))),
    el('h2', {}, 'Vulnerabilities'),
    table(['Severity', 'Package', 'Installed', 'Fixed in', 'Advisory'], d.vulnerabilities.map((v) => el('tr', {},
      el('td', {}, sevBadge(v.severity)), el('td', {}, v.package), el('td', { class: 'mono' }, v.installed),
      el('td', { class: 'mono' }, v.fixed || 'no fix'),
      el('td', {}, v.advisory ? [el('code', {}, v.advisory), el('br')] : null, el('span', { class: 'detail' }, v.message))))),
    el('h2', {}, 'Secrets (redacted)'),
    table(findingHeaders, findingRows(d.secrets)),
    el('h2', {}, 'Permissions and their risks'),
    table(findingHeaders, findingRows(d.permissions)),
    el('h2', {}, 'Configuration'),
    table(findingHeaders, findingRows(d.configuration)),
    el('h2', {}, 'Other findings'),
    table(findingHeaders, findingRows(d.other)),
    el('h2', {}, 'History'),
    table(['When', 'Event', 'Rule', 'Detail'], d.history.map((h) => el('tr', {},
      el('td', {}, fmtTime(h.at)), el('td', {}, h.event), el('td', { class: 'mono' }, h.rule_id || ''), el('td', {}, h.detail || '')))),
  );
}

async function findingsPage(params) {
  const state = {
    severity: params.get('severity') || '', rule: params.get('rule') || '', function: params.get('function') || '',
    status: params.get('status') || 'open', q: params.get('q') || '', page: Number(params.get('page') || 1),
  };
  const cursor = params.get('cursor') || '';
  const data = await api(`/findings${query({ ...state, per_page: 50, cursor })}`);
  const go = (page, next) => { location.hash = `#/findings${query({ ...state, page, cursor: next })}`; };
  const sev = el('select', { name: 'severity' }, el('option', { value: '' }, 'any'), SEVERITIES.map((s) => el('option', { value: s, selected: s === state.severity }, s)));
  const status = el('select', { name: 'status' }, ['open', 'fixed', 'all'].map((s) => el('option', { value: s, selected: s === state.status }, s)));
  const rule = el('input', { name: 'rule', value: state.rule, placeholder: 'FG-IAM-001', size: 12 });
  const func = el('input', { name: 'function', value: state.function, placeholder: 'function name', size: 16 });
  const q = el('input', { name: 'q', value: state.q, placeholder: 'search messages', type: 'search', size: 24 });
  const form = filterForm(state, [['Severity', sev], ['Status', status], ['Rule', rule], ['Function', func], ['Search', q]], go);
  const rows = data.items.map((f) => el('tr', {},
    el('td', {}, sevBadge(f.severity)), el('td', { class: 'mono' }, f.rule_id),
    el('td', {}, fnLink(f.function_id, f.function)),
    el('td', {}, f.message, f.evidence ? [el('br'), el('code', {}, f.evidence)] : null),
    el('td', {}, f.status), el('td', {}, fmtTime(f.first_seen)), el('td', {}, fmtTime(f.fixed_at || f.last_seen))));
  show(el('h1', {}, 'Findings'), form,
    table(['Severity', 'Rule', 'Function', 'Finding', 'Status', 'First seen', 'Last seen / fixed'], rows),
    pager(state.page, data.per_page, data.total, go, data.total_exact !== false, data.next_cursor));
}

async function auditPage(params) {
  const page = Number(params.get('page') || 1);
  const data = await api(`/audit${query({ page, per_page: 50 })}`);
  const rows = data.items.map((a) => el('tr', {},
    el('td', {}, fmtTime(a.at)), el('td', {}, a.actor), el('td', {}, a.action),
    el('td', {}, a.function || ''), el('td', {}, a.policy || ''), el('td', { class: 'mono' }, a.detail || '')));
  show(el('h1', {}, 'Audit log'),
    table(['When', 'Who', 'Action', 'Function', 'Policy', 'What changed'], rows),
    pager(page, data.per_page, data.total, (p) => { location.hash = `#/audit?page=${p}`; }));
}

function severityChart(days) {
  const width = 900; const height = 300; const left = 44; const bottom = 28; const top = 10; const right = 10;
  const plotW = width - left - right; const plotH = height - top - bottom;
  const max = Math.max(1, ...days.map((d) => SEVERITIES.reduce((n, s) => n + (d[s] || 0), 0)));
  const chart = svg('svg', { class: 'chart', id: 'severity-chart', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': 'Open findings by severity per day' });
  for (let i = 0; i <= 4; i += 1) {
    const y = top + plotH - (plotH * i) / 4;
    chart.append(svg('line', { x1: left, x2: width - right, y1: y, y2: y, stroke: '#e3e7ed' }));
    chart.append(svg('text', { x: left - 6, y: y + 4, 'text-anchor': 'end' }, Math.round((max * i) / 4)));
  }
  const slot = plotW / Math.max(1, days.length);
  const barW = Math.max(2, slot * 0.7);
  days.forEach((d, i) => {
    let y = top + plotH;
    const x = left + i * slot + (slot - barW) / 2;
    for (const s of [...SEVERITIES].reverse()) {
      const h = (plotH * (d[s] || 0)) / max;
      if (h > 0) {
        y -= h;
        chart.append(svg('rect', { x, y, width: barW, height: h, fill: SEV_COLORS[s], 'data-severity': s },
          svg('title', {}, `${d.day} ${s}: ${d[s]}`)));
      }
    }
    if (days.length <= 15 || i % Math.ceil(days.length / 10) === 0) {
      chart.append(svg('text', { x: x + barW / 2, y: height - 8, 'text-anchor': 'middle' }, d.day.slice(5)));
    }
  });
  return chart;
}

async function trendsPage(params) {
  const days = Number(params.get('days') || 30);
  const data = await api(`/stats/findings-by-day${query({ days })}`);
  show(el('h1', {}, 'Findings by severity over time'),
    el('p', { class: 'muted' }, `Open findings on each of the last ${days} days.`),
    severityChart(data.days),
    el('p', { class: 'legend' }, SEVERITIES.map((s) => el('span', {}, el('span', { class: `badge sev-${s}` }, s)))));
}

async function policyPage() {
  const data = await api('/policy');
  const admin = me && me.role === 'admin';
  const where = data.path ? `File: ${data.path}` : 'No policy file is configured (start the server with --policy)';
  if (!admin) {
    show(el('h1', {}, 'Assurance policy'), el('p', { class: 'muted' }, where),
      el('pre', { class: 'card policy-text', id: 'policy-text' }, data.text || '(empty)'));
    return;
  }
  const text = el('textarea', { id: 'policy-editor', class: 'policy-text', rows: 24, spellcheck: 'false' });
  text.value = data.text || '';
  const status = el('p', { id: 'policy-status', role: 'status' });
  const save = el('button', { type: 'submit', class: 'primary', id: 'policy-save', disabled: !data.path }, 'Validate and save');
  const form = el('form', {
    class: 'card',
    onsubmit: async (ev) => {
      ev.preventDefault();
      if (!(await confirmDialog('Replace the assurance policy? The scheduler uses it from its next run.'))) return;
      save.disabled = true;
      status.className = '';
      status.textContent = 'Saving…';
      try {
        await api('/policy', { method: 'PUT', body: { text: text.value } });
        status.className = 'ok';
        status.textContent = 'Saved. The change is in the audit log.';
      } catch (e) {
        status.className = 'error';
        status.textContent = e.message;
      } finally {
        save.disabled = false;
      }
    },
  }, text, save, status);
  show(el('h1', {}, 'Assurance policy'),
    el('p', { class: 'muted' }, where, '. The document is checked before it is written; an error names its line and column.'),
    form);
}

async function tokensPage() {
  if (!me || me.role !== 'admin') {
    show(el('h1', {}, 'API tokens'), el('p', { class: 'muted' }, 'Only an admin manages tokens.'));
    return;
  }
  const data = await api('/tokens');
  const rows = data.items.map((t) => el('tr', { 'data-token': t.name, class: t.revoked_at ? 'muted' : '' },
    el('td', {}, t.name), el('td', {}, t.role), el('td', { class: 'mono' }, t.id),
    el('td', {}, fmtTime(t.created_at), ' by ', t.created_by), el('td', {}, fmtTime(t.last_used_at)),
    el('td', {}, t.revoked_at ? `revoked ${fmtTime(t.revoked_at)}` : el('button', {
      type: 'button',
      class: 'danger',
      'data-action': 'revoke',
      onclick: async (ev) => {
        if (!(await confirmDialog(`Revoke the token ${t.name}? Requests with it are refused from now on.`))) return;
        ev.target.disabled = true;
        try {
          await api(`/tokens/${encodeURIComponent(t.id)}`, { method: 'DELETE' });
          await tokensPage();
        } catch (e) {
          ev.target.disabled = false;
          ev.target.after(el('span', { class: 'error' }, ` ${e.message}`));
        }
      },
    }, 'Revoke'))));
  const name = el('input', { name: 'name', id: 'token-name', required: true, placeholder: 'ci-pipeline', size: 20 });
  const role = el('select', { name: 'role', id: 'token-role' }, ['viewer', 'admin'].map((r) => el('option', { value: r }, r)));
  const created = el('div', { id: 'token-created' });
  const form = el('form', {
    class: 'filters',
    onsubmit: async (ev) => {
      ev.preventDefault();
      try {
        const t = await api('/tokens', { method: 'POST', body: { name: name.value.trim(), role: role.value } });
        await tokensPage();
        document.getElementById('token-created').replaceChildren(el('div', { class: 'card' },
          el('p', {}, `Token for ${t.name} (${t.role}). Copy it now: it is not shown again.`),
          el('code', { id: 'token-value', class: 'mono' }, t.token)));
      } catch (e) {
        created.replaceChildren(el('p', { class: 'error' }, e.message));
      }
    },
  }, el('label', {}, 'Name', name), el('label', {}, 'Role', role),
  el('button', { type: 'submit', class: 'primary', id: 'token-create' }, 'Create token'));
  show(el('h1', {}, 'API tokens'),
    el('p', { class: 'muted' }, 'Only a hash of each token is stored. Revoking here takes effect at once on this server, within 10 seconds on the others.'),
    form, created,
    table(['Name', 'Role', 'Id', 'Created', 'Last used', ''], rows));
}

// ---- router --------------------------------------------------------------------------------

async function route() {
  const hash = location.hash || '#/assurance';
  const [path, qs] = hash.slice(1).split('?');
  const params = new URLSearchParams(qs || '');
  const token = sessionStorage.getItem(TOKEN_KEY);
  const signedIn = Boolean(token);
  document.getElementById('nav').hidden = !signedIn;
  document.getElementById('signout').hidden = !signedIn;
  if (!signedIn || path === '/signin') {
    document.getElementById('who').textContent = '';
    signinPage();
    return;
  }
  try {
    if (!me) me = await api('/me');
    document.getElementById('who').textContent = `${me.name} (${me.role})`;
    const page = path.split('/')[1];
    for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', a.dataset.page === page);
    if (page === 'function') await functionPage(decodeURIComponent(path.slice('/function/'.length)));
    else if (page === 'findings') await findingsPage(params);
    else if (page === 'audit') await auditPage(params);
    else if (page === 'trends') await trendsPage(params);
    else if (page === 'policy') await policyPage();
    else if (page === 'tokens') await tokensPage();
    else await assurancePage(params);
    // Which view the page shows now (tests wait for it after navigating).
    main().dataset.view = hash;
  } catch (e) {
    if (e.status !== 401) show(el('p', { class: 'error' }, e.message));
  }
}

document.getElementById('signout').addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN_KEY);
  me = null;
  location.hash = '#/signin';
});
window.addEventListener('hashchange', route);
route();
