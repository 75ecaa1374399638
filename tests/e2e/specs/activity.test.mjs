// The activity log is evidence: every entry carries the hash of the one before it, so an
// entry edited outside Warden is detected and reported, naming where the chain breaks. This
// runs a few real actions (account, a grant request rejected in the approval window), checks
// the Activity screen lists them as intact, then edits the summary of one past line of
// `activity.jsonl` in the app's data folder ($XDG_DATA_HOME/warden, see src-tauri/src/locations.rs) and reloads
// the screen.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { launch, writeArtifact } from '../lib/harness.mjs';
import { accountAddress, createOwnerKey } from '../lib/flows.mjs';
import { randomAddress } from '../lib/devnet.mjs';
import {
  addPermission,
  answerApproval,
  expiryStep,
  grantOutcome,
  keyStep,
  next,
  openGrantWizard,
  requestApproval,
  toSummary,
} from '../lib/grant.mjs';

/** Every file named `name` under `dir`. */
function find(dir, name) {
  const out = [];
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) out.push(...find(p, name));
    else if (entry === name) out.push(p);
  }
  return out;
}

/** The Activity screen's rows as {seq, kind, summary, classes}. */
const ROWS = `return [...document.querySelectorAll('table tbody tr')].map((tr) => ({
  seq: Number(tr.dataset.seq),
  kind: tr.querySelector('.kind')?.textContent.trim(),
  summary: tr.querySelector('.summary')?.textContent.trim(),
  classes: tr.className,
}));`;

test('an edited past entry of the activity log is reported', async () => {
  const app = await launch('activity');
  try {
    await app.byLabel('Create owner key');
    await createOwnerKey(app, 'Main');
    await accountAddress(app);

    // A grant request, rejected in the approval window.
    await openGrantWizard(app);
    await keyStep(app, 'Log test');
    await next(app);
    await expiryStep(app, '1 hour');
    await next(app);
    await addPermission(app, { type: 'native-token-transfer', amount: '1', unit: 'gwei' });
    await addPermission(app, { type: 'contract-access', address: randomAddress() });
    await toSummary(app);
    const handles = await requestApproval(app);
    await app.screenshot('approval');
    await answerApproval(app, handles, 'Reject');
    await grantOutcome(app, 'Request rejected');

    // The Activity screen: entries listed, the chain intact.
    await app.click('Activity');
    const intact = await app.until('the log verdict', () => app.textOf('[data-testid="integrity"]'));
    assert.match(intact, /^The log is intact\./, intact);
    const before = await app.until('the entries', async () => {
      const rows = await app.session.execute(ROWS);
      return rows.length >= 2 ? rows : null;
    });
    assert.ok(before.some((r) => r.kind === 'Rejected'), `the rejection is listed: ${JSON.stringify(before)}`);
    assert.ok(before.some((r) => r.kind === 'Grant requested'), `the request is listed: ${JSON.stringify(before)}`);
    await app.screenshot('activity-intact');

    // Edit the summary of the first line (a past entry: later ones follow it).
    const files = find(app.dirs.data, 'activity.jsonl');
    assert.equal(files.length, 1, `one activity log under ${app.dirs.data}: ${files}`);
    const file = files[0];
    const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0);
    assert.ok(lines.length >= 2, `at least two entries: ${lines.length}`);
    assert.equal(lines.length, before.length, 'the screen lists every line');
    const entry = JSON.parse(lines[0]);
    assert.equal(entry.seq, 1);
    const original = entry.summary;
    entry.summary = `${original} (edited outside Warden)`;
    lines[0] = JSON.stringify(entry);
    writeFileSync(file, `${lines.join('\n')}\n`);
    writeArtifact('activity-edited.jsonl', `${lines.join('\n')}\n`);

    // Reload: the break is reported, at that entry.
    await app.click('Refresh');
    const broken = await app.until('the break to be reported', async () => {
      const t = await app.textOf('[data-testid="integrity"]');
      return t && !t.startsWith('The log is intact') ? t : null;
    });
    assert.match(broken, /^The log was changed outside Warden: the chain breaks at entry 1\./, broken);
    const rows = await app.session.execute(ROWS);
    const edited = rows.find((r) => r.seq === 1);
    assert.ok(edited, JSON.stringify(rows));
    assert.match(edited.classes, /\bbreak\b/, 'the edited entry is marked');
    assert.ok(edited.summary.includes('chain breaks here'), edited.summary);
    assert.ok(edited.summary.includes('(edited outside Warden)'), 'the entry is shown as it now reads');
    assert.ok(rows.every((r) => /\buntrusted\b/.test(r.classes)), 'entries from the break on are marked untrusted');
    await app.screenshot('activity-broken');

    const log = await app.invoke('activity_list', { kind: null, sessionId: null });
    assert.equal(log.ok, true, JSON.stringify(log));
    assert.equal(log.value.intact, false);
    assert.equal(log.value.brokenAt, 1);
    assert.match(log.value.problem ?? '', /\S/, 'the problem is said in words');

    // Still reported after leaving the screen and coming back.
    await app.click('Account');
    await app.click('Activity');
    const again = await app.until('the verdict again', () => app.textOf('[data-testid="integrity"]'));
    assert.match(again, /the chain breaks at entry 1\./, again);
    await app.screenshot('activity-broken-reopened');
  } finally {
    await app.close();
  }
});
