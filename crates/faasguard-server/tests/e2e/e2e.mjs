// End-to-end test of the faasguard dashboard in headless Chromium, driven by playwright-core.
// Run by tests/dashboard_e2e.rs, which starts the server on 127.0.0.1 with a seeded store and
// passes it here through the environment:
//   FAASGUARD_URL            http://127.0.0.1:PORT
//   FAASGUARD_ADMIN_TOKEN    an admin token
//   FAASGUARD_VIEWER_TOKEN   a viewer token
//   FAASGUARD_BLOCKED        the name of the blocked function to unblock
//   FAASGUARD_SCREENSHOTS    directory for the page screenshots
//   CHROMIUM                 the browser (default /usr/bin/chromium)
// Exits 0 when every step passed; prints the failing step and exits 1 otherwise.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const url = process.env.FAASGUARD_URL;
const adminToken = process.env.FAASGUARD_ADMIN_TOKEN;
const viewerToken = process.env.FAASGUARD_VIEWER_TOKEN;
const blocked = process.env.FAASGUARD_BLOCKED;
const shots = process.env.FAASGUARD_SCREENSHOTS;
for (const [k, v] of Object.entries({ FAASGUARD_URL: url, FAASGUARD_ADMIN_TOKEN: adminToken, FAASGUARD_VIEWER_TOKEN: viewerToken, FAASGUARD_BLOCKED: blocked, FAASGUARD_SCREENSHOTS: shots })) {
  if (!v) { console.error(`missing ${k}`); process.exit(2); }
}
mkdirSync(shots, { recursive: true });

function check(cond, message) {
  if (!cond) throw new Error(`check failed: ${message}`);
  console.log(`ok - ${message}`);
}

// A screenshot of the current page, after checking that no value on it was rendered as an
// object placeholder (a list or element written as text).
async function shot(page, name, fullPage = true) {
  const text = await page.textContent('body');
  check(!text.includes('[object '), `the ${name} page renders every value as text`);
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage });
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
const external = [];
const cspErrors = [];
let failed = false;
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  // Any request to somewhere other than the server is a failure (the dashboard embeds all).
  await page.route('**/*', (route) => {
    const u = route.request().url();
    if (u.startsWith(url) || u.startsWith('data:')) return route.continue();
    external.push(u);
    return route.abort();
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy/i.test(msg.text())) cspErrors.push(msg.text());
  });
  page.on('pageerror', (e) => cspErrors.push(`page error: ${e.message}`));

  // 1. Signing in: a wrong token is refused, the admin token is accepted.
  await page.goto(url);
  await page.waitForSelector('#token');
  await shot(page, 'signin', false);
  await page.fill('#token', 'fg_not_a_real_token');
  await page.click('#signin-submit');
  await page.waitForFunction(() => document.querySelector('#signin-error')?.textContent.includes('not valid'));
  check(true, 'a wrong token is refused on the sign-in page');
  await page.fill('#token', adminToken);
  await page.click('#signin-submit');
  await page.waitForSelector('table tbody tr[data-function]');
  const who = await page.textContent('#who');
  check(who.includes('(admin)'), `signed in as an admin (${who.trim()})`);
  const stored = await page.evaluate(() => sessionStorage.getItem('faasguard.token'));
  check(stored === adminToken, 'the token is kept in sessionStorage');

  // 2. The assurance view: the blocked function is listed first, marked, with an Unblock button.
  const firstRow = page.locator('table tbody tr[data-function]').first();
  check(await firstRow.getAttribute('data-function') === blocked, `the blocked function ${blocked} is listed first`);
  check((await firstRow.getAttribute('class')).includes('blocked'), 'its row is marked blocked');
  check(await firstRow.locator('.fail').count() > 0, 'it fails a policy');
  await shot(page, 'assurance');
  const allRows = await page.locator('table tbody tr[data-function]').count();
  // The view's filters: violating functions only, then blocked ones only, then all again.
  for (const [show, want] of [['violating', (r) => r.fails > 0], ['blocked', (r) => r.blocked], ['all', () => true]]) {
    await page.selectOption('select[name="show"]', show);
    await page.click('form.filters button[type="submit"]');
    await page.waitForFunction((s) => {
      const view = document.querySelector('main').dataset.view || '';
      return view.startsWith('#/assurance?') && (s === 'all' ? !view.includes('show=') : view.includes(`show=${s}`));
    }, show);
    const rows = await page.locator('table tbody tr[data-function]').evaluateAll((trs) => trs.map((tr) => ({
      name: tr.dataset.function, blocked: tr.classList.contains('blocked'), fails: tr.querySelectorAll('.fail').length,
    })));
    const expected = show === 'all' ? allRows : rows.length;
    check(rows.length > 0 && rows.length === expected && rows.every(want) && (show === 'all' || rows.length < allRows),
      `the assurance view shows ${show} functions (${rows.map((r) => r.name).join(', ')})`);
  }

  // 3. The function page: vulnerabilities with versions, a redacted secret, permissions, history.
  await firstRow.locator('a').first().click();
  await page.waitForSelector('h2:has-text("Vulnerabilities")');
  const body = await page.textContent('main');
  check(body.includes('Installed') && body.includes('Fixed in'), 'the function page lists vulnerabilities with installed and fixed versions');
  const facts = await page.locator('dl.facts dt').allTextContents();
  check(facts.includes('ARN') && facts.includes('Reserved concurrency'), `the function's facts are listed (${facts.join(', ')})`);
  const arn = await page.locator('dl.facts dt:has-text("ARN") + dd').textContent();
  check(arn.endsWith(`:function:${blocked}`), `its ARN is shown (${arn})`);
  const advisories = await page.locator('h2:has-text("Vulnerabilities") + table tbody td:nth-child(5) code').allTextContents();
  check(advisories.length > 0 && advisories.every((a) => /^GHSA-/.test(a)), `each vulnerability names its advisory (${advisories.length})`);
  check(!body.includes('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'), 'no secret value appears on the function page');
  check(/Permissions and their risks/.test(body) && /FG-IAM-/.test(body), 'permission risks (FG-IAM) are shown');
  check(/History/.test(body) && /opened/.test(body), 'the finding history is shown');
  await shot(page, 'function');

  // 4. The findings view: filter by severity, then search the text.
  await page.click('#nav a[data-page="findings"]');
  await page.waitForSelector('form.filters');
  await page.selectOption('select[name="severity"]', 'critical');
  await page.click('form.filters button[type="submit"]');
  await page.waitForFunction(() => document.querySelector('main').dataset.view?.includes('severity=critical'));
  const sevs = await page.locator('table tbody tr td:first-child').allTextContents();
  check(sevs.length > 0 && sevs.every((s) => s === 'critical'), `the severity filter shows only critical findings (${sevs.length})`);
  await page.selectOption('select[name="severity"]', '');
  await page.fill('input[name="q"]', 'access key');
  await page.click('form.filters button[type="submit"]');
  await page.waitForFunction(() => document.querySelector('main').dataset.view?.includes('q=access'));
  const msgs = await page.locator('table tbody tr td:nth-child(4)').allTextContents();
  check(msgs.length > 0 && msgs.every((m) => m.toLowerCase().includes('access key')), `the text search finds only matching findings (${msgs.length})`);
  await shot(page, 'findings');
  // Next pages with the answer's cursor; Previous goes back by page number.
  await page.evaluate(() => { location.hash = '#/findings'; });
  await page.waitForFunction(() => document.querySelector('main').dataset.view === '#/findings');
  const firstPage = await page.locator('table tbody tr td:nth-child(2)').allTextContents();
  await page.click('.pager button:has-text("Next")');
  await page.waitForFunction(() => document.querySelector('main').dataset.view?.includes('cursor='));
  const pagerText = await page.textContent('.pager span');
  const secondPage = await page.locator('table tbody tr').count();
  check(pagerText.startsWith('Page 2 of 2') && secondPage > 0 && firstPage.length === 50, `Next continues with the cursor (${pagerText}, ${secondPage} rows)`);
  await page.click('.pager button:has-text("Previous")');
  await page.waitForFunction(() => document.querySelector('main').dataset.view?.includes('page=1'));
  const again = await page.locator('table tbody tr td:nth-child(2)').allTextContents();
  check(JSON.stringify(again) === JSON.stringify(firstPage), 'Previous shows the first page again');

  // 5. The chart of findings by severity over time (inline SVG).
  await page.click('#nav a[data-page="trends"]');
  await page.waitForSelector('#severity-chart rect');
  const bars = await page.locator('#severity-chart rect').count();
  check(bars > 0, `the severity chart draws ${bars} bars`);
  await shot(page, 'trends');

  // 6. Unblock from the assurance view, through the confirmation dialog.
  await page.click('#nav a[data-page="assurance"]');
  const row = page.locator(`table tbody tr[data-function="${blocked}"]`);
  await row.waitFor();
  const button = row.locator('button[data-action="unblock"]');
  check(await button.count() === 1, 'an admin sees the Unblock button');
  // Cancelling the dialog changes nothing.
  await button.click();
  await page.waitForSelector('dialog#confirm[open]');
  await page.click('#confirm-cancel');
  check((await row.getAttribute('class')).includes('blocked'), 'cancelling the confirmation leaves the function blocked');
  await button.click();
  await page.waitForSelector('dialog#confirm[open]');
  check((await page.textContent('#confirm-text')).includes(blocked), 'the confirmation names the function');
  await page.click('#confirm-ok');
  await page.waitForFunction((name) => {
    const r = document.querySelector(`table tbody tr[data-function="${name}"]`);
    return r && !r.classList.contains('blocked') && r.querySelector('button[data-action="block"]');
  }, blocked);
  check(true, 'after confirming, the function is shown unblocked with a Block button');

  // 7. The audit log shows the unblock with the token's name as the actor.
  await page.click('#nav a[data-page="audit"]');
  await page.waitForSelector('h1:has-text("Audit log")');
  await page.waitForSelector('table tbody tr');
  const audit = await page.textContent('main');
  check(audit.includes('unblock') && audit.includes(blocked), 'the audit log records the unblock');
  await shot(page, 'audit');

  // 8. The policy editor: an invalid document is refused with its line, a valid one is saved.
  await page.click('#nav a[data-page="policy"]');
  await page.waitForSelector('#policy-editor');
  const current = await page.inputValue('#policy-editor');
  check(current.includes('no-critical-vulns'), 'the policy editor shows the policy in force');
  await page.fill('#policy-editor', 'policies:\n  - name: broken\n    action: explode\n');
  await page.click('#policy-save');
  await page.waitForSelector('dialog#confirm[open]');
  await page.click('#confirm-ok');
  await page.waitForFunction(() => document.querySelector('#policy-status')?.classList.contains('error'));
  const refusal = await page.textContent('#policy-status');
  check(/assurance\.yaml:3/.test(refusal), `an invalid policy is refused with its line (${refusal.trim()})`);
  await page.fill('#policy-editor', `${current.trimEnd()}\n# edited in the dashboard\n`);
  await page.click('#policy-save');
  await page.waitForSelector('dialog#confirm[open]');
  await page.click('#confirm-ok');
  await page.waitForFunction(() => document.querySelector('#policy-status')?.classList.contains('ok'));
  check(true, 'a valid policy is saved');
  await shot(page, 'policy');

  // 9. Tokens: create one (shown once), then revoke it.
  await page.click('#nav a[data-page="tokens"]');
  await page.waitForSelector('#token-create');
  await shot(page, 'tokens');
  await page.fill('#token-name', 'e2e-ci');
  await page.selectOption('#token-role', 'viewer');
  await page.click('#token-create');
  await page.waitForSelector('#token-value');
  const created = (await page.textContent('#token-value')).trim();
  check(created.startsWith('fgt_'), 'a created token is shown once');
  const ciRow = page.locator('tr[data-token="e2e-ci"]');
  await ciRow.locator('button[data-action="revoke"]').click();
  await page.waitForSelector('dialog#confirm[open]');
  await page.click('#confirm-ok');
  await page.waitForFunction(() => document.querySelector('tr[data-token="e2e-ci"]')?.textContent.includes('revoked'));
  const refused = await page.evaluate(async (t) => (await fetch('/api/v1/me', { headers: { Authorization: `Bearer ${t}` } })).status, created);
  check(refused === 401, `the revoked token is refused at once (${refused})`);

  // 10. A viewer sees no block/unblock buttons, a read-only policy and no token management.
  await page.click('#signout');
  await page.waitForSelector('#token');
  await page.fill('#token', viewerToken);
  await page.click('#signin-submit');
  await page.waitForSelector('table tbody tr[data-function]');
  check(await page.locator('button[data-action]').count() === 0, 'a viewer sees no block or unblock button');
  await page.click('#nav a[data-page="policy"]');
  await page.waitForSelector('#policy-text');
  check(await page.locator('#policy-editor').count() === 0, 'a viewer reads the policy without an editor');
  check((await page.textContent('#policy-text')).includes('edited in the dashboard'), 'the viewer sees the saved policy');
  await page.click('#nav a[data-page="tokens"]');
  await page.waitForSelector('h1:has-text("API tokens")');
  check(await page.locator('#token-create').count() === 0, 'a viewer cannot manage tokens');

  check(external.length === 0, `no request left the server (${external.join(', ')})`);
  check(cspErrors.length === 0, `no CSP violation or page error (${cspErrors.join(' | ')})`);
} catch (e) {
  failed = true;
  console.error(`not ok - ${e.message}`);
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
