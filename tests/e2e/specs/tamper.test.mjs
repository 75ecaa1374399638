// The promise behind the approval window: Warden never signs a grant that differs from what
// the person asked for. The app runs with WARDEN_DEVNET_TEST_HOOKS=1, so its embedded devnet
// serves the test-only `devnet_setTamper`, after which the devnet answers the next scoped
// request with a broader grant — a higher allowance, another session key, or full control —
// whose typed data is internally consistent: only Warden's comparison with the request can
// tell. For each, the approval window must show the mismatch (field, what was asked, what
// was prepared) with Approve disabled; the person rejects; no session is added and nothing
// is signed (no "approved" or "signed" entry in the activity log).

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { launch, writeArtifact } from '../lib/harness.mjs';
import { accountAddress, createOwnerKey } from '../lib/flows.mjs';
import { devnetUrl, randomAddress, rpc } from '../lib/devnet.mjs';
import {
  addPermission,
  answerApproval,
  approvalView,
  expiryStep,
  grantOutcome,
  keyStep,
  next,
  openGrantWizard,
  requestApproval,
  toSummary,
} from '../lib/grant.mjs';

const LABEL = 'Scoped server';
const ADDRESS = /0x[0-9a-fA-F]{40}/;

/** What each dishonest answer must show as a mismatch. */
const CASES = [
  {
    mode: 'higher-allowance',
    // 0.01 ETH asked, 1000 × that (10 ETH) prepared: some row says so, in any of its forms.
    check(rows) {
      const row = rows.find((r) => /0\.01 ETH|10000000000000000\b|0x2386f26fc10000\b/i.test(r.expected));
      assert.ok(row, `a row with the asked 0.01 ETH allowance: ${JSON.stringify(rows)}`);
      assert.match(row.actual, /\b10 ETH|10000000000000000000\b|0x8ac7230489e80000\b/i, JSON.stringify(row));
    },
  },
  {
    mode: 'other-key',
    check(rows, view) {
      const row = rows.find((r) => ADDRESS.test(r.expected) && ADDRESS.test(r.actual));
      assert.ok(row, `a row with the asked and the prepared session key: ${JSON.stringify(rows)}`);
      assert.notEqual(row.expected.match(ADDRESS)[0].toLowerCase(), row.actual.match(ADDRESS)[0].toLowerCase());
      assert.match(row.field, /key/i, JSON.stringify(row));
      void view;
    },
  },
  {
    mode: 'future-nonce',
    // Signed over a nonce one ahead of the EntryPoint's: the owner could not cancel it.
    check(rows) {
      const row = rows.find((r) => r.field === 'message.nonce');
      assert.ok(row, `a row naming the grant's nonce: ${JSON.stringify(rows)}`);
      assert.match(row.expected, /EntryPoint's next nonce/, JSON.stringify(row));
    },
  },
  {
    mode: 'root',
    check(rows) {
      assert.ok(rows.some((r) => /root/i.test(r.actual) && !/root/i.test(r.expected)), `a row showing root was prepared: ${JSON.stringify(rows)}`);
    },
  },
];

test('a broader grant than asked cannot be approved, and nothing is signed', async () => {
  const app = await launch('tamper', { env: { WARDEN_DEVNET_TEST_HOOKS: '1' } });
  try {
    await app.byLabel('Create owner key');
    await createOwnerKey(app, 'Main');
    await accountAddress(app);
    await app.screenshot('account');
    const url = await devnetUrl(app);
    const recipient = randomAddress();

    await openGrantWizard(app);
    await keyStep(app, LABEL);
    await next(app);
    await expiryStep(app, '1 day');
    await next(app);
    await addPermission(app, { type: 'native-token-transfer', amount: '0.01', unit: 'ETH' });
    await addPermission(app, { type: 'contract-access', address: recipient });
    const summary = await toSummary(app);
    assert.match(summary, /0\.01 ETH/, summary);
    await app.screenshot('summary');

    for (const [i, c] of CASES.entries()) {
      const set = await rpc(url, 'devnet_setTamper', [c.mode]);
      assert.deepEqual(set, { mode: c.mode }, 'the test hook is on');
      const handles = await requestApproval(app);
      const view = await approvalView(app);
      writeArtifact(`tamper-${c.mode}-approval-view.json`, JSON.stringify(view, null, 1));
      await app.screenshot(`${c.mode}-approval`);

      assert.equal(view.verifiedHeading, 'Does not match your request', c.mode);
      assert.match(view.verification, /Approving is disabled\./, c.mode);
      assert.ok(view.mismatches.length > 0, `${c.mode}: the mismatches are listed`);
      for (const row of view.mismatches) {
        assert.ok(row.field, `${c.mode}: every row names its field: ${JSON.stringify(row)}`);
        assert.notEqual(row.expected, row.actual, `${c.mode}: a row differs: ${JSON.stringify(row)}`);
      }
      c.check(view.mismatches, view);
      assert.deepEqual(view.approveButton, { text: 'Approve', disabled: true }, `${c.mode}: Approve is disabled`);

      // Pressing the disabled button does nothing: no outcome, still disabled.
      const approve = await app.byLabel('Approve');
      try {
        await approve.click();
      } catch {
        // WebDriver may refuse to click a disabled control; either way nothing may happen.
      }
      await new Promise((r) => setTimeout(r, 500));
      const still = await approvalView(app);
      assert.equal(still.outcome, null, `${c.mode}: pressing the disabled Approve answered nothing: ${still.outcome}`);
      assert.deepEqual(still.approveButton, { text: 'Approve', disabled: true });

      const answer = await answerApproval(app, handles, 'Reject', () => app.screenshot(`${c.mode}-rejected-window`));
      if (answer !== null) assert.match(answer, /^Rejected\. Nothing was signed\./, answer);
      const outcome = await grantOutcome(app, 'Request rejected');
      assert.match(outcome, /Nothing was signed/);
      await app.screenshot(`${c.mode}-rejected`);

      const sessions = await app.invoke('sessions_list');
      assert.equal(sessions.ok, true, JSON.stringify(sessions));
      assert.deepEqual(sessions.value, [], `${c.mode}: no session was added`);

      if (i < CASES.length - 1) {
        await app.click('Back to summary');
        await app.until('the summary again', async () => (await app.textOf('#grant-step-3')) === 'Summary');
      }
    }

    // Nothing was signed or approved; each request and its rejection are on record.
    const log = await app.invoke('activity_list', { kind: null, sessionId: null });
    assert.equal(log.ok, true, JSON.stringify(log));
    writeArtifact('tamper-activity.json', JSON.stringify(log.value, null, 1));
    const kinds = log.value.entries.map((e) => e.kind);
    assert.ok(!kinds.includes('signed'), `nothing signed: ${kinds}`);
    assert.ok(!kinds.includes('approved'), `nothing approved: ${kinds}`);
    assert.equal(kinds.filter((k) => k === 'rejected').length, CASES.length, `each rejection recorded: ${kinds}`);

    await app.click('Cancel');
    await app.until('the empty sessions list', async () => /No sessions yet/.test(await app.bodyText()));
    await app.screenshot('no-sessions');
    await app.click('Activity');
    await app.until('the activity log', () => app.textOf('[data-testid="integrity"]'));
    const shownKinds = await app.session.execute(`return [...document.querySelectorAll('table tbody td .kind')].map((k) => k.textContent.trim());`);
    assert.ok(shownKinds.includes('Rejected'), `the rejections are listed: ${shownKinds}`);
    assert.ok(!shownKinds.includes('Signed') && !shownKinds.includes('Approved'), `no Signed or Approved entry on screen: ${shownKinds}`);
    await app.screenshot('activity');
  } finally {
    await app.close();
  }
});
