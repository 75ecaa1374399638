// Every command, called through IPC exactly as the UI calls it, with known test keys: no
// command result, command error or event the webview receives may contain a private key
// or the recovery phrase — nor may the app's log or the files it writes. That includes the
// session key Warden generates for a grant: it leaves the app only inside an export (here a
// plaintext one posted to a loopback listener, which is how the test learns it). The
// approval commands are called from the approval window, the only window allowed them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { launch, writeArtifact } from '../lib/harness.mjs';
import { HEX_ADDRESS, HEX_KEY, MNEMONIC_ADDRESS_2, MNEMONIC_KEY_2, TEST_MNEMONIC } from '../lib/keys.mjs';
import { COMMANDS } from '../lib/commands.mjs';
import { findApprovalWindow } from '../lib/grant.mjs';
import { startReceiver } from '../lib/receiver.mjs';
import { openDialogAnswer, withConfirmation } from '../lib/native-dialog.mjs';
import { show, warden } from '../lib/cli.mjs';

/** A contract-access target for the grants (nobody holds its key). */
const RECIPIENT = '0x00000000000000000000000000000000000e2e01';
/** A server's own session key (the server holds it; only its address travels). */
const SERVER_KEY = '0x00000000000000000000000000000000000e2e0a';

function filesUnder(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) out.push(...filesUnder(p));
    else if (st.isFile() && st.size < 64 << 20) out.push(p);
  }
  return out;
}

/** The secrets as they could appear: with and without 0x, any case; the phrase. */
const needles = [HEX_KEY, MNEMONIC_KEY_2].flatMap((k) => [k.slice(2).toLowerCase()]).concat([TEST_MNEMONIC]);
/** Session keys learnt from exports are added here. */
const sessionKeys = [];

function leaks(text) {
  const lower = text.toLowerCase();
  return [...needles, ...sessionKeys].filter((n) => lower.includes(n.toLowerCase()));
}

test('no command result, error or event carries key material', async () => {
  const app = await launch('secrets');
  let log = '';
  const approvalPayloads = [];
  try {
    await app.installIpcRecorder();
    const called = new Set();
    const call = async (command, args) => {
      called.add(command);
      return app.invoke(command, args);
    };

    // The progress event is listened to the way the UI listens, so its payloads are recorded.
    await app.session.executeAsync(`
      const done = arguments[arguments.length - 1];
      const internals = window.__TAURI_INTERNALS__;
      const handler = internals.transformCallback(() => {});
      internals.invoke('plugin:event|listen', { event: 'progress', target: { kind: 'Any' }, handler }).then(done, (e) => done(String(e)));
    `);

    assert.equal((await call('app_info')).ok, true);
    assert.equal((await call('keychain_status')).value.state, 'ok');
    assert.equal((await call('keys_list')).ok, true);

    const hex = await call('keys_import_hex', { label: 'hex', privateKey: HEX_KEY });
    assert.equal(hex.ok, true, JSON.stringify(hex));
    assert.equal(hex.value.address, HEX_ADDRESS);
    const again = await call('keys_import_hex', { label: 'again', privateKey: `  ${HEX_KEY.toUpperCase().replace('0X', '0x')}\n` });
    assert.equal(again.error?.code, 'already_exists', JSON.stringify(again));
    const bad = await call('keys_import_hex', { label: 'bad', privateKey: HEX_KEY.slice(0, 40) });
    assert.equal(bad.error?.code, 'invalid_input', JSON.stringify(bad));

    const mn = await call('keys_import_mnemonic', { label: 'phrase', phrase: TEST_MNEMONIC, path: "m/44'/60'/0'/0/2" });
    assert.equal(mn.ok, true, JSON.stringify(mn));
    assert.equal(mn.value.address, MNEMONIC_ADDRESS_2);
    const badPhrase = await call('keys_import_mnemonic', { label: 'x', phrase: TEST_MNEMONIC.replace('junk', 'jnuk'), path: null });
    assert.equal(badPhrase.error?.code, 'invalid_input', JSON.stringify(badPhrase));

    const created = await call('keys_create', { label: 'fresh' });
    assert.equal(created.ok, true, JSON.stringify(created));
    assert.equal((await call('keys_select', { id: HEX_ADDRESS })).ok, true);
    const renamed = await call('keys_rename', { id: HEX_ADDRESS, label: 'renamed' });
    assert.equal(renamed.value.find((k) => k.address === HEX_ADDRESS).label, 'renamed');
    // Deleting asks in a native dialog raised by Rust: no IPC argument stands in for it. A
    // cancel there keeps the key; `confirm: true` from the web view changes nothing.
    const DELETE = 'Delete owner key?';
    const kept = await withConfirmation(DELETE, { accept: false }, () => call('keys_delete', { id: created.value.id, confirm: true }));
    assert.equal(kept.error?.code, 'not_confirmed', JSON.stringify(kept));
    assert.ok((await call('keys_list')).value.some((k) => k.id === created.value.id), 'the key is still there');
    const deleted = await withConfirmation(DELETE, { accept: true, mnemonic: 'd' }, () => call('keys_delete', { id: created.value.id }));
    assert.equal(deleted.value?.length, 2, JSON.stringify(deleted));
    // The list rebuilt from the keychain's entries: the same two keys, nothing to write.
    const repaired = await call('keys_repair');
    assert.deepEqual(repaired.value?.keys.map((k) => [k.key.address, k.state]).sort(),
      deleted.value.map((k) => [k.address, 'kept']).sort(), JSON.stringify(repaired));
    // What a reset would remove, named without a secret; a reset cancelled in its native
    // dialog removes nothing.
    const plan = await call('app_reset_plan');
    assert.equal(plan.value?.ownerKeys.length, 2, JSON.stringify(plan));
    const notReset = await withConfirmation('Reset Warden?', { accept: false }, () => call('app_reset'));
    assert.equal(notReset.error?.code, 'not_confirmed', JSON.stringify(notReset));
    assert.equal((await call('keys_list')).value.length, 2, 'a cancelled reset keeps the keys');

    assert.equal((await call('backend_status')).value.kind, 'devnet');
    assert.ok((await call('chains_list')).value.length >= 2);

    const account = await call('account_get', { accountType: '7702' });
    assert.equal(account.ok, true, JSON.stringify(account));
    assert.equal(account.value.address, HEX_ADDRESS);
    assert.equal((await call('account_get', { accountType: 'sma-b' })).ok, true);
    assert.equal((await call('account_get', { accountType: 'light' })).error?.code, 'invalid_input');
    assert.equal((await call('devnet_fund', { address: HEX_ADDRESS })).ok, true);
    assert.equal((await call('account_balance', { address: HEX_ADDRESS })).ok, true);
    assert.equal((await call('account_balance', { address: 'nope' })).error?.code, 'invalid_input');
    const delegated = await call('account_delegate');
    assert.equal(delegated.ok, true, JSON.stringify(delegated));
    const checked7702 = await call('backend_check', { accountType: '7702' });
    assert.equal(checked7702.ok, true, JSON.stringify(checked7702));
    assert.deepEqual(
      checked7702.value.map((f) => [f.check, f.outcome]),
      [['wallet endpoint', 'ok'], ['node', 'ok'], ['gas policy', 'ok'], ['7702 delegation', 'ok']],
    );

    // Alchemy with a made-up key: stored in the keychain, never echoed; the faucet refuses.
    const alchemy = await call('backend_use_alchemy', { apiKey: 'e2e-not-a-real-key', chainId: 84532, policyId: null });
    assert.equal(alchemy.ok, true, JSON.stringify(alchemy));
    assert.equal(alchemy.value.hasApiKey, true);
    assert.equal((await call('devnet_fund', { address: HEX_ADDRESS })).error?.code, 'not_on_devnet');
    assert.equal((await call('backend_use_alchemy', { apiKey: null, chainId: 0, policyId: null })).error?.code, 'invalid_input');
    assert.equal((await call('backend_use_devnet')).value.kind, 'devnet');

    // ---- grants, approvals, sessions, export, activity ----
    const sma = await call('account_get', { accountType: 'sma-b' });
    assert.equal((await call('devnet_fund', { address: sma.value.address })).ok, true);
    const permissions = [
      { type: 'native-token-transfer', data: { allowance: '0x2386f26fc10000' } },
      { type: 'contract-access', data: { address: RECIPIENT } },
    ];
    const expirySec = Math.floor(Date.now() / 1000) + 3600;
    const checked = await call('permissions_check', { permissions, expirySec });
    assert.equal(checked.value?.ok, true, JSON.stringify(checked));
    const refused = await call('permissions_check', { permissions: [permissions[0]], expirySec });
    assert.equal(refused.value?.ok, false, `a spend-only set is refused: ${JSON.stringify(refused)}`);
    assert.equal((await call('token_info', { address: RECIPIENT })).ok, true);
    assert.equal((await call('selector_of', { signature: 'transfer(address,uint256)' })).value?.selector, '0xa9059cbb');

    const main = await app.session.windowHandle();
    const request = (label) => ({ label, accountType: 'sma-b', key: { kind: 'generate' }, expirySec, permissions });
    /** grant_start from the main window, then `command` from the approval window. */
    const answer = async (label, command) => {
      const started = await call('grant_start', { request: request(label) });
      assert.equal(started.ok, true, JSON.stringify(started));
      const approvalId = started.value;
      const fromMain = await call(command, { approvalId });
      assert.equal(fromMain.ok, false, `${command} is refused to the main window: ${JSON.stringify(fromMain)}`);
      await findApprovalWindow(app, main);
      await app.installIpcRecorder();
      const pending = await call('approval_pending');
      assert.equal(pending.value?.approvalId, approvalId, JSON.stringify(pending));
      const answered = await call(command, { approvalId });
      assert.equal(answered.ok, true, JSON.stringify(answered));
      const again = await call(command, { approvalId });
      assert.equal(again.error?.code, 'approval_used', `answered once only: ${JSON.stringify(again)}`);
      approvalPayloads.push(...((await app.ipcLog()) ?? []));
      await app.session.switchToWindow(main);
      return answered.value;
    };
    await answer('rejected', 'approval_reject');
    const session = await answer('approved', 'approval_approve');
    assert.equal(session.label, 'approved');

    const listed = await call('sessions_list');
    assert.deepEqual(listed.value.map((x) => x.label), ['approved'], JSON.stringify(listed));
    assert.equal((await call('session_usage', { id: session.id })).ok, true);
    const tested = await call('session_test_call', { id: session.id, to: RECIPIENT, value: '1000', data: '0x' });
    assert.equal(tested.ok, true, JSON.stringify(tested));
    const preview = await call('session_export_preview', { id: session.id });
    assert.equal(JSON.parse(preview.value.document).secret ?? null, null, 'the preview has no secret');
    const receiver = await startReceiver();
    try {
      const exportKey = () => call('session_export', {
        id: session.id,
        secret: { kind: 'plaintext', confirmed: true },
        destination: { kind: 'post', url: receiver.url, bearer: null },
      });
      const EXPORT = 'Export session key?';
      const refused = await withConfirmation(EXPORT, { accept: false }, exportKey);
      assert.equal(refused.error?.code, 'not_confirmed', JSON.stringify(refused));
      assert.equal(receiver.requests.length, 0, 'nothing was sent before the person confirmed');
      const exported = await withConfirmation(EXPORT, { accept: true, mnemonic: 'e' }, exportKey);
      assert.equal(exported.value?.httpStatus, 200, JSON.stringify(exported));
    } finally {
      await receiver.close();
    }
    const key = JSON.parse(receiver.requests[0].body).secret.privateKey;
    assert.match(key, /^0x[0-9a-fA-F]{64}$/);
    sessionKeys.push(key.slice(2).toLowerCase());
    const revoked = await withConfirmation('Revoke session?', { accept: true, mnemonic: 'r' }, () => call('session_revoke', { id: session.id }));
    assert.equal(revoked.ok, true, JSON.stringify(revoked));
    const forgetIt = () => call('session_forget', { id: session.id, confirm: true });
    assert.equal((await withConfirmation('Forget session?', { accept: false }, forgetIt)).error?.code, 'not_confirmed');
    assert.equal((await call('sessions_list')).value.length, 1, 'a cancelled forget keeps the session');
    assert.equal((await withConfirmation('Forget session?', { accept: true, mnemonic: 'f' }, forgetIt)).value?.length, 0);
    assert.deepEqual((await call('sessions_quarantined')).value, [], 'no record was set aside');
    // A list exists, so starting a new one changes nothing.
    assert.deepEqual((await call('sessions_start_new_list')).value, []);
    // A server's permission requests: one through the loopback intake, granted in the
    // approval window and answered; one opened from a file and declined.
    const answers = await startReceiver({ path: '/answer' });
    try {
      const perms = join(app.dirs.root, 'request-perms.json');
      writeFileSync(perms, JSON.stringify([{ type: 'contract-access', data: { address: RECIPIENT } }]));
      const ask = async (out) => {
        const made = await warden('secrets', ['request', 'create', '--permissions', perms, '--expiry', '1h', '--key', SERVER_KEY,
          '--justification', 'secrets spec', '--name', 'Spec server', '--answer-to', answers.url, '--allow-adjust', '--out', out]);
        assert.equal(made.code, 0, show(made));
        return readFileSync(out, 'utf8');
      };
      const first = await ask(join(app.dirs.root, 'first.warden-request.json'));
      assert.equal((await call('intake_status')).value?.listening, false);
      const intake = (await call('intake_start', { port: 0 })).value;
      const posted = await fetch(intake.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${intake.pairingCode}` },
        body: first,
      });
      assert.equal(posted.status, 202, await posted.text());
      // The main window takes it on request-incoming; whichever takes it first gets the document.
      const taken = (await call('request_take_incoming')).value;
      assert.ok(taken === null || taken === first, JSON.stringify(taken));
      const view = (await call('request_open', { text: first })).value;
      assert.equal(view?.requesterName, 'Spec server', JSON.stringify(view));
      const grant = { requestId: view.requestId, label: 'requested', accountType: 'sma-b', permissions: view.permissionsWire, durationSecs: view.expirySecs };
      const asked = await call('request_grant', { grant });
      assert.equal(asked.ok, true, JSON.stringify(asked));
      const approvalId = asked.value;
      await findApprovalWindow(app, main);
      await app.installIpcRecorder();
      const approved = await call('approval_approve', { approvalId });
      assert.equal(approved.ok, true, JSON.stringify(approved));
      approvalPayloads.push(...((await app.ipcLog()) ?? []));
      await app.session.switchToWindow(main);
      await app.until('the answer to reach the server', () => answers.requests.length === 1);
      assert.equal(JSON.parse(answers.requests[0].body).decision, 'approved');
      assert.equal((await call('intake_stop')).value?.listening, false);

      const secondPath = join(app.dirs.root, 'second.warden-request.json');
      await ask(secondPath);
      const [opened] = await Promise.all([call('request_open_file'), openDialogAnswer('Open a permission request', secondPath)]);
      assert.equal(opened.value?.requesterName, 'Spec server', JSON.stringify(opened));
      const declined = (await call('request_decline', { requestId: opened.value.requestId, reason: null })).value;
      assert.equal(declined?.delivered, true, JSON.stringify(declined));
      // Nothing is waiting to be sent again or handed over by hand.
      for (const command of ['request_deliver', 'request_answer_copy', 'request_answer_save']) {
        const none = await call(command, { requestId: opened.value.requestId });
        assert.equal(none.error?.code, 'invalid_input', `${command}: ${JSON.stringify(none)}`);
      }
    } finally {
      await answers.close();
    }

    const activity = await call('activity_list', { kind: null, sessionId: null });
    assert.equal(activity.value?.intact, true, JSON.stringify(activity));

    assert.deepEqual([...COMMANDS].filter((c) => !called.has(c)), [], 'every command was exercised');

    const payloads = await app.ipcLog();
    writeArtifact('secrets-ipc-payloads.json', JSON.stringify({ main: payloads, approval: approvalPayloads }, null, 1));
    assert.ok(Array.isArray(payloads), 'the recorder ran');
    const all = payloads.concat(approvalPayloads).join('\n');
    // The recorder saw what it should (so an empty or broken recorder cannot pass).
    assert.ok(all.includes(HEX_ADDRESS) && all.includes(MNEMONIC_ADDRESS_2), 'results were recorded');
    assert.ok(all.includes('"op":"delegate"'), 'progress events were recorded');
    assert.ok(all.includes('already_exists') && all.includes('not_on_devnet'), 'errors were recorded');
    assert.ok(all.includes('approval_used') && all.includes('"digest"'), 'the approval window was recorded');
    assert.deepEqual(leaks(all), [], 'no IPC payload carries key material');
    await app.screenshot('after-every-command');
  } finally {
    log = await app.close();
  }
  writeArtifact('secrets-app.log', log);
  assert.ok(log.includes('added owner key'), 'the app log was captured');
  assert.deepEqual(leaks(log), [], 'the app log carries no key material');
  for (const file of filesUnder(app.dirs.root)) {
    assert.deepEqual(leaks(readFileSync(file, 'latin1')), [], `${file} carries no key material`);
  }
});
